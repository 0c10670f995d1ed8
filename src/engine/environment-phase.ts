import type { DomainFacts } from '../config/domains.js';
import type { Config } from '../config/types.js';
import { phaseKinds } from '../stacks/catalogue.js';
import type { AccountReads, StackKind } from '../stacks/kind.js';
import type { EngineDeps, RunClock } from './context.js';
import type { ApplyOptions, StackResult, StackSpec, StackSummary } from './ports.js';

/**
 * The environment phase: the catalogue's environment kinds (the account baseline, the
 * environment's network, the application's resources, its database when it has one), each
 * applied after the kinds it imports from. A run with nothing to change costs a few reads per stack and no change set.
 */
export interface EnvironmentOptions extends Omit<ApplyOptions, 'deadline'> {
  /** What people must read in the summary too: a shared setting kept over the run's input. */
  readonly onWarning?: (message: string) => void;
  /** The zone's wildcard certificate, for the load balancer's listener; absent for a plan. */
  readonly certificate?: () => Promise<string>;
  /** Where the environment's domains live and, for a run that deploys, their certificates. */
  readonly domains?: () => Promise<DomainFacts>;
}

/** The stacks port and log groups, as the kinds read the account; `signal` stops the reading. */
export function accountReads(deps: Pick<EngineDeps, 'stacks' | 'logGroups'>, certificate?: () => Promise<string>, domains?: () => Promise<DomainFacts>, signal?: AbortSignal): AccountReads {
  return {
    describe: (name) => deps.stacks.describe(name, signal),
    list: (tags) => deps.stacks.list(tags, undefined, signal),
    logGroupExists: (name) => deps.logGroups.exists(name, signal),
    ...(certificate ? { certificate } : {}),
    ...(domains ? { domains } : {}),
  };
}

/** Each kind's stack for the run, from what the account holds now. */
async function specsOf(kinds: readonly StackKind[], config: Config, deps: EngineDeps, warn: (message: string) => void, reads: Pick<EnvironmentOptions, 'certificate' | 'domains'>, signal?: AbortSignal): Promise<StackSpec[]> {
  const account = accountReads(deps, reads.certificate, reads.domains, signal);
  return Promise.all(kinds.map(async (kind) => {
    const resolved = kind.read ? await kind.read(config, account) : kind.planned(config);
    if ('warning' in resolved && resolved.warning) warn(resolved.warning);
    return kind.spec(config, resolved.facts);
  }));
}

export async function applyEnvironment(config: Config, deps: EngineDeps, run: RunClock, environmentOptions: EnvironmentOptions = {}): Promise<StackResult[]> {
  const { onWarning, certificate, domains, ...options } = environmentOptions;
  const placed = phaseKinds('environment', config);
  const kinds = placed.map((entry) => entry.kind);
  const specs = await specsOf(kinds, config, deps, (warning) => {
    deps.log.warning(warning);
    onWarning?.(warning);
  }, { ...(certificate ? { certificate } : {}), ...(domains ? { domains } : {}) }, run.signal);
  // Every stack is checked side by side first: a run with nothing to change costs the round
  // trips of one stack, not of the chain of imports. Only the stacks that differ are applied,
  // wave after wave in the order of their imports.
  // A preview never changes the stacks staging runs on: they are used as they are, or created
  // as staging's first deploy would create them when the account has none yet.
  const [checked, shared] = await Promise.all([
    options.dryRun ? specs.map(() => undefined) : Promise.all(specs.map((spec) => deps.stacks.unchanged(spec, run.signal))),
    Promise.all(kinds.map((kind, index) => (config.preview !== undefined && kind.previews === 'shared' ? deps.stacks.describe(specs[index]!.name, run.signal) : undefined))),
  ]);
  const applyOrKeep = (index: number): Promise<StackResult> => {
    const spec = specs[index]!;
    const kept = checked[index] ?? asIs(shared[index]);
    if (!kept) return deps.log.group(`stack ${spec.name}`, () => deps.stacks.apply(spec, { ...options, deadline: run.deadline, ...(run.signal ? { signal: run.signal } : {}) }));
    options.onChanges?.(kept.name, []);
    return Promise.resolve(kept);
  };
  const results: StackResult[] = [];
  for (const wave of [...new Set(placed.map((entry) => entry.wave))]) {
    const indexes = placed.flatMap((entry, index) => (entry.wave === wave ? [index] : []));
    results.push(...(await Promise.all(indexes.map(applyOrKeep))));
  }
  return results;
}

/** A shared stack as it is: a preview uses it unchanged. */
function asIs(stack: StackSummary | undefined): StackResult | undefined {
  return stack && { name: stack.name, outcome: 'unchanged', outputs: stack.outputs, changes: [] };
}
