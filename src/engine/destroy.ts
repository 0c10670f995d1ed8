import { logGroupName } from '../config/names.js';
import type { Config } from '../config/types.js';
import { applicationRelease } from '../stacks/application-release.js';
import { removalOrder } from '../stacks/catalogue.js';
import type { StackKind } from '../stacks/kind.js';
import type { EngineDeps, RunClock } from './context.js';
import { protectImages } from './image-protection.js';
import type { StackSummary } from './ports.js';
import { readReleases } from './rollback.js';

/**
 * Removes an application from an environment: its records first (so nobody is sent to a stack
 * that is going away), then its stacks in the reverse order of their imports (the catalogue's
 * kinds removed with the application), then its log group when asked. The environment's kinds
 * go only with destroy-environment, and only once no other application imports from them; the
 * kinds the catalogue never removes (the base stack, its key and its buckets) stay.
 */

export interface DestroyResult {
  readonly removed: readonly string[];
}

export async function destroy(config: Config, deps: EngineDeps, run: RunClock): Promise<DestroyResult> {
  const state = await readReleases(config, deps);
  const names = new Set(applicationRelease.stacksToRemove(config, state.stacks));
  const records = state.weights.filter((target) => names.has(target.setIdentifier));
  if (records.length > 0) {
    await deps.dns.setWeights(state.zoneId, state.hostname, state.weights.filter((target) => !names.has(target.setIdentifier)), records, run.deadline);
    deps.log.info(`Removed the records of ${state.hostname}`);
  }
  const removed = await removeKinds(removalOrder(config, 'destroy'), config, deps, run, state.stacks);
  // No release of the environment is left to need its image.
  await protectImages(config, deps, [], true);
  // Logs outlive the stack (a preview's too): destroy deletes them only when asked.
  const logGroup = logGroupName(config.application, config.environment);
  if (config.destroyLogs) {
    await deps.logGroups.remove(logGroup);
    removed.push(logGroup);
  } else {
    deps.log.info(`Kept the log group ${logGroup}: destroy-logs: true deletes it.`);
  }
  // A preview never removes what it shares with staging (removalOrder leaves those out).
  if (config.destroyEnvironment) removed.push(...(await removeKinds(removalOrder(config, 'destroy-environment'), config, deps, run, state.stacks)));
  return { removed };
}

/** Kind after kind; the stacks of one kind side by side. A protected stack is unprotected first: the removal was asked for. */
async function removeKinds(kinds: readonly StackKind[], config: Config, deps: EngineDeps, run: RunClock, own: readonly StackSummary[]): Promise<string[]> {
  const removed: string[] = [];
  for (const kind of kinds) {
    const removal = kind.removal;
    if (removal.by === 'never') continue;
    const options = { deadline: run.deadline, owner: removal.owner(config), ...(run.signal ? { signal: run.signal } : {}) };
    const names = kind.stacksToRemove(config, own);
    await Promise.all(names.map((name) => deps.log.group(`remove ${name}`, async () => {
      if (removal.protected) await deps.stacks.unprotect(name);
      await deps.stacks.remove(name, options);
    })));
    removed.push(...names);
  }
  return removed;
}
