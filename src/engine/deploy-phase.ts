import { hostname, TAG_VERSION } from '../config/names.js';
import { applicationRelease, isReleaseStack, releaseName } from '../stacks/application-release.js';
import type { Config } from '../config/types.js';
import { cleanUp, NO_CLEANUP, type CleanupReport } from './cleanup.js';
import { refuseForeignRecords } from './ownership.js';
import { stackTags } from '../stacks/stack-tags.js';
import type { EngineDeps, RunClock } from './context.js';
import type { ApplyOptions, ImageRef, StackResult, StackSpec, StackSummary, WeightedTarget } from './ports.js';
import { runReleaseCommand } from './release-command.js';
import { protectImages } from './image-protection.js';
import { recordOf, restoredConfig } from './release-record.js';
import { TAG_REPLACES } from './releases.js';
import { rollOut, describeWeights, RolloutFailure, type TrafficMove } from './rollout.js';
import { pinnedUrl, publicUrl } from './urls.js';
import { canaryPlan, replacesTag, rollbackWeights, share } from './traffic.js';

/**
 * The deploy phase: the release's application stack, then its traffic. Rolling updates one
 * stack in place and points the hostname at it; blue-green brings a stack up beside the
 * serving one at weight 0 and moves traffic to it in canary steps.
 */

export interface Placement {
  readonly zoneId: string;
  readonly certificateArn: string;
}

export interface DeployResult {
  readonly stack: StackResult;
  readonly traffic: readonly WeightedTarget[];
  readonly trafficChanged: boolean;
  /** The canary steps the traffic went through (blue-green), for the picture of the run. */
  readonly moves?: readonly TrafficMove[];
  readonly url: string;
  readonly pinnedUrl?: string;
  readonly cleanup: CleanupReport;
}

/** The weighted record of a release, from its stack's outputs. */
export function targetOf(stack: StackResult | { name: string; outputs: Readonly<Record<string, string>> }, weight: number): WeightedTarget {
  const dnsName = stack.outputs.LoadBalancerDnsName;
  const hostedZoneId = stack.outputs.LoadBalancerHostedZoneId;
  if (!dnsName || !hostedZoneId) throw new Error(`Stack ${stack.name} has no load balancer outputs (LoadBalancerDnsName, LoadBalancerHostedZoneId): it was not created by this action's template.`);
  return { setIdentifier: stack.name, weight, dnsName, hostedZoneId };
}

function sameWeights(a: readonly WeightedTarget[], b: readonly WeightedTarget[]): boolean {
  if (a.length !== b.length) return false;
  return b.every((target) => a.some((have) => have.setIdentifier === target.setIdentifier && have.weight === target.weight && have.dnsName.toLowerCase().replace(/\.$/, '') === target.dnsName.toLowerCase().replace(/\.$/, '')));
}

const withTarget = (current: readonly WeightedTarget[], target: WeightedTarget) => [...current.filter((have) => have.setIdentifier !== target.setIdentifier), target];

/**
 * The `wimpy:replaces` tag of the release's stack (see releases.ts). A deploy that moves the
 * traffic from another release to this one records that release: it served everything until
 * now, so it stays good and cleanup keeps it for a rollback. Without it, a deploy of a release
 * whose stack already existed (a rolling stack after blue-green releases, an older blue-green
 * release deployed again) left the release that served judged "lost its traffic before any
 * release replaced it", and cleanup removed it. Otherwise the stack keeps the tag it has; a
 * rollback's redeploy records nothing new (see DeployOptions.rollback).
 */
function lineage(current: readonly WeightedTarget[], name: string, existing: StackSummary | undefined, rollback: boolean): Record<string, string> {
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

export async function deployRelease(config: Config, image: ImageRef, placement: Placement, deps: EngineDeps, run: RunClock, options: DeployOptions = {}): Promise<DeployResult> {
  const host = hostname(config.application, config.environment, config.hostedZone);
  const url = publicUrl(config);
  const name = releaseName(config, config.version);
  // Independent reads, side by side: one round trip, not three. What they see, read under the
  // lock, is all that this run's traffic change and cleanup decide from.
  const owner = stackTags(config.application, config.environment);
  const [current, existing, ownStacks] = await Promise.all([deps.dns.weights(placement.zoneId, host), deps.stacks.describe(name), deps.stacks.list(owner, isReleaseStack)]);
  const seenAtStart = new Set(ownStacks.map((stack) => stack.name));
  await refuseForeignRecords(deps, host, current, seenAtStart, owner);
  const pinned = image.repository.includes('@') ? image.repository : `${image.repository}@${image.digest}`;
  // A stack that CloudFormation will create (none, or one it deletes and creates again).
  const creating = !existing || ['ROLLBACK_COMPLETE', 'REVIEW_IN_PROGRESS', 'DELETE_COMPLETE'].includes(existing.status);
  const facts = { image: pinned, certificateArn: placement.certificateArn, hostedZoneId: placement.zoneId, creating };
  const { rollback = false, ...track } = options;
  const applyOptions = { ...track, deadline: run.deadline, ...(run.signal ? { signal: run.signal } : {}) };
  // Before the application stack changes and before any traffic moves: a failure leaves both as they were.
  if (releaseCommandDue(config, existing, rollback)) await deps.log.group('release command', () => runReleaseCommand(config, pinned, deps, run));

  if (config.strategy === 'rolling') {
    const spec = applicationRelease.spec(config, { ...facts, extraTags: lineage(current, name, existing, rollback) });
    await record(config, image, spec, deps, rollback);
    const stack = await deps.log.group(`stack ${spec.name}`, () => deps.stacks.apply(spec, applyOptions));
    const target = targetOf(stack, 100);
    const desired = rollbackWeights(withTarget(current, target), target);
    const trafficChanged = !sameWeights(current, desired);
    if (trafficChanged) {
      await deps.dns.setWeights(placement.zoneId, host, desired, [], run);
      deps.log.info(`Traffic: ${describeWeights(desired)}`);
    }
    await verifyOrRestore(config, deps, run, url, placement, existing, rollback);
    const cleanup = rollback ? NO_CLEANUP : await cleanUp(config, deps, run, placement.zoneId, host, desired, seenAtStart);
    // The version the stack ran before is the last good one: a rollback deploys it again.
    const before = creating ? undefined : existing?.parameters.Version || existing?.tags[TAG_VERSION];
    if (cleanup.keptVersions && before !== config.version) await protectImages(config, deps, [config.version, ...(before ? [before] : []), ...cleanup.keptVersions], true);
    return { stack, traffic: desired, trafficChanged, url, cleanup };
  }

  const spec = applicationRelease.spec(config, { ...facts, extraTags: lineage(current, name, existing, rollback) });
  await record(config, image, spec, deps, rollback);
  const stack = await deps.log.group(`stack ${spec.name}`, () => deps.stacks.apply(spec, applyOptions));
  const releaseUrl = pinnedUrl(config, config.version)!;

  let traffic = current;
  const own = current.find((have) => have.setIdentifier === name);
  const target = targetOf(stack, own?.weight ?? 0);
  if (!own && current.some((have) => have.weight > 0)) {
    // The release joins the hostname at weight 0: in the record set, taking no traffic yet.
    traffic = withTarget(current, target);
    await deps.dns.setWeights(placement.zoneId, host, traffic, [], run);
  }
  await verify(config, deps, run, releaseUrl);
  const plan = canaryPlan(config.canarySteps, traffic, target);
  const previous = traffic.find((have) => have.setIdentifier !== name && have.weight > 0);
  const moves: TrafficMove[] = [];
  const after = plan.length === 0 ? traffic : await rollOut(plan, {
    zoneId: placement.zoneId,
    hostname: host,
    current: traffic,
    next: name,
    ...(previous ? { previous } : {}),
    ...(config.verifyUrl ? { healthUrl: `${releaseUrl}${config.healthCheckPath}` } : {}),
    moves,
  }, config, deps, run);
  const full = share(after, name) === 100;
  if (full) {
    try {
      await verify(config, deps, run, url);
    } catch (error) {
      if (!previous) throw error;
      // The release took all traffic and then failed its check: the release that served before takes it back.
      const back = rollbackWeights(after, { ...previous, weight: 0 });
      await deps.dns.setWeights(placement.zoneId, host, back, [], { deadline: Math.max(run.deadline, deps.clock.now() + 5 * 60_000) });
      deps.log.warning(`Traffic: ${describeWeights(back)}`);
      const why = `${config.version} took all traffic, then failed its check (${(error as Error).message}): all traffic went back to ${previous.setIdentifier}.`;
      // The picture of the run ends with this way back, like a canary's revert.
      throw new RolloutFailure(why, back, [...moves, { weights: back, reverted: `failed its check: ${(error as Error).message}` }]);
    }
  }
  const cleanup = full && !rollback ? await cleanUp(config, deps, run, placement.zoneId, host, after, seenAtStart) : NO_CLEANUP;
  if (cleanup.keptVersions) await protectImages(config, deps, [config.version, ...cleanup.keptVersions], true);
  return { stack, traffic: after, trafficChanged: plan.length > 0 || after !== current, url, pinnedUrl: releaseUrl, cleanup, moves };
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
 * Records the release before its stack is applied, so that no release can serve without a
 * record, and protects its image. A rollback's redeploy comes from the record and leaves it as it is.
 */
async function record(config: Config, image: ImageRef, spec: StackSpec, deps: EngineDeps, rollback: boolean): Promise<void> {
  // Its instances are about to pull the image: no expiry may take it from now on.
  await protectImages(config, deps, [config.version], false);
  if (rollback) return;
  await deps.records.write(recordOf(config, image, spec.template, deps.clock.now()));
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
