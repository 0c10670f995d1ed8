import { BASE_STACK, environmentStack, logGroupName, resourcesStack } from '../config/names.js';
import { changesOnPurpose, settle, TAG_CLOUDTRAIL } from './shared-settings.js';
import type { Config } from '../config/types.js';
import { ENVIRONMENT_OUTPUTS } from '../templates/outputs.js';
import { cidrFor } from '../templates/network.js';
import { KEEPS_LOG_GROUP } from '../templates/resources.js';
import type { EngineDeps, RunClock } from './context.js';
import type { ApplyOptions, StackResult, StackSpec, StackSummary } from './ports.js';
import { baseSpec, databaseSpec, environmentSpec, resourcesSpec } from './stack-specs.js';

/**
 * The environment phase: the account baseline, then the environment's network (its flow logs and
 * topic import the base's log bucket and key), then the application's resources, which import
 * from both, then its database, when it has one. A run with nothing to change costs a few reads per stack and no change set.
 */
export interface EnvironmentOptions extends Omit<ApplyOptions, 'deadline'> {
  /** What people must read in the summary too: a shared setting kept over the run's input. */
  readonly onWarning?: (message: string) => void;
}

export async function applyEnvironment(config: Config, deps: EngineDeps, run: RunClock, environmentOptions: EnvironmentOptions = {}): Promise<StackResult[]> {
  const { onWarning, ...options } = environmentOptions;
  const apply = (spec: StackSpec) =>
    deps.log.group(`stack ${spec.name}`, () => deps.stacks.apply(spec, { ...options, deadline: run.deadline, ...(run.signal ? { signal: run.signal } : {}) }));
  const [cidr, baseNow, keepsLogGroup] = await Promise.all([environmentCidr(config, deps), deps.stacks.describe(BASE_STACK), logGroupKept(config, deps)]);
  const trail = settle({ input: 'cloudtrail', stack: BASE_STACK, tag: TAG_CLOUDTRAIL, wanted: String(config.cloudTrail) }, baseNow, changesOnPurpose(config));
  if (trail.warning) {
    deps.log.warning(trail.warning);
    onWarning?.(trail.warning);
  }
  const database = databaseSpec(config);
  const specs = {
    base: baseSpec({ ...config, cloudTrail: trail.value === 'true' }),
    network: environmentSpec(config, cidr),
    resources: resourcesSpec(config, keepsLogGroup),
    ...(database ? { database } : {}),
  };
  // Every stack is checked side by side first: a run with nothing to change costs the round
  // trips of one stack, not of the chain of imports. Only the stacks that differ are applied,
  // in the order of their imports.
  // A preview never changes the stacks staging runs on: they are used as they are, or created
  // as staging's first deploy would create them when the account has none yet.
  const [checked, shared] = await Promise.all([
    options.dryRun ? {} : Promise.all(Object.entries(specs).map(async ([key, spec]) => [key, await deps.stacks.unchanged(spec, run.signal)] as const)).then(Object.fromEntries),
    config.preview === undefined ? {} : existingShared(specs, deps),
  ]);
  const applyOrKeep = (key: keyof typeof specs): Promise<StackResult> => {
    const kept = (checked as Partial<Record<string, StackResult>>)[key] ?? (shared as Partial<Record<string, StackResult>>)[key];
    if (!kept) return apply(specs[key]!);
    options.onChanges?.(kept.name, []);
    return Promise.resolve(kept);
  };
  // In the order of their imports: the network's flow logs and topic use the base's log bucket and key.
  const base = await applyOrKeep('base');
  const network = await applyOrKeep('network');
  const resources = await applyOrKeep('resources');
  // The database uses the resources' security group and grants their instance role its secret;
  // the application stack, created after it, imports its address.
  if (!specs.database) return [base, network, resources];
  return [base, network, resources, await applyOrKeep('database')];
}

/**
 * staging and production have fixed ranges; any other environment keeps the range it was
 * created with, or takes the lowest one no other environment of the account uses.
 */
export async function environmentCidr(config: Config, deps: Pick<EngineDeps, 'stacks'>): Promise<string> {
  const environment = config.networkEnvironment;
  const fixed = cidrFor(environment, []);
  if (environment === 'staging' || environment === 'production') return fixed;
  const own = await deps.stacks.describe(environmentStack(environment));
  const existing = own?.outputs[ENVIRONMENT_OUTPUTS.vpcCidr];
  if (existing) return existing;
  const networks = await deps.stacks.list({ 'wimpy:application': 'wimpy' });
  const taken = networks.map((stack) => stack.outputs[ENVIRONMENT_OUTPUTS.vpcCidr]).filter((cidr): cidr is string => Boolean(cidr));
  return cidrFor(environment, taken);
}

/**
 * Whether the application's log group outlived an earlier resources stack: a stack keeps what it
 * was created with; a new stack adopts a log group that an earlier one left (destroy keeps logs)
 * instead of failing to create a second one of the same name. A preview's resources and log
 * group are its own.
 */
export async function logGroupKept(config: Config, deps: Pick<EngineDeps, 'stacks' | 'logGroups'>): Promise<boolean> {
  const stack = await deps.stacks.describe(resourcesStack(config.application, config.environment));
  if (stack) return stack.parameters[KEEPS_LOG_GROUP] === 'true';
  return deps.logGroups.exists(logGroupName(config.application, config.environment));
}

/** The shared stacks (baseline, network) that exist, as they are: a preview uses them unchanged. */
async function existingShared(specs: { base: StackSpec; network: StackSpec }, deps: EngineDeps): Promise<Partial<Record<'base' | 'network', StackResult>>> {
  const [base, network] = await Promise.all([deps.stacks.describe(specs.base.name), deps.stacks.describe(specs.network.name)]);
  const asIs = (stack: StackSummary): StackResult => ({ name: stack.name, outcome: 'unchanged', outputs: stack.outputs, changes: [] });
  return { ...(base ? { base: asIs(base) } : {}), ...(network ? { network: asIs(network) } : {}) };
}
