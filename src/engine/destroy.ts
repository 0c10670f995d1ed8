import { databaseStack, environmentStack, logGroupName, resourcesStack, rollingStack, TAG_ENVIRONMENT, TAG_VERSION } from '../config/names.js';
import type { Config } from '../config/types.js';
import type { EngineDeps, RunClock } from './context.js';
import type { ApplyOptions, StackSummary } from './ports.js';
import { DATABASE_OUTPUTS } from '../templates/database.js';
import { databaseSpec } from './stack-specs.js';
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
  /** What people must know of what was kept or left: the database, its final snapshot. */
  readonly notes?: readonly string[];
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
  const notes: string[] = [];
  const database = await removeDatabase(config, deps, options);
  if (database.removed) removed.push(database.removed);
  if (database.note) {
    notes.push(database.note);
    deps.log.info(database.note);
  }
  // A preview's resources are its own; the staging network it runs in stays. A database that
  // stays keeps them too: it uses their security group, and their role reads its secret.
  const resources = resourcesStack(config.application, config.environment);
  if (!database.kept) {
    await deps.log.group(`remove ${resources}`, () => deps.stacks.remove(resources, options));
    removed.push(resources);
  }
  // Logs outlive the stack (a preview's too): destroy deletes them only when asked.
  const logGroup = logGroupName(config.application, config.environment);
  if (config.destroyLogs) {
    await deps.logGroups.remove(logGroup);
    removed.push(logGroup);
  } else {
    deps.log.info(`Kept the log group ${logGroup}: destroy-logs: true deletes it.`);
  }
  if (config.preview === undefined && !database.kept) {
    if (config.destroyEnvironment) {
      const network = environmentStack(config.environment);
      await deps.log.group(`remove ${network}`, async () => {
        await deps.stacks.unprotect(network);
        await deps.stacks.remove(network, { ...options, owner: stackTags('wimpy', config.environment) });
      });
      removed.push(network);
    }
  }
  return { removed, ...(notes.length > 0 ? { notes } : {}) };
}

interface DatabaseOutcome {
  readonly removed?: string;
  /** The database stays, and with it the resources it uses. */
  readonly kept?: boolean;
  readonly note?: string;
}

/**
 * The application's database in the environment, as its stack is found (whatever the run's own
 * inputs say): a preview's own goes with the preview; any other stays unless destroy-database
 * asks for it, and then goes only after its deletion protection is turned off in an update, and
 * with the final snapshot that CloudFormation takes (DeletionPolicy: Snapshot), named in the summary.
 */
async function removeDatabase(config: Config, deps: EngineDeps, options: ApplyOptions): Promise<DatabaseOutcome> {
  const name = databaseStack(config.application, config.environment);
  const stack = await deps.stacks.describe(name);
  if (!stack || stack.status === 'DELETE_COMPLETE') return {};
  if (config.preview !== undefined) {
    await deps.log.group(`remove ${name}`, () => deps.stacks.remove(name, options));
    return { removed: name };
  }
  if (!config.destroyDatabase) {
    return { kept: true, note: `Kept the database stack ${name}, and ${resourcesStack(config.application, config.environment)} whose security group and role it uses: destroy-database: true removes them, after a final snapshot.` };
  }
  const spec = config.database ? databaseSpec(config, true) : undefined;
  if (!spec) throw new Error(`destroy-database: true needs the database input the environment was deployed with (database: ${stack.outputs[DATABASE_OUTPUTS.engine] ?? 'postgres'}), to turn the database's deletion protection off before it is removed.`);
  const instanceId = stack.outputs[DATABASE_OUTPUTS.instanceId];
  await deps.log.group(`remove ${name}`, async () => {
    await deps.stacks.apply(spec, options);
    await deps.stacks.unprotect(name);
    await deps.stacks.remove(name, options);
  });
  const snapshot = instanceId ? await deps.databaseSnapshots.newest(instanceId) : undefined;
  const secret = stack.outputs[DATABASE_OUTPUTS.secretName];
  const note = snapshot
    ? `Removed the database ${instanceId} after its final snapshot ${snapshot}${secret ? `; its master password stays in the secret ${secret}, for a restore` : ''}.`
    : `Removed the database ${instanceId ?? name}; RDS lists no final snapshot of it yet: look for the newest manual snapshot of ${instanceId ?? 'the instance'} in the RDS console.`;
  return { removed: name, note };
}
