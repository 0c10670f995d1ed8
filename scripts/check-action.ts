/**
 * action.yml against the rules of GitHub Marketplace, which refuses to publish an action that
 * breaks them: a description under 125 characters, a branding icon and colour from GitHub's
 * lists, a description for every input and output.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface Branding {
  readonly icons: readonly string[];
  readonly colors: readonly string[];
}

interface ActionMetadata {
  name?: unknown;
  description?: unknown;
  branding?: { icon?: unknown; color?: unknown };
  inputs?: Record<string, { description?: unknown }>;
  outputs?: Record<string, { description?: unknown }>;
}

const described = (entry: { description?: unknown } | null | undefined) => typeof entry?.description === 'string' && entry.description.trim() !== '';

export function marketplaceProblems(actionYml: string, branding: Branding): string[] {
  const metadata = parse(actionYml) as ActionMetadata;
  const problems: string[] = [];
  if (typeof metadata.name !== 'string' || metadata.name === '') problems.push('name is missing');
  const description = typeof metadata.description === 'string' ? metadata.description : '';
  if (description === '') problems.push('description is missing');
  else if (description.length >= 125) problems.push(`description has ${description.length} characters: the Marketplace takes fewer than 125`);
  if (!branding.icons.includes(String(metadata.branding?.icon))) problems.push(`branding.icon ${String(metadata.branding?.icon)} is not one of GitHub's icons`);
  if (!branding.colors.includes(String(metadata.branding?.color))) problems.push(`branding.color ${String(metadata.branding?.color)} is not one of ${branding.colors.join(', ')}`);
  for (const [name, input] of Object.entries(metadata.inputs ?? {})) if (!described(input)) problems.push(`input ${name} has no description`);
  for (const [name, output] of Object.entries(metadata.outputs ?? {})) if (!described(output)) problems.push(`output ${name} has no description`);
  return problems;
}

export function readBranding(): Branding {
  return JSON.parse(readFileSync(new URL('../../test/fixtures/action-branding.json', import.meta.url), 'utf8')) as Branding;
}
