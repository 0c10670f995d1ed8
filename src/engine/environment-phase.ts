import { environmentStack, logGroupName, resourcesStack } from '../config/names.js';
import type { Config } from '../config/types.js';
import { ENVIRONMENT_OUTPUTS } from '../templates/outputs.js';
import { cidrFor } from '../templates/network.js';
import { KEEPS_LOG_GROUP } from '../templates/resources.js';
import type { EngineDeps, RunClock } from './context.js';
import type { ApplyOptions, StackResult, StackSpec } from './ports.js';
import { baseSpec, environmentSpec, resourcesSpec } from './stack-specs.js';

/**
 * The environment phase: the account baseline, then the environment's network (its flow logs and
 * topic import the base's log bucket and key), then the application's resources, which import
 * from both. A run with nothing to change costs a few reads per stack and no change set.
 */
export async function applyEnvironment(config: Config, deps: EngineDeps, run: RunClock, options: Omit<ApplyOptions, 'deadline'> = {}): Promise<StackResult[]> {
  const apply = (spec: StackSpec) =>
    deps.log.group(`stack ${spec.name}`, () => deps.stacks.apply(spec, { ...options, deadline: run.deadline, ...(run.signal ? { signal: run.signal } : {}) }));
  if (config.preview !== undefined) return sharedWithPreview(config, deps);
  const [cidr, keepsLogGroup] = await Promise.all([environmentCidr(config, deps), logGroupKept(config, deps)]);
  const specs = { base: baseSpec(config), network: environmentSpec(config, cidr), resources: resourcesSpec(config, keepsLogGroup) };
  // Every stack is checked side by side first: a run with nothing to change costs the round
  // trips of one stack, not of the chain of imports. Only the stacks that differ are applied,
  // in the order of their imports.
  const checked = options.dryRun ? {} : Object.fromEntries(await Promise.all(Object.entries(specs).map(async ([key, spec]) => [key, await deps.stacks.unchanged(spec, run.signal)] as const)));
  const applyOrKeep = (key: keyof typeof specs): Promise<StackResult> => {
    const kept = checked[key];
    if (!kept) return apply(specs[key]);
    options.onChanges?.(kept.name, []);
    return Promise.resolve(kept);
  };
  // In the order of their imports: the network's flow logs and topic use the base's log bucket and key.
  const base = await applyOrKeep('base');
  const network = await applyOrKeep('network');
  const resources = await applyOrKeep('resources');
  return [base, network, resources];
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
 * instead of failing to create a second one of the same name.
 */
export async function logGroupKept(config: Config, deps: Pick<EngineDeps, 'stacks' | 'logGroups'>): Promise<boolean> {
  const stack = await deps.stacks.describe(resourcesStack(config.application, config.networkEnvironment));
  if (stack) return stack.parameters[KEEPS_LOG_GROUP] === 'true';
  return deps.logGroups.exists(logGroupName(config.application, config.networkEnvironment));
}

/**
 * A preview uses staging's baseline, network and resources and never changes them: its own
 * inputs (a port, a pull request's code) must not reach the stacks staging runs on. They must
 * exist; staging's own runs create and update them.
 */
async function sharedWithPreview(config: Config, deps: EngineDeps): Promise<StackResult[]> {
  const names = [baseSpec(config).name, environmentStack(config.networkEnvironment), resourcesSpec(config).name];
  const found = await Promise.all(names.map((name) => deps.stacks.describe(name)));
  const missing = names.filter((_, i) => !found[i]);
  if (missing.length > 0) {
    throw new Error(`Preview ${config.environment} runs in the ${config.networkEnvironment} network, which is not there yet (${missing.join(', ')}): deploy ${config.networkEnvironment} once first, e.g. on a push to main.`);
  }
  return found.map((stack): StackResult => ({ name: stack!.name, outcome: 'unchanged', outputs: stack!.outputs, changes: [] }));
}
