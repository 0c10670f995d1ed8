import { pinnedImage } from '../config/image-reference.js';
import type { Config } from '../config/types.js';
import type { StackReport } from './run-report.js';
import type { EngineDeps, RunClock } from './context.js';
import { checkDomains } from './domains.js';
import { applyEnvironment } from './environment-phase.js';
import type { ResourceChange } from './ports.js';
import { applicationRelease } from '../stacks/application-release.js';
import { gone, releaseHistory, type Release } from './releases.js';
import { readReleases } from './rollback.js';
import { checkAccount } from './run.js';
import { planRun, type Plan } from './plan.js';

/**
 * `plan` with credentials: the change set of every stack, computed by CloudFormation and
 * deleted unexecuted; stacks that do not exist yet list what they would add. Nothing is
 * created: no stack, no repository, no certificate.
 */
export async function planChanges(config: Config, deps: EngineDeps, run: RunClock, onChanges: (stack: string, changes: readonly ResourceChange[]) => void): Promise<StackReport[]> {
  // A plan reads the account: only one that allowed-account-ids names.
  await checkAccount(config, deps, run.signal);
  const options = { dryRun: true, onChanges, deadline: run.deadline, ...(run.signal ? { signal: run.signal } : {}) };
  const reports: StackReport[] = [];
  // The same check as a deploy's, before its change sets: a refused domain is the plan's answer.
  const placed = await checkDomains(config, deps);
  if (config.steps.includes('environment')) {
    const results = await applyEnvironment(config, deps, run, { ...options, domains: async () => ({ placed }) });
    reports.push(...results.map((result): StackReport => ({ name: result.name, outcome: result.outcome === 'unchanged' ? 'unchanged' : 'planned', changes: result.changes })));
  }
  if (config.steps.includes('deploy') && config.version !== '') {
    const name = applicationRelease.name(config);
    const deployed = await deps.stacks.describe(name);
    const image = await deps.images.find(config.version);
    if (deployed && gone(deployed)) {
      // No change set can be made beside a deletion in progress, and a plan waits for none.
      deps.log.info(`${name}: CloudFormation is deleting it (an earlier cleanup); the deploy waits for the deletion to end and creates it again.`);
      reports.push({ name, outcome: 'planned', changes: [] });
    } else if (deployed && !image) {
      // An existing stack's change set needs the release's real parameters: its image digest.
      deps.log.info(`${name}: its change set is known once ${config.version} is built; the build runs at deploy.`);
      reports.push({ name, outcome: 'planned', changes: [] });
    } else {
      const planned = applicationRelease.planned(config).facts;
      const spec = applicationRelease.spec(config, {
        image: image ? pinnedImage(image) : planned.image,
        certificateArn: deployed?.parameters.CertificateArn ?? planned.certificateArn,
        hostedZoneId: deployed?.parameters.HostedZoneId ?? planned.hostedZoneId,
        ...(deployed?.parameters.RulePriority ? { rulePriority: Number(deployed.parameters.RulePriority) } : {}),
      });
      const result = await deps.stacks.apply(spec, options);
      reports.push({ name, outcome: result.outcome === 'unchanged' ? 'unchanged' : 'planned', changes: result.changes });
    }
  }
  return reports;
}

/** The environment's releases as AWS knows them now: which versions, when, how healthy, what weight. */
export async function releaseHistoryNow(config: Config, deps: EngineDeps): Promise<Release[]> {
  const state = await readReleases(config, deps);
  return releaseHistory(state.stacks, state.weights, state.layout);
}

/** `plan`: what a deploy would do; with an account to read, each stack's change set and the releases. */
export interface PlanResult {
  readonly plan: Plan;
  /** What the account answered, when credentials were found and it could be read. */
  readonly account?: { readonly changes: readonly StackReport[]; readonly releases: readonly Release[] };
  /** Why the account could not be read. */
  readonly error?: string;
  readonly durationMs: number;
}

export interface PlanOptions {
  readonly region?: string;
  /** Hears the plan before the account is read, which can take a while. */
  readonly onPlan?: (plan: Plan) => void;
  readonly onChanges: (stack: string, changes: readonly ResourceChange[]) => void;
}

/** The plan use case: `deps` only where credentials were found; without, the plan alone. */
export async function planCommand(config: Config, deps: EngineDeps | undefined, run: RunClock, options: PlanOptions): Promise<PlanResult> {
  const plan = planRun(config, options.region);
  options.onPlan?.(plan);
  if (!deps) return { plan, durationMs: 0 };
  try {
    const changes = await deps.log.group('change sets', () => planChanges(config, deps, run, options.onChanges));
    const releases = config.steps.includes('deploy') ? await releaseHistoryNow(config, deps) : [];
    return { plan, account: { changes, releases }, durationMs: deps.clock.now() - run.startedAt };
  } catch (error) {
    return { plan, error: (error as Error).message, durationMs: deps.clock.now() - run.startedAt };
  }
}
