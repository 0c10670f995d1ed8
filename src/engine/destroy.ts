import { databaseStack, logGroupName, resourcesStack } from '../config/names.js';
import type { Config } from '../config/types.js';
import { applicationRelease } from '../stacks/application-release.js';
import { removalOrder } from '../stacks/catalogue.js';
import type { StackKind } from '../stacks/kind.js';
import type { EngineDeps, RunClock } from './context.js';
import { protectImages } from './image-protection.js';
import type { StackSummary } from './ports.js';
import { DATABASE_OUTPUTS } from '../templates/database.js';
import { applicationDatabase, databaseSpec } from '../stacks/application-database.js';
import { stackTags } from '../stacks/stack-tags.js';
import { readReleases, type KnownReleases } from './rollback.js';

/**
 * Removes an application from an environment: its records first (so nobody is sent to a stack
 * that is going away), then its stacks in the reverse order of their imports (the catalogue's
 * kinds removed with the application), then its log group when asked. The environment's kinds
 * go only with destroy-environment, and only once no other application imports from them; the
 * kinds the catalogue never removes (the base stack, its key and its buckets) stay.
 */

export interface DestroyResult {
  readonly removed: readonly string[];
  /** What people must know of what was kept or left: the database, its final snapshot. */
  readonly notes?: readonly string[];
}

/** `known`: what the caller already read (the preview sweep's listing), not read again. */
export async function destroy(config: Config, deps: EngineDeps, run: RunClock, known: KnownReleases = {}): Promise<DestroyResult> {
  const state = await readReleases(config, deps, known, run.signal);
  const names = new Set(applicationRelease.stacksToRemove(config, state.stacks));
  const records = state.records.weighted.filter((target) => names.has(target.setIdentifier));
  if (records.length > 0) {
    await deps.dns.setWeights(state.zoneId, state.hostname, state.records.weighted.filter((target) => !names.has(target.setIdentifier)), records, run);
    deps.log.info(`Removed the records of ${state.hostname}`);
  }
  // The hostname's alias and its rule go before the stacks, side by side: a target group a rule
  // forwards to cannot be deleted, and nobody is sent to a release that is going away.
  const alias = async () => {
    if (!state.records.alias) return;
    await deps.dns.removeAlias(state.zoneId, state.hostname, run);
    deps.log.info(`Removed the alias of ${state.hostname}`);
  };
  const ruleArn = state.rule?.ruleArn;
  await Promise.all([alias(), ruleArn ? deps.listeners.removeRule(ruleArn, run.signal) : undefined]);
  // What imports the database's address goes first; then the database, by its own rules; then
  // what it uses, unless it stays: it keeps its resources' security group and role.
  const order = removalOrder(config, 'destroy');
  // Those that import it, and those that come after them (the schedules name a release's task definition).
  const after = (kind: StackKind): boolean => kind.dependsOn.includes(applicationDatabase.id) || kind.dependsOn.some((id) => order.some((other) => other.id === id && after(other)));
  const importers = order.filter(after);
  const removed = await removeKinds(importers, config, deps, run, state.stacks);
  const notes: string[] = [];
  const database = await removeDatabase(config, deps, run, known.tagged);
  if (database.removed) removed.push(database.removed);
  if (database.note) {
    notes.push(database.note);
    deps.log.info(database.note);
  }
  const rest = order.filter((kind) => !importers.includes(kind) && !(database.kept && applicationDatabase.dependsOn.includes(kind.id)));
  removed.push(...(await removeKinds(rest, config, deps, run, state.stacks)));
  // No release of the environment is left to need its image.
  await protectImages(config, deps, [], true, run.signal);
  // Logs outlive the stack (a preview's too): destroy deletes them only when asked.
  const logGroup = logGroupName(config.application, config.environment);
  if (config.destroyLogs) {
    await deps.logGroups.remove(logGroup, run.signal);
    removed.push(logGroup);
  } else {
    deps.log.info(`Kept the log group ${logGroup}: destroy-logs: true deletes it.`);
  }
  // A preview never removes what it shares with staging (removalOrder leaves those out); a kept database keeps its network.
  if (config.destroyEnvironment && !database.kept) removed.push(...(await removeKinds(removalOrder(config, 'destroy-environment'), config, deps, run, state.stacks)));
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
 * `tagged`: the application's stacks as the caller's listing found them; a database not among them
 * was never made (a preview without one), and is not described.
 */
async function removeDatabase(config: Config, deps: EngineDeps, run: RunClock, tagged?: ReadonlySet<string>): Promise<DatabaseOutcome> {
  const options = { deadline: run.deadline, owner: stackTags(config.application, config.environment), ...(run.signal ? { signal: run.signal } : {}) };
  const name = databaseStack(config.application, config.environment);
  if (tagged && !tagged.has(name)) return {};
  const stack = await deps.stacks.describe(name, run.signal);
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
    await deps.stacks.unprotect(name, run.signal);
    await deps.stacks.remove(name, options);
  });
  const snapshot = instanceId ? await deps.databaseSnapshots.newest(instanceId) : undefined;
  const secret = stack.outputs[DATABASE_OUTPUTS.secretName];
  const note = snapshot
    ? `Removed the database ${instanceId} after its final snapshot ${snapshot}${secret ? `; its master password stays in the secret ${secret}, for a restore` : ''}.`
    : `Removed the database ${instanceId ?? name}; RDS lists no final snapshot of it yet: look for the newest manual snapshot of ${instanceId ?? 'the instance'} in the RDS console.`;
  return { removed: name, note };
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
      if (removal.protected) await deps.stacks.unprotect(name, run.signal);
      await deps.stacks.remove(name, options);
    })));
    removed.push(...names);
  }
  return removed;
}
