import { environmentStack, logGroupName, resourcesStack, rollingStack, TAG_ENVIRONMENT, TAG_VERSION } from '../config/names.js';
import type { Config } from '../config/types.js';
import type { EngineDeps, RunClock } from './context.js';
import { protectImages } from './image-protection.js';
import type { StackSummary } from './ports.js';
import { readReleases } from './rollback.js';
import { stackTags } from './stack-tags.js';

/**
 * Removes an application from an environment: its records first (so nobody is sent to a stack
 * that is going away), then its release stacks, then its resources. The environment's network
 * goes only with destroy-environment, and only once no other application imports from it; the
 * base stack, its key and its buckets are never removed by any command. The application's log
 * group outlives its stack unless destroy-logs asks for it.
 */

export interface DestroyResult {
  readonly removed: readonly string[];
}

function isReleaseOf(config: Config, stack: StackSummary): boolean {
  return stack.tags[TAG_ENVIRONMENT] === config.environment && (stack.name === rollingStack(config.application, config.environment) || stack.tags[TAG_VERSION] !== undefined);
}

export async function destroy(config: Config, deps: EngineDeps, run: RunClock): Promise<DestroyResult> {
  const options = { deadline: run.deadline, owner: stackTags(config.application, config.environment), ...(run.signal ? { signal: run.signal } : {}) };
  const state = await readReleases(config, deps);
  const releases = state.stacks.filter((stack) => isReleaseOf(config, stack)).map((stack) => stack.name);
  const names = new Set(releases);
  const records = state.weights.filter((target) => names.has(target.setIdentifier));
  if (records.length > 0) {
    await deps.dns.setWeights(state.zoneId, state.hostname, state.weights.filter((target) => !names.has(target.setIdentifier)), records, run.deadline);
    deps.log.info(`Removed the records of ${state.hostname}`);
  }
  await Promise.all(releases.map((name) => deps.log.group(`remove ${name}`, () => deps.stacks.remove(name, options))));
  const removed = [...releases];
  // No release of the environment is left to need its image.
  await protectImages(config, deps, [], true);
  // A preview's resources are its own; the staging network it runs in stays.
  const resources = resourcesStack(config.application, config.environment);
  await deps.log.group(`remove ${resources}`, () => deps.stacks.remove(resources, options));
  removed.push(resources);
  // Logs outlive the stack (a preview's too): destroy deletes them only when asked.
  const logGroup = logGroupName(config.application, config.environment);
  if (config.destroyLogs) {
    await deps.logGroups.remove(logGroup);
    removed.push(logGroup);
  } else {
    deps.log.info(`Kept the log group ${logGroup}: destroy-logs: true deletes it.`);
  }
  if (config.preview === undefined) {
    if (config.destroyEnvironment) {
      const network = environmentStack(config.environment);
      await deps.log.group(`remove ${network}`, async () => {
        await deps.stacks.unprotect(network);
        await deps.stacks.remove(network, { ...options, owner: stackTags('wimpy', config.environment) });
      });
      removed.push(network);
    }
  }
  return { removed };
}
