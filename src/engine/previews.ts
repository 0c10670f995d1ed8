import { previewEnvironment, previewNumber, rollingStack, TAG_APPLICATION, TAG_ENVIRONMENT } from '../config/names.js';
import type { Config } from '../config/types.js';
import type { EngineDeps, RunClock } from './context.js';
import { destroy } from './destroy.js';
import { LockBusyError, lockKey, withLock, type LockOwner } from './lock.js';


/**
 * Previews expire: any run of the action for the application removes those untouched for
 * longer than preview-ttl, so a pull request left open for months costs nothing. Failures are
 * warnings: the run's own work is what it reports on.
 */
export async function removeExpiredPreviews(config: Config, deps: EngineDeps, run: RunClock, owner: LockOwner): Promise<string[]> {
  if (config.previewTtlHours === 0) return [];
  const removed: string[] = [];
  try {
    const stacks = await deps.stacks.list({ [TAG_APPLICATION]: config.application });
    const now = deps.clock.now();
    const expired = stacks.filter((stack) => {
      const environment = stack.tags[TAG_ENVIRONMENT] ?? '';
      const touched = (stack.updatedAt ?? stack.createdAt)?.getTime() ?? now;
      return previewNumber(environment) !== undefined && environment !== config.environment && stack.name === rollingStack(config.application, environment) && now - touched > config.previewTtlHours * 3_600_000;
    });
    for (const stack of expired) {
      const number = previewNumber(stack.tags[TAG_ENVIRONMENT]!)!;
      const environment = previewEnvironment(number);
      deps.log.info(`Preview ${environment} is older than preview-ttl (${config.previewTtlHours} h): removing it.`);
      try {
        // The preview's own lock, taken now or never: a run working on it means it is not stale.
        await withLock(deps, run, { ...owner, key: lockKey(config.application, environment) }, (locked) =>
          destroy({ ...config, environment, preview: number, networkEnvironment: 'staging', strategy: 'rolling', destroyEnvironment: false }, deps, locked),
        );
        removed.push(environment);
      } catch (error) {
        if (!(error instanceof LockBusyError)) throw error;
        deps.log.info(`Preview ${environment} was left: ${error.message}`);
      }
    }
  } catch (error) {
    deps.log.warning(`Expired previews were not removed: ${(error as Error).message}`);
  }
  return removed;
}
