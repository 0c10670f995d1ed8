import type { AlarmState } from './ports.js';
import { lastGood, newestFirst, serving, TAG_REPLACES, type Release } from './releases.js';

/**
 * The weights of a hostname's releases, step by step. Every plan returns full weight sets:
 * each step names every record of the hostname (the releases that take no traffic at 0), so
 * applying a step is idempotent and a step re-applied after a crash leaves nothing behind.
 *
 * Weights are percentages that add up to 100. Rolling applications have one record of the same
 * kind (set identifier: the rolling stack's name, weight 100), so switching a rolling
 * application to blue-green is a canary whose previous release is the rolling stack, and
 * switching back is `rollbackWeights` towards the rolling stack: no record of another type.
 *
 * The plans are generic in the record so that `WeightedTarget`s come back whole, ready for
 * `Dns.setWeights`.
 */
export interface Weighted {
  readonly setIdentifier: string;
  readonly weight: number;
}

/** Route 53 takes integer weights from 0 to 255. */
export const MAX_WEIGHT = 255;
const ALL = 100;

export class TrafficError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrafficError';
  }
}

/**
 * Route 53 answers a record of weight 0 only when every record of the name has weight 0, and
 * then answers all of them equally: a set of zeros would send traffic to every stale release.
 * So every weight set a plan returns keeps at least one weight above 0.
 */
export function assertServable(set: readonly Weighted[]): void {
  const invalid = set.find((target) => !Number.isInteger(target.weight) || target.weight < 0 || target.weight > MAX_WEIGHT);
  if (invalid) throw new TrafficError(`Weight ${invalid.weight} of ${invalid.setIdentifier} is not an integer from 0 to ${MAX_WEIGHT}.`);
  if (!set.some((target) => target.weight > 0)) throw new TrafficError('Every weight would be 0, and Route 53 then splits traffic equally between all releases.');
}

/** A release's share of the traffic in percent, as Route 53 computes it from the weights. */
export function share(current: readonly Weighted[], setIdentifier: string): number {
  const total = current.reduce((sum, target) => sum + target.weight, 0);
  const own = current.find((target) => target.setIdentifier === setIdentifier)?.weight ?? 0;
  return total === 0 ? 0 : Math.round((own * ALL) / total);
}

/**
 * The release that serves beside `next` and hands it traffic: the only other record with a
 * weight. Traffic split between two other releases means an unfinished canary: moving traffic
 * then would mix three releases, so the person must promote or roll back first.
 */
export function previousServing<T extends Weighted>(current: readonly T[], next: string): T | undefined {
  const others = current.filter((target) => target.setIdentifier !== next && target.weight > 0);
  if (others.length > 1) {
    const split = others.map((target) => `${target.setIdentifier} (${target.weight})`).join(', ');
    throw new TrafficError(`Traffic is split between ${split}: promote or roll back that canary before moving traffic to ${next}.`);
  }
  return others[0];
}

/**
 * The tags a new release stack is created with so that releaseHistory knows later which
 * release served when it arrived (see releases.ts). An existing release stack keeps the tag it has.
 */
export function replacesTag(current: readonly Weighted[], next: string): Record<string, string> {
  const previous = previousServing(current, next);
  return previous ? { [TAG_REPLACES]: previous.setIdentifier } : {};
}

function checkSteps(steps: readonly number[]): void {
  const valid = steps.length > 0 && steps.every((step, i) => Number.isInteger(step) && step >= 1 && step <= ALL && (i === 0 || step > steps[i - 1]!));
  if (!valid) throw new TrafficError(`Canary steps ${steps.join(',')} are not ascending percentages from 1 to 100.`);
}

/** All records of the hostname plus `next`, with `next` at `percent` and `previous` at the rest. */
function weightsAt<T extends Weighted>(current: readonly T[], next: T, previous: T | undefined, percent: number): T[] {
  const others = current.filter((target) => target.setIdentifier !== next.setIdentifier);
  const set = [
    ...others.map((target) => ({ ...target, weight: target === previous ? ALL - percent : 0 })),
    { ...next, weight: percent },
  ];
  assertServable(set);
  return set;
}

/**
 * The weight sets that move traffic to `next` in the given steps (percentages, ascending; a
 * last step below 100 leaves a canary). Steps at or below the share `next` already has are
 * skipped, so a deploy run again after an interruption continues where it stopped. With no
 * release serving beside it, `next` takes all traffic at once: a share of nothing is no canary.
 */
export function canaryPlan<T extends Weighted>(steps: readonly number[], current: readonly T[], next: T): T[][] {
  checkSteps(steps);
  const previous = previousServing(current, next.setIdentifier);
  const from = share(current, next.setIdentifier);
  const wanted = previous ? steps.filter((step) => step > from) : from === ALL ? [] : [ALL];
  return wanted.map((percent) => weightsAt(current, next, previous, percent));
}

/** The remaining steps of the canary `canary`, from its share now up to 100. */
export function promotePlan<T extends Weighted>(steps: readonly number[], current: readonly T[], canary: string): T[][] {
  const record = current.find((target) => target.setIdentifier === canary);
  if (!record) throw new TrafficError(`${canary} has no weighted record: there is no canary to promote.`);
  return canaryPlan(steps.at(-1) === ALL ? steps : [...steps, ALL], current, record);
}

/** All traffic to `target`, none to the rest: a rollback, a reverted step, or a return to rolling. */
export function rollbackWeights<T extends Weighted>(current: readonly T[], target: T): T[] {
  return weightsAt(current, target, undefined, ALL);
}

export interface CleanupOptions {
  /** Previous good releases kept warm besides the serving one and the last good one. */
  readonly keepReleases: number;
  /** Epoch milliseconds. */
  readonly now: number;
  readonly dnsTtlSeconds: number;
  /**
   * When each release of the first layout (a load balancer of its own, reached by weighted
   * records) left traffic (epoch milliseconds), by stack name. One with no entry is counted from
   * `now`: resolvers may still hold its record, and deleting a stack that still receives traffic
   * is the one mistake cleanup must never make.
   */
  readonly zeroSince: ReadonlyMap<string, number>;
}

export interface CleanupPlan {
  /** Stacks to delete now (their target groups out of the hostname's rule first). */
  readonly remove: Release[];
  /** Stacks to delete once resolvers have forgotten them: wait until `readyAt` or leave them to a later run. */
  readonly waiting: { readonly release: Release; readonly readyAt: number }[];
  /** Releases that stay: serving, last good, kept for rollback, or in the middle of a stack operation. */
  readonly kept: Release[];
}

/**
 * The release stacks to delete. Never the serving release, the last good release, or a stack
 * with an operation in progress, whatever keepReleases says; besides those, the newest
 * `keepReleases` good releases stay warm for rollback. Releases that are not good (reverted
 * canaries, rolled back, failed stacks) are removed whatever their age. A release behind the
 * application's load balancer goes at once: the listener stopped sending it requests the moment
 * its weight went to 0. A release of the first layout goes only twice the DNS TTL after it left
 * traffic, so that no resolver still sends anyone to its own load balancer.
 */
export function cleanupCandidates(history: readonly Release[], options: CleanupOptions): CleanupPlan {
  const releases = [...history].sort(newestFirst);
  const current = serving(releases);
  const previous = releases.filter((release) => release.health === 'good' && release.warm && !current.includes(release)).slice(0, options.keepReleases);
  const keep = new Set<Release>([...current, ...previous]);
  const good = lastGood(releases);
  if (good) keep.add(good);

  const plan: { remove: Release[]; waiting: { release: Release; readyAt: number }[]; kept: Release[] } = { remove: [], waiting: [], kept: [] };
  const forgetMs = 2 * options.dnsTtlSeconds * 1000;
  for (const release of releases) {
    if (keep.has(release) || release.stackStatus.endsWith('_IN_PROGRESS')) plan.kept.push(release);
    else if (!release.ownLoadBalancer) plan.remove.push(release);
    else {
      const readyAt = (options.zeroSince.get(release.stackName) ?? options.now) + forgetMs;
      if (readyAt <= options.now) plan.remove.push(release);
      else plan.waiting.push({ release, readyAt });
    }
  }
  return plan;
}

export type StepVerdict =
  | { readonly action: 'continue' }
  | { readonly action: 'revert'; readonly alarm: string; readonly reason: string; readonly message: string };

/** After a canary step has been watched: any alarm in ALARM sends all traffic back. */
export function judgeStep(alarms: readonly AlarmState[]): StepVerdict {
  const [first, ...others] = alarms.filter((alarm) => alarm.state === 'ALARM');
  if (!first) return { action: 'continue' };
  const also = others.length > 0 ? ` (also in ALARM: ${others.map((alarm) => alarm.name).join(', ')})` : '';
  return { action: 'revert', alarm: first.name, reason: first.reason, message: `Alarm ${first.name} is in ALARM: ${first.reason}${also}` };
}
