import { isReleaseStack } from '../stacks/application-release.js';
import type { EngineDeps } from './context.js';
import type { StackSummary } from './ports.js';
import type { Weighted } from './traffic.js';

/** Whether a stack carries every tag of its owner (wimpy:application, wimpy:environment). */
export const ownedBy = (owner: Readonly<Record<string, string>>) => (stack: StackSummary) => Object.entries(owner).every(([key, value]) => stack.tags[key] === value);

/**
 * The listed release stacks, and those the records name that the listing did not: the tag
 * index can answer a moment behind a stack's creation, and a release with a record is never
 * overlooked. Costs a read only for a stack the listing missed.
 */
export async function withRecorded(deps: Pick<EngineDeps, 'stacks'>, owner: Readonly<Record<string, string>>, found: readonly StackSummary[], weights: readonly Weighted[], signal?: AbortSignal): Promise<StackSummary[]> {
  const listed = new Set(found.map((stack) => stack.name));
  const missing = [...new Set(weights.map((target) => target.setIdentifier))].filter((name) => !listed.has(name));
  if (missing.length === 0) return [...found];
  const more = await Promise.all(missing.map((name) => deps.stacks.describe(name, signal)));
  return [...found, ...more.filter((stack): stack is StackSummary => stack !== undefined && isReleaseStack(stack)).filter(ownedBy(owner))];
}
