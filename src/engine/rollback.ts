import { pinnedImage } from '../config/image-reference.js';
import { hostname, loadBalancerStack } from '../config/names.js';
import type { Config } from '../config/types.js';
import { servedHostnames } from '../config/domains.js';
import type { EngineDeps, RunClock } from './context.js';
import { deployRelease, targetOf, withTarget, type DeployOptions, type DeployResult, type Placement } from './deploy-phase.js';
import { behindSharedLoadBalancer, hostTraffic, listenerSwitch, loadBalancerOf, namedByPinnedRules, readHostTraffic, routeOf, type HostTraffic, type LoadBalancerRef, type Route } from './listener-traffic.js';
import type { HostRecords, StackSummary } from './ports.js';
import { RecordError, restoredConfig, unrecordedMessage, type ReleaseRecord } from './release-record.js';
import { releaseHistory, rollbackTarget, ReleaseError, type Layout, type RollbackTarget } from './releases.js';
import { isReleaseStack, releaseName } from '../stacks/application-release.js';
import { ownedBy, withRecorded } from './release-stacks.js';
import { describeWeights } from './rollout.js';
import { handOverProcesses, type ProcessMove } from './process-handover.js';
import { stackTags } from '../stacks/stack-tags.js';
import { rollbackWeights, type Weighted } from './traffic.js';
import type { HeldLock, TrafficRoute } from './lock.js';

/**
 * Rollback in seconds: where the release's stack is still warm, one change of the hostname's
 * rule on the load balancer and nothing else. A rollback to a named release reads, after the
 * lock (whose answer says which listener switches the hostname), the release's stack and the
 * listener's rules, side by side: two reads whatever the number of stacks in the account.
 * Without that route in the lock's record (a run of an earlier version left it), or with no
 * version, it reads the zone, the records, the load balancer's stack and the release's stack
 * (the environment's stacks found by their tags), then the listener's rules. Where the release
 * is gone, its image, already in the registry, is deployed again; nothing is ever built.
 */

export interface RollbackResult {
  readonly version: string;
  readonly stackName: string;
  readonly traffic: readonly Weighted[];
  readonly flipped: boolean;
  readonly redeploy?: DeployResult;
  /** The process groups started or stopped after the traffic moved back. */
  readonly processMoves: readonly ProcessMove[];
}

export interface ReleaseState {
  readonly zoneId: string;
  readonly hostname: string;
  readonly stacks: readonly StackSummary[];
  /** The releases' weights: the hostname's rule, or its weighted records while it has them. */
  readonly weights: readonly Weighted[];
  readonly layout: Layout;
  readonly records: HostRecords;
  /** The application's load balancer and the hostname's rule on it; absent before its first deploy. */
  readonly balancer?: LoadBalancerRef;
  readonly rule?: HostTraffic;
}

/** What a read of the releases can start from, so that nothing is read twice. */
export interface KnownReleases {
  /** The environment's release stacks, as a run's own listing found them. */
  readonly stacks?: readonly StackSummary[];
  readonly zoneId?: string;
  /** Only this stack, by its name: a rollback to a named release reads no other. */
  readonly only?: string;
  /** The run's lock, which keeps where the hostname is switched once the read has seen it. */
  readonly lock?: Pick<HeldLock, 'keepRoute'>;
  /**
   * Every stack of the application the tag index named when the caller listed them: a stack
   * among none of them (a preview's database that was never made) is not looked for again.
   */
  readonly tagged?: ReadonlySet<string>;
}

/**
 * What AWS knows of an environment's releases: its release stacks (found by their tags, never by
 * listing the account), its records and the hostname's rule on the application's load balancer,
 * read side by side.
 */
export async function readReleases(config: Config, deps: Pick<EngineDeps, 'stacks' | 'dns' | 'listeners'>, known: KnownReleases = {}, signal?: AbortSignal): Promise<ReleaseState> {
  const host = hostname(config.application, config.environment, config.hostedZone);
  const owner = stackTags(config.application, config.environment);
  const balancerName = loadBalancerStack(config.application, config.networkEnvironment);
  const zone = known.zoneId !== undefined ? Promise.resolve(known.zoneId) : deps.dns.zoneId(config.hostedZone, signal);
  const stacks = known.stacks
    ? Promise.resolve(known.stacks)
    : known.only
      ? deps.stacks.describe(known.only, signal).then((stack) => (stack ? [stack].filter(ownedBy(owner)) : []))
      : deps.stacks.list(owner, isReleaseStack, signal);
  const balancerRead = deps.stacks.describe(balancerName, signal).then((stack) => (stack?.outputs.HttpsListenerArn ? loadBalancerOf(stack, balancerName) : undefined));
  // The rule is read once the balancer and the stacks are known, beside the records: one round trip less.
  const ruleRead = Promise.all([balancerRead, stacks]).then(([balancer, found]) => (balancer ? readHostTraffic(deps, balancer.listenerArn, servedHostnames(config), found, signal) : undefined));
  const [zoneId, found, records, balancer, rule] = await Promise.all([zone, stacks, zone.then((id) => deps.dns.records(id, host, signal)), balancerRead, ruleRead]);
  const layout: Layout = records.weighted.length > 0 ? 'records' : 'listener';
  if (balancer && rule?.ruleArn && layout === 'listener' && records.alias) known.lock?.keepRoute({ hostname: host, listenerArn: balancer.listenerArn });
  const weights = layout === 'records' ? records.weighted : rule?.routes ?? [];
  // A target group of no listed stack keeps its ARN as its name: no stack to look up by it.
  const all = known.only ? found : await withRecorded(deps, owner, found, weights.filter((target) => !target.setIdentifier.startsWith('arn:')), signal);
  return { zoneId, hostname: host, stacks: all, weights, layout, records, ...(balancer ? { balancer } : {}), ...(rule ? { rule } : {}) };
}

/** The release to return to: a named blue-green release read alone when it is warm, else from all the environment's releases. */
async function chooseTarget(config: Config, deps: EngineDeps, lock?: HeldLock): Promise<{ state: ReleaseState; target: RollbackTarget }> {
  const known = lock ? { lock } : {};
  if (config.strategy === 'blue-green' && config.version !== '') {
    const state = await readReleases(config, deps, { ...known, only: releaseName(config, config.version) });
    const release = releaseHistory(state.stacks, state.weights, state.layout)[0];
    if (release?.warm) return { state, target: { kind: 'flip', release } };
    const all = await readReleases(config, deps, { ...known, zoneId: state.zoneId });
    return { state: all, target: rollbackTarget(releaseHistory(all.stacks, all.weights, all.layout), config.version) };
  }
  const state = await readReleases(config, deps, known);
  return { state, target: rollbackTarget(releaseHistory(state.stacks, state.weights, state.layout), config.version) };
}

/**
 * A rollback to a named, warm release behind the load balancer, from the route the lock's
 * record keeps: the release's stack and the listener's rules, read side by side under the lock,
 * then one ModifyRule. The other target groups of the rule are named by their releases' pinned
 * rules. Undefined, having changed nothing, when any of it does not hold (no route for this
 * hostname, a listener or rule that is gone, a release that is not warm): the full read decides.
 */
async function flipByRoute(config: Config, deps: EngineDeps, run: RunClock, route: TrafficRoute | undefined): Promise<RollbackResult | undefined> {
  const host = hostname(config.application, config.environment, config.hostedZone);
  if (config.strategy !== 'blue-green' || config.version === '' || !route || route.hostname !== host) return undefined;
  const name = releaseName(config, config.version);
  const read = await Promise.all([deps.stacks.describe(name), deps.listeners.rules(route.listenerArn)]).catch(() => undefined);
  if (!read) return undefined;
  const [stack, rules] = read;
  if (!stack || !ownedBy(stackTags(config.application, config.environment))(stack) || !behindSharedLoadBalancer(stack)) return undefined;
  const rule = hostTraffic(route.listenerArn, servedHostnames(config), rules, [stack], namedByPinnedRules(rules, `${config.application}-${config.environment}-`, config.hostedZone));
  const release = releaseHistory([stack], rule.routes, 'listener')[0];
  if (!rule.ruleArn || !release?.warm) return undefined;
  deps.log.info(`Rolling back to ${release.version} (${stack.name}): a weight change, no deploy.`);
  const own = rule.routes.find((have) => have.setIdentifier === stack.name) ?? routeOf(stack, 0);
  const routes = rollbackWeights(withTarget(rule.routes, own), own);
  await listenerSwitch(deps, rule)(routes);
  deps.log.info(`Traffic: ${describeWeights(routes)}`);
  // Only now, the traffic moved: the releases the rule names besides this one are read for their processes.
  const processMoves = await handOverProcesses(deps, [stack], routes, run, allReleases(config, deps, run));
  return { version: release.version, stackName: stack.name, traffic: routes, flipped: true, processMoves };
}

/** The environment's release stacks by their tags: read after a flip only where the rule names a release the rollback did not read. */
const allReleases = (config: Config, deps: EngineDeps, run: RunClock) => () => deps.stacks.list(stackTags(config.application, config.environment), isReleaseStack, run.signal);

export async function rollback(config: Config, deps: EngineDeps, run: RunClock, placement: (zoneId: string) => Promise<Placement>, track: Omit<DeployOptions, 'rollback'> = {}): Promise<RollbackResult> {
  if (config.strategy === 'rolling' && config.version === '') {
    throw new ReleaseError('A rolling deployment keeps one stack and no earlier release to flip to: give the version to roll back to (its image is deployed again from the registry, without a build).');
  }
  const quick = await flipByRoute(config, deps, run, run.lock?.route);
  if (quick) return quick;
  const { state, target } = await chooseTarget(config, deps, run.lock);
  if (target.kind === 'flip') {
    const stack = state.stacks.find((summary) => summary.name === target.release.stackName)!;
    deps.log.info(`Rolling back to ${target.release.version} (${stack.name}, ${target.release.reason}): a weight change, no deploy.`);
    const { traffic, processMoves } = await flip(state, stack, deps, run, allReleases(config, deps, run));
    deps.log.info(`Traffic: ${describeWeights(traffic)}`);
    return { version: target.release.version, stackName: stack.name, traffic, flipped: true, processMoves };
  }
  const again = await recordedRelease(config, deps, target.version, target.reason);
  deps.log.info(`Rolling back to ${target.version}: ${target.reason}, so it is deployed again as it was recorded on ${again.record.recordedAt}: ${pinnedImage(again.record.image)} (no build).`);
  const redeploy = await deployRelease({ ...again.config, canarySteps: [100] }, again.record.image, await placement(state.zoneId), deps, run, { ...track, rollback: true });
  return { version: target.version, stackName: redeploy.stack.name, traffic: redeploy.traffic, flipped: false, redeploy, processMoves: redeploy.processMoves ?? [] };
}

/**
 * All traffic to a warm release in one change: the hostname's rule; while the hostname still
 * has weighted records, those (to the release's own load balancer, or to the application's,
 * whose rule then forwards to the release).
 */
async function flip(state: ReleaseState, stack: StackSummary, deps: EngineDeps, run: RunClock, all: () => Promise<StackSummary[]>): Promise<{ traffic: Weighted[]; processMoves: ProcessMove[] }> {
  const behind = behindSharedLoadBalancer(stack);
  let routes: Route[] | undefined;
  if (behind) {
    if (!state.balancer || !state.rule) throw new ReleaseError(`Release ${stack.name} is behind the application's load balancer, which this environment no longer has: deploy it again.`);
    const route = state.rule.routes.find((have) => have.setIdentifier === stack.name) ?? routeOf(stack, 0);
    routes = rollbackWeights(withTarget(state.rule.routes, route), route);
    await listenerSwitch(deps, state.rule)(routes);
    if (state.layout === 'listener') return { traffic: routes, processMoves: await handOverProcesses(deps, state.stacks, routes, run, all) };
  }
  // The hostname still has weighted records: the release's own, or the load balancer's.
  const record = behind
    ? state.records.weighted.find((have) => have.setIdentifier === state.balancer!.stack) ?? { setIdentifier: state.balancer!.stack, weight: 0, ...state.balancer!.alias }
    : state.records.weighted.find((have) => have.setIdentifier === stack.name) ?? targetOf(stack, 0);
  const desired = rollbackWeights(withTarget(state.records.weighted, record), record);
  await deps.dns.setWeights(state.zoneId, state.hostname, desired, [], run);
  // The releases behind the load balancer share its record: the rule says which of them has traffic.
  return { traffic: desired, processMoves: await handOverProcesses(deps, state.stacks, routes ?? desired, run, all) };
}

/**
 * A release as it was deployed: its record, and the run's configuration with the release's own
 * inputs. Fails, before any change, when there is no record or the image's registry no longer
 * holds it.
 */
export async function recordedRelease(config: Config, deps: EngineDeps, version: string, reason: string): Promise<{ record: ReleaseRecord; config: Config }> {
  const [record, where] = await Promise.all([deps.records.read(config.application, config.environment, version), deps.records.where(config.application, config.environment, version)]);
  if (!record) throw new RecordError(unrecordedMessage(version, where, reason));
  if (!(await deps.images.holds(record.image))) {
    throw new ReleaseError(`Release ${version} cannot be deployed again: ${reason}, and its image ${pinnedImage(record.image)} is no longer in its registry. Deploy it again with the build step.`);
  }
  const restored = restoredConfig(config, record);
  const dropped = [config.port !== record.inputs.port ? `application-port ${config.port}` : '', config.variables.length > 0 ? 'environment-variables' : '', config.secrets.length > 0 ? 'secrets' : ''].filter(Boolean);
  if (dropped.length > 0) deps.log.info(`The release's recorded inputs are used, not this run's ${dropped.join(', ')}.`);
  return { record, config: restored };
}
