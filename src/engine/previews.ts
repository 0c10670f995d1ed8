import { previewEnvironment, previewNumber, rollingStack, TAG_APPLICATION, TAG_ENVIRONMENT } from '../config/names.js';
import type { Config } from '../config/types.js';
import { atMost } from './at-most.js';
import type { EngineDeps, RunClock } from './context.js';
import { destroy } from './destroy.js';
import { LockBusyError, lockKey, withLock, type LockOwner } from './lock.js';
import type { StackSummary, StackTagged } from './ports.js';

/** Expired previews removed side by side: enough that thirty take two teardowns' time, few enough for AWS's rate limits (the SDK retries a throttled request). */
const PREVIEWS_AT_ONCE = 15;

/**
 * Previews expire: any run of the action for the application removes those untouched for
 * longer than preview-ttl, so a pull request left open for months costs nothing. The
 * application's stacks are found once by its tag, only the previews' own stacks are described,
 * and the expired ones are removed side by side, each under its own lock. Failures are
 * warnings: the run's own work is what it reports on.
 */
export async function removeExpiredPreviews(config: Config, deps: EngineDeps, run: RunClock, owner: LockOwner): Promise<string[]> {
  if (config.previewTtlHours === 0) return [];
  try {
    // Every stack of the application, as the tag index names them: what each removal need not look for.
    const tagged = new Set<string>();
    const isPreview = (stack: StackTagged) => {
      tagged.add(stack.name);
      const environment = stack.tags[TAG_ENVIRONMENT] ?? '';
      return previewNumber(environment) !== undefined && environment !== config.environment && stack.name === rollingStack(config.application, environment);
    };
    const previews = await deps.stacks.list({ [TAG_APPLICATION]: config.application }, isPreview, run.signal);
    const now = deps.clock.now();
    const expired = previews.filter((stack) => now - ((stack.updatedAt ?? stack.createdAt)?.getTime() ?? now) > config.previewTtlHours * 3_600_000);
    if (expired.length === 0) return [];
    const zoneId = await deps.dns.zoneId(config.hostedZone, run.signal);
    const removed = await atMost(PREVIEWS_AT_ONCE, expired, (stack) => removePreview(config, deps, run, owner, stack, { zoneId, tagged }));
    return removed.filter((environment): environment is string => environment !== undefined);
  } catch (error) {
    deps.log.warning(`Expired previews were not removed: ${(error as Error).message}`);
    return [];
  }
}

/** One expired preview, from what the sweep read of it; its environment once removed, else undefined. */
async function removePreview(config: Config, deps: EngineDeps, run: RunClock, owner: LockOwner, stack: StackSummary, known: { zoneId: string; tagged: ReadonlySet<string> }): Promise<string | undefined> {
  const number = previewNumber(stack.tags[TAG_ENVIRONMENT]!)!;
  const environment = previewEnvironment(number);
  // A cancelled run starts no removal: the previews left are a later run's.
  if (run.signal?.aborted) return undefined;
  deps.log.info(`Preview ${environment} is older than preview-ttl (${config.previewTtlHours} h): removing it.`);
  try {
    // The preview's own lock, taken now or never: a run working on it means it is not stale.
    await withLock(deps, run, { ...owner, key: lockKey(config.application, environment) }, (locked) =>
      destroy({ ...config, environment, preview: number, networkEnvironment: 'staging', strategy: 'rolling', destroyEnvironment: false }, deps, locked, { stacks: [stack], ...known }),
    );
    return environment;
  } catch (error) {
    if (error instanceof LockBusyError) deps.log.info(`Preview ${environment} was left: ${error.message}`);
    else deps.log.warning(`Expired preview ${environment} was not removed: ${(error as Error).message}`);
    return undefined;
  }
}
