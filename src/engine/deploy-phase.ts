import { hostname, loadBalancerStack, pinnedHostname, TAG_VERSION } from '../config/names.js';
import { applicationRelease, isReleaseStack, releaseName } from '../stacks/application-release.js';
import type { Config } from '../config/types.js';
import { servedHostnames } from '../config/domains.js';
import { cleanUp, NO_CLEANUP, type CleanupReport } from './cleanup.js';
import { refuseForeignAlias, refuseForeignRecords } from './ownership.js';
import { stackTags } from '../stacks/stack-tags.js';
import type { EngineDeps, RunClock } from './context.js';
import { hostTraffic, listenerSwitch, loadBalancerOf, ownsLoadBalancer, routeOf, rulePriority, type LoadBalancerRef, type Route } from './listener-traffic.js';
import type { AliasTarget, ApplyOptions, ImageRef, StackResult, StackSpec, StackSummary, WaitLimits, WeightedTarget } from './ports.js';
import { runReleaseCommand } from './release-command.js';
import { protectImages } from './image-protection.js';
import { inputsOf, recordOf, restoredConfig } from './release-record.js';
import { registerScheduleTask } from './schedules.js';
import { pinnedImage } from '../config/image-reference.js';
import { isDeepStrictEqual } from 'node:util';
import { gone, TAG_REPLACES } from './releases.js';
import { rollOut, describeWeights, RolloutFailure, type TrafficMove } from './rollout.js';
import { pinnedUrl, publicUrl } from './urls.js';
import { handOverProcesses, type ProcessMove } from './process-handover.js';
import { canaryPlan, replacesTag, rollbackWeights, share, type Weighted } from './traffic.js';

/**
 * The deploy phase: the release's application stack, then its traffic, on the hostname's rule
 * of the application's one load balancer. Rolling updates one stack in place and forwards the
 * hostname to it; blue-green brings a stack up beside the serving one at weight 0 and moves the
 * rule's weights to it in canary steps. DNS holds one plain alias to the load balancer, which
 * no deploy changes once it is there.
 *
 * An environment of the first layout (a load balancer per release, weighted DNS records) moves
 * without downtime: its releases keep serving through their records while the new release,
 * behind the load balancer, takes the traffic record by record (the load balancer's record
 * weighted beside theirs, in the canary steps). Once it has all of it, one Route 53 batch
 * replaces the weighted records with the alias, and the releases of the first layout stay until
 * resolvers have forgotten their records (twice the DNS TTL; see cleanupCandidates).
 */

export interface Placement {
  readonly zoneId: string;
  readonly certificateArn: string;
}

export interface DeployResult {
  readonly stack: StackResult;
  readonly traffic: readonly Weighted[];
  readonly trafficChanged: boolean;
  /** The canary steps the traffic went through (blue-green), for the picture of the run. */
  readonly moves?: readonly TrafficMove[];
  readonly url: string;
  readonly pinnedUrl?: string;
  readonly cleanup: CleanupReport;
  /** The process groups started or stopped after the traffic's last change. */
  readonly processMoves?: readonly ProcessMove[];
  /** The task definition registered for the release's schedules (engine/schedules.ts). */
  readonly scheduleTask?: string;
}

/** The weighted record of a release of the first layout, from its stack's outputs. */
export function targetOf(stack: StackResult | { name: string; outputs: Readonly<Record<string, string>> }, weight: number): WeightedTarget {
  const dnsName = stack.outputs.LoadBalancerDnsName;
  const hostedZoneId = stack.outputs.LoadBalancerHostedZoneId;
  if (!dnsName || !hostedZoneId) throw new Error(`Stack ${stack.name} has no load balancer outputs (LoadBalancerDnsName, LoadBalancerHostedZoneId): it was not created by this action's template.`);
  return { setIdentifier: stack.name, weight, dnsName, hostedZoneId };
}

function sameWeights(a: readonly Route[], b: readonly Route[]): boolean {
  if (a.length !== b.length) return false;
  return b.every((target) => a.some((have) => have.setIdentifier === target.setIdentifier && have.weight === target.weight && have.targetGroupArn === target.targetGroupArn));
}

export function sameAlias(have: AliasTarget | undefined, want: AliasTarget): boolean {
  const name = (value: string) => value.toLowerCase().replace(/\.$/, '');
  return have !== undefined && name(have.dnsName) === name(want.dnsName) && have.hostedZoneId === want.hostedZoneId;
}

export const withTarget = <T extends Weighted>(current: readonly T[], target: T): T[] => [...current.filter((have) => have.setIdentifier !== target.setIdentifier), target];

/**
 * The `wimpy:replaces` tag of the release's stack (see releases.ts). A deploy that moves the
 * traffic from another release to this one records that release: it served everything until
 * now, so it stays good and cleanup keeps it for a rollback. Without it, a deploy of a release
 * whose stack already existed (a rolling stack after blue-green releases, an older blue-green
 * release deployed again) left the release that served judged "lost its traffic before any
 * release replaced it", and cleanup removed it. Otherwise the stack keeps the tag it has; a
 * rollback's redeploy records nothing new (see DeployOptions.rollback).
 */
function lineage(current: readonly Weighted[], name: string, existing: StackSummary | undefined, rollback: boolean): Record<string, string> {
  const kept = existing?.tags[TAG_REPLACES];
  const replaced = rollback ? {} : replacesTag(current, name);
  return Object.keys(replaced).length > 0 ? replaced : kept ? { [TAG_REPLACES]: kept } : {};
}

export interface DeployOptions extends Omit<ApplyOptions, 'deadline'> {
  /**
   * The release comes back through a rollback's redeploy. Its new stack then records no
   * `wimpy:replaces` lineage: the release it takes traffic from is the one rolled back from,
   * and recording it as replaced would make it look good to the next rollback (see releases.ts).
   * Nor does a rollback remove any stack: the release it leaves stays warm for a flip forward,
   * and the next deploy's cleanup removes it.
   */
  readonly rollback?: boolean;
}

/**
 * A release stack of the first layout keeps its own load balancer while anyone may still be
 * sent there: while the hostname has weighted records, and for twice the DNS TTL after the move
 * to the application's load balancer (its departure, in the lock's record).
 */
function keepsOwnLoadBalancer(existing: StackSummary | undefined, weighted: boolean, config: Config, deps: EngineDeps, run: RunClock): boolean {
  if (!existing || !ownsLoadBalancer(existing)) return false;
  if (weighted) return true;
  const left = run.lock?.departures.get(existing.name);
  return left !== undefined && deps.clock.now() - left < 2 * config.dnsTtl * 1000;
}

export async function deployRelease(config: Config, image: ImageRef, placement: Placement, deps: EngineDeps, run: RunClock, options: DeployOptions = {}): Promise<DeployResult> {
  const host = hostname(config.application, config.environment, config.hostedZone);
  const url = publicUrl(config);
  const name = releaseName(config, config.version);
  const balancerName = loadBalancerStack(config.application, config.networkEnvironment);
  // Independent reads, side by side: one round trip. What they see, read under the lock, is all
  // that this run's traffic change and cleanup decide from.
  const owner = stackTags(config.application, config.environment);
  const balancerRead = deps.stacks.describe(balancerName, run.signal);
  // The listener's rules need the load balancer alone: read beside the listing of the releases, which takes two round trips.
  const rulesRead = balancerRead.then((stack) => deps.listeners.rules(loadBalancerOf(stack, balancerName).listenerArn, run.signal));
  const [records, existing, ownStacks, balancerStack, rules] = await Promise.all([
    deps.dns.records(placement.zoneId, host, run.signal),
    // A stack CloudFormation is deleting (an earlier cleanup's) is none: the apply waits its
    // deletion out and creates the release afresh, at its full size, with nothing of the old one.
    deps.stacks.describe(name, run.signal).then((stack) => (stack && !gone(stack) ? stack : undefined)),
    deps.stacks.list(owner, isReleaseStack, run.signal),
    balancerRead,
    rulesRead,
  ]);
  const balancer = loadBalancerOf(balancerStack, balancerName);
  const seenAtStart = new Set(ownStacks.map((stack) => stack.name));
  await refuseForeignRecords(deps, host, records.weighted, new Set([...seenAtStart, balancerName]), owner);
  refuseForeignAlias(host, records.alias, balancer.alias, balancerName);
  const rule = hostTraffic(balancer.listenerArn, servedHostnames(config), rules, ownStacks);
  const weighted = records.weighted.length > 0;
  // Where the hostname is switched, for a later rollback to read it from the lock's record.
  if (!weighted && rule.ruleArn && sameAlias(records.alias, balancer.alias)) run.lock?.keepRoute({ hostname: host, listenerArn: balancer.listenerArn });
  const current: readonly Weighted[] = weighted ? records.weighted : rule.routes;
  const pinned = image.repository.includes('@') ? image.repository : `${image.repository}@${image.digest}`;
  // A stack that CloudFormation will create (none, or one it deletes and creates again).
  const creating = !existing || ['ROLLBACK_COMPLETE', 'REVIEW_IN_PROGRESS'].includes(existing.status);
  const rulePriorityOf = () => Number(existing?.parameters.RulePriority) || rulePriority(pinnedHostname(config.application, config.environment, config.version, config.hostedZone), rule.taken);
  const facts = {
    image: pinned,
    certificateArn: placement.certificateArn,
    hostedZoneId: placement.zoneId,
    creating,
    ...(config.strategy === 'blue-green' ? { rulePriority: rulePriorityOf() } : {}),
    ...(keepsOwnLoadBalancer(existing, weighted, config, deps, run) ? { ownLoadBalancer: true } : {}),
  };
  const { rollback = false, ...track } = options;
  const applyOptions = { ...track, deadline: run.deadline, ...(run.signal ? { signal: run.signal } : {}) };
  // Before the application stack changes and before any traffic moves: a failure leaves both as they were.
  if (releaseCommandDue(config, existing, rollback)) await deps.log.group('release command', () => runReleaseCommand(config, pinned, deps, run));

  const spec = applicationRelease.spec(config, { ...facts, extraTags: lineage(current, name, existing, rollback) });
  const scheduleTask = await record(config, image, spec, deps, rollback);
  const scheduled = scheduleTask ? { scheduleTask } : {};
  const stack = await deps.log.group(`stack ${spec.name}`, () => deps.stacks.apply(spec, applyOptions));
  const switchRule = listenerSwitch(deps, rule);
  /**
   * After the traffic's last change: the releases nobody needs removed (never by a rollback's
   * redeploy, nor while a canary holds part of the traffic), the processes handed over to the
   * releases with traffic, and the images of the releases kept protected, with `protect`'s.
   */
  const settle = async (routes: readonly Route[], options: { clean: boolean; protect?: readonly string[] | false }) => {
    const cleanup = options.clean && !rollback ? await cleanUp(config, deps, run, { routes, apply: switchRule }, seenAtStart, await releasesNow(deps, ownStacks, name, run.signal)) : NO_CLEANUP;
    const processMoves = await handOverProcesses(deps, releasesLeft(ownStacks, stack, cleanup), routes, run);
    if (cleanup.keptVersions && options.protect !== false) await protectImages(config, deps, [config.version, ...(options.protect ?? []), ...cleanup.keptVersions], true, run.signal);
    return { cleanup, processMoves };
  };
  const move = { zoneId: placement.zoneId, host, balancer, weighted: records.weighted };

  if (config.strategy === 'rolling') {
    const target = routeOf(stack, 100);
    const desired = rollbackWeights(withTarget(rule.routes, target), target);
    let trafficChanged = !sameWeights(rule.routes, desired);
    if (trafficChanged) {
      await switchRule(desired);
      deps.log.info(`Traffic: ${describeWeights(desired)}`);
    }
    if (weighted || !sameAlias(records.alias, balancer.alias)) {
      await pointAtLoadBalancer(move, deps, run);
      trafficChanged = true;
    }
    await verifyOrRestore(config, deps, run, url, placement, existing, rollback);
    // The version the stack ran before is the last good one: a rollback deploys it again.
    const before = creating ? undefined : existing?.parameters.Version || existing?.tags[TAG_VERSION];
    const settled = await settle(desired, { clean: true, protect: before !== config.version && (before ? [before] : []) });
    return { stack, traffic: desired, trafficChanged, url, ...settled, ...scheduled };
  }

  const releaseUrl = pinnedUrl(config, config.version)!;
  const own = rule.routes.find((have) => have.setIdentifier === name);
  const target = routeOf(stack, own?.weight ?? 0);
  await verify(config, deps, run, releaseUrl);
  const healthUrl = config.verifyUrl ? { healthUrl: `${releaseUrl}${config.healthCheckPath}` } : {};
  const moves: TrafficMove[] = [];
  if (weighted) {
    const routes = await moveOffRecords(config, deps, run, { ...move, target, rule: rule.routes, switchRule, ...healthUrl, moves });
    if (!routes) return { stack, traffic: records.weighted, trafficChanged: moves.length > 0, url, pinnedUrl: releaseUrl, cleanup: NO_CLEANUP, moves, ...scheduled };
    const settled = await settle(routes, { clean: true });
    return { stack, traffic: routes, trafficChanged: true, url, pinnedUrl: releaseUrl, ...settled, moves, ...scheduled };
  }
  // The first release of the hostname: its alias, before any traffic (nothing answered there before).
  if (!sameAlias(records.alias, balancer.alias)) await deps.dns.setAlias(placement.zoneId, host, balancer.alias, run);
  const traffic = withTarget(rule.routes, target);
  const plan = canaryPlan(config.canarySteps, traffic, target);
  const previous = traffic.find((have) => have.setIdentifier !== name && have.weight > 0);
  const after = await revertedProcesses(deps, releasesLeft(ownStacks, stack, NO_CLEANUP), run, async () => {
    const moved = plan.length === 0 ? traffic : await rollOut(plan, { current: traffic, next: name, ...(previous ? { previous } : {}), ...healthUrl, moves, apply: switchRule }, config, deps, run);
    if (share(moved, name) === 100) await verifyOrRevert(config, deps, run, url, { after: moved, previous, moves, apply: switchRule });
    return moved;
  });
  const full = share(after, name) === 100;
  const settled = await settle(after, { clean: full });
  return { stack, traffic: after, trafficChanged: plan.length > 0 || !sameWeights(rule.routes, after) || settled.cleanup.removed.length > 0, url, pinnedUrl: releaseUrl, ...settled, moves, ...scheduled };
}

/**
 * The environment's release stacks now: as the run listed them under the lock, with its own
 * release as its apply left it (the adapter keeps the stack its wait last read). Under the lock
 * no other run changes them, so cleanup judges from these without listing again.
 */
async function releasesNow(deps: EngineDeps, listed: readonly StackSummary[], name: string, signal?: AbortSignal): Promise<StackSummary[]> {
  const own = await deps.stacks.describe(name, signal);
  return [...listed.filter((stack) => stack.name !== name), ...(own ? [own] : [])];
}

/** The release stacks as the run left them, for the hand-over of their processes: its listing, its own release as applied, without those cleanup removed. */
function releasesLeft(listed: readonly StackSummary[], own: StackResult, cleanup: CleanupReport): (Pick<StackSummary, 'name' | 'outputs'> & Partial<Pick<StackSummary, 'status'>>)[] {
  return [...listed.filter((stack) => stack.name !== own.name && !cleanup.removed.includes(stack.name)), { name: own.name, outputs: own.outputs }];
}

/**
 * Moves traffic with `move`; when that sends the traffic back to what served before (a canary's
 * revert, a failed check at 100 %), the release the traffic left stops its processes before the
 * run fails, as after any change of traffic.
 */
async function revertedProcesses<T>(deps: EngineDeps, stacks: readonly Pick<StackSummary, 'name' | 'outputs'>[], run: RunClock, move: () => Promise<T>): Promise<T> {
  try {
    return await move();
  } catch (error) {
    if (error instanceof RolloutFailure) await handOverProcesses(deps, stacks, error.traffic, run);
    throw error;
  }
}

/** What a move of the hostname's DNS needs. */
interface RecordsMove {
  readonly zoneId: string;
  readonly host: string;
  readonly balancer: LoadBalancerRef;
  /** The hostname's weighted records as the run found them. */
  readonly weighted: readonly WeightedTarget[];
}

/**
 * The hostname's weighted records make way for the plain alias to the load balancer, in one
 * batch. The releases whose records they were left traffic now: the lock's record keeps when,
 * so that their stacks stay until resolvers have forgotten them (see cleanupCandidates).
 */
async function pointAtLoadBalancer(move: RecordsMove, deps: EngineDeps, run: RunClock): Promise<void> {
  await deps.dns.setAlias(move.zoneId, move.host, move.balancer.alias, run);
  const departures = run.lock?.departures ?? new Map<string, number>();
  const now = deps.clock.now();
  const left = new Map(move.weighted.filter((record) => record.setIdentifier !== move.balancer.stack && !departures.has(record.setIdentifier)).map((record) => [record.setIdentifier, now] as const));
  if (move.weighted.length > 0) deps.log.info(`Traffic: ${move.host} is an alias of the load balancer ${move.balancer.stack}; its weighted records are gone.`);
  if (left.size > 0) await run.lock?.recordDepartures(left, []);
}

interface Migration extends RecordsMove {
  readonly target: Route;
  /** The hostname's rule as the run found it. */
  readonly rule: readonly Route[];
  readonly switchRule: (set: readonly Route[]) => Promise<void>;
  readonly healthUrl?: string;
  readonly moves: TrafficMove[];
}

/**
 * The first blue-green release behind the load balancer, in an environment of weighted records:
 * the rule sends it every request that reaches the load balancer, then the load balancer's own
 * weighted record takes the traffic in the canary steps, beside the records of the releases of
 * the first layout, and at 100 % the alias replaces every weighted record. Returns the rule's
 * routes once the alias is there; undefined when the canary stopped below 100 %.
 */
async function moveOffRecords(config: Config, deps: EngineDeps, run: RunClock, migration: Migration): Promise<Route[] | undefined> {
  const { zoneId, host, balancer, target } = migration;
  const routes = rollbackWeights(withTarget(migration.rule, { ...target, weight: 0 }), target);
  await migration.switchRule(routes);
  const own = migration.weighted.find((record) => record.setIdentifier === balancer.stack);
  const record: WeightedTarget = own ?? { setIdentifier: balancer.stack, weight: 0, ...balancer.alias };
  let records = [...migration.weighted];
  if (!own) {
    records = withTarget(records, record);
    await deps.dns.setWeights(zoneId, host, records, [], run);
  }
  deps.log.info(`Moving ${host} from its weighted records to the load balancer ${balancer.stack}, which forwards it to ${target.setIdentifier}.`);
  // The move ends on the alias: a canary left below 100 % would keep the weighted records.
  const steps = config.canarySteps.at(-1) === 100 ? config.canarySteps : [...config.canarySteps, 100];
  const plan = canaryPlan(steps, records, record);
  const previous = records.find((have) => have.setIdentifier !== balancer.stack && have.weight > 0);
  const apply = (set: readonly WeightedTarget[], limits: WaitLimits) => deps.dns.setWeights(zoneId, host, set, [], limits);
  const after = plan.length === 0 ? records : await rollOut(plan, { current: records, next: balancer.stack, release: target.setIdentifier, ...(previous ? { previous } : {}), ...(migration.healthUrl ? { healthUrl: migration.healthUrl } : {}), moves: migration.moves, apply }, config, deps, run);
  if (share(after, balancer.stack) !== 100) return undefined;
  await verifyOrRevert(config, deps, run, publicUrl(config), { after, previous, moves: migration.moves, apply: (set) => apply(set, { deadline: Math.max(run.deadline, deps.clock.now() + 5 * 60_000) }) });
  await pointAtLoadBalancer({ zoneId, host, balancer, weighted: after }, deps, run);
  return routes;
}

interface Reverting<T extends Weighted> {
  readonly after: readonly T[];
  readonly previous: T | undefined;
  readonly moves: readonly TrafficMove[];
  apply(set: readonly T[]): Promise<void>;
}

/** The release took all traffic: its public URL must answer, else what served before takes it back. */
async function verifyOrRevert<T extends Weighted>(config: Config, deps: EngineDeps, run: RunClock, url: string, state: Reverting<T>): Promise<void> {
  try {
    await verify(config, deps, run, url);
  } catch (error) {
    if (!state.previous) throw error;
    const back = rollbackWeights(state.after, { ...state.previous, weight: 0 });
    await state.apply(back);
    deps.log.warning(`Traffic: ${describeWeights(back)}`);
    const why = `${config.version} took all traffic, then failed its check (${(error as Error).message}): all traffic went back to ${state.previous.setIdentifier}.`;
    // The picture of the run ends with this way back, like a canary's revert.
    throw new RolloutFailure(why, back, [...state.moves, { weights: back, reverted: `failed its check: ${(error as Error).message}` }]);
  }
}

/**
 * The release command runs once per release: not again for a release whose stack already runs
 * it (a re-run with nothing to change), nor for a rollback's redeploy of an earlier release,
 * whose schema changes came before the release rolled back from.
 */
function releaseCommandDue(config: Config, existing: StackSummary | undefined, rollback: boolean): boolean {
  if (!config.releaseCommand || rollback) return false;
  const settled = existing && /_COMPLETE$/.test(existing.status) && !/ROLLBACK|DELETE/.test(existing.status);
  return !(settled && (existing.parameters.Version ?? existing.tags[TAG_VERSION]) === config.version);
}

/**
 * Records the release right before its stack changes, so that no release can serve without a
 * record. A stack with nothing to change already runs what a record written before it changed
 * says (the record holds the inputs the template and parameters are made of): it is not written
 * again. A rollback's redeploy comes from the record and leaves it as it is.
 */
async function record(config: Config, image: ImageRef, spec: StackSpec, deps: EngineDeps, rollback: boolean): Promise<string | undefined> {
  // Its instances are about to pull the image: no expiry may take it from now on. Beside the
  // record, which does not depend on it; both are done before the stack changes.
  const protecting = protectImages(config, deps, [config.version], false);
  try {
    if (rollback) return undefined;
    const taskDefinition = config.schedules.length > 0 ? await scheduleTaskOf(config, image, deps) : undefined;
    await deps.records.write(recordOf(config, image, spec.template, deps.clock.now(), taskDefinition));
    return taskDefinition;
  } finally {
    await protecting;
  }
}

/**
 * The release's task definition for its schedules: the one its record names when the release
 * is deployed again with the same image and inputs (a re-run changes no schedule), else a new one.
 */
async function scheduleTaskOf(config: Config, image: ImageRef, deps: EngineDeps): Promise<string> {
  const recorded = await deps.records.read(config.application, config.environment, config.version);
  const same = recorded?.scheduleTaskDefinition && recorded.image.digest === image.digest && isDeepStrictEqual(recorded.inputs, inputsOf(config));
  return same ? recorded.scheduleTaskDefinition! : registerScheduleTask(config, pinnedImage(image), deps);
}

/**
 * A rolling release that fails its check after it took the hostname: the release the stack ran
 * before is deployed again from its record, and the run fails saying so. Without a record (or
 * during a rollback's own redeploy) the run fails with what it left serving.
 */
async function verifyOrRestore(config: Config, deps: EngineDeps, run: RunClock, url: string, placement: Placement, existing: StackSummary | undefined, rollback: boolean): Promise<void> {
  try {
    await verify(config, deps, run, url);
  } catch (error) {
    const before = existing?.parameters.Version || existing?.tags[TAG_VERSION];
    const failed = `${config.version} failed its check after it took all traffic (${(error as Error).message})`;
    if (rollback || !before || before === config.version) throw error;
    const record = await deps.records.read(config.application, config.environment, before);
    if (!record) throw new Error(`${failed}, and ${before}, which served before, has no release record to be deployed again from: ${config.version} still serves. Roll back with its inputs.`, { cause: error });
    deps.log.warning(`${failed}: deploying ${before} again as it was recorded.`);
    await deployRelease(restoredConfig(config, record), record.image, placement, deps, run, { rollback: true });
    throw new Error(`${failed}: ${before}, which served before, was deployed again from its record and serves now.`, { cause: error });
  }
}

/** Waits until the URL answers the health check path with 2xx, unless verify-url is off. */
export async function verify(config: Config, deps: EngineDeps, run: RunClock, url: string): Promise<void> {
  if (!config.verifyUrl) return;
  const target = `${url}${config.healthCheckPath}`;
  deps.log.info(`Waiting for ${target} to answer 2xx`);
  await deps.probe.healthy(target, run.deadline, run.signal);
}
