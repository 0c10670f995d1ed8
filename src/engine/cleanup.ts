import type { Config } from '../config/types.js';
import type { EngineDeps, RunClock } from './context.js';
import type { Route } from './listener-traffic.js';
import type { StackSummary } from './ports.js';
import { releaseHistory, type Release } from './releases.js';
import { stackTags } from '../stacks/stack-tags.js';
import { withRecorded } from './release-stacks.js';
import { cleanupCandidates } from './traffic.js';
import { deleteLeftovers } from './stack-status.js';

/** A release cleanup left in place, and why, in words for the summary. */
export interface KeptRelease {
  readonly stack: string;
  readonly reason: string;
}

export interface CleanupReport {
  /** Their deletion started: CloudFormation goes on with it after the run (see cleanUp). */
  readonly removed: readonly string[];
  /** Left for a later run: releases of the first layout whose records resolvers may still hold. */
  readonly waiting: readonly string[];
  /** Every release left in place, with why: serving, last good, warm, waiting until a time. */
  readonly kept: readonly KeptRelease[];
  /** The versions of every release left in place; absent when cleanup could not judge (its images then keep what they have). */
  readonly keptVersions?: readonly string[];
}

export const NO_CLEANUP: CleanupReport = { removed: [], waiting: [], kept: [] };

function keptReason(release: Release, serving: readonly Release[]): string {
  if (serving.includes(release)) return 'serving';
  if (release.stackStatus.endsWith('_IN_PROGRESS')) return `its stack is ${release.stackStatus}`;
  return release.health === 'good' ? 'a good release kept warm for a rollback (last good, or within keep-releases)' : `kept: ${release.reason}`;
}

/**
 * What a person needs to hear of a release whose deletion, started by an earlier run, failed: why
 * (CloudFormation's reason names the resources it could not delete) and what to do if the
 * deletion started again fails too.
 */
export function failedDeletion(name: string, statusReason?: string): string {
  const reason = statusReason?.trim();
  const resources = /\[([^\]]*)\]/.exec(reason ?? '')?.[1]?.split(',').map((resource) => resource.trim()).filter(Boolean) ?? [];
  return `An earlier deletion of ${name} failed (DELETE_FAILED${reason ? `: ${reason}` : ''}); it is started again. If it fails again: ${deleteLeftovers(name, resources)}`;
}

/** The hostname's rule as the run left it, and how to change it. */
export interface RuleTraffic {
  readonly routes: readonly Route[];
  apply(set: readonly Route[]): Promise<void>;
}

/**
 * Removes release stacks nobody needs: never the serving or the last good release (see
 * cleanupCandidates), and never a stack this run did not see when it started (`seenAtStart`):
 * it decides from what AWS held once the run had the lock. `known`: the environment's release
 * stacks as the run knows them now (its listing at the start, under the lock, with its own
 * release as it left it): no listing again. A release behind the load balancer
 * leaves the hostname's rule and goes at once; one of the first layout goes once resolvers have
 * forgotten its record (twice the TTL). The moment each of those left traffic is kept in the
 * lock's record, so a later run removes it once that time has come, and no run sleeps for it.
 * Nor does any run wait for a deletion: once out of the rule, a release changes nothing for the
 * run, so its deletion is started and left to CloudFormation. Every reader takes a release being
 * deleted for gone; one whose deletion failed (DELETE_FAILED) is named by the next run's cleanup
 * and its deletion started again.
 * Failures here are warnings: the release is already live.
 */
export async function cleanUp(config: Config, deps: EngineDeps, run: RunClock, rule: RuleTraffic, seenAtStart: ReadonlySet<string>, known: readonly StackSummary[]): Promise<CleanupReport> {
  const traffic = rule.routes;
  try {
    const owner = stackTags(config.application, config.environment);
    const stacks = await withRecorded(deps, owner, known, traffic);
    const history = releaseHistory(stacks, traffic);
    const now = deps.clock.now();
    const departures = run.lock?.departures ?? new Map<string, number>();
    const candidates = cleanupCandidates(history, { keepReleases: config.keepReleases, now, dnsTtlSeconds: config.dnsTtl, zeroSince: departures });
    // Judged among all releases, but only those this run saw at its start may go.
    const unseen = (release: Release) => !seenAtStart.has(release.stackName);
    const plan = {
      kept: candidates.kept,
      remove: candidates.remove.filter((release) => !unseen(release)),
      waiting: candidates.waiting.filter((entry) => !unseen(entry.release)),
      appeared: [...candidates.remove, ...candidates.waiting.map((entry) => entry.release)].filter(unseen),
    };
    const live = history.filter((release) => release.weight > 0);
    const kept: KeptRelease[] = [
      ...plan.kept.map((release) => ({ stack: release.stackName, reason: keptReason(release, live) })),
      ...plan.appeared.map((release) => ({ stack: release.stackName, reason: 'it appeared while this run worked: left for a run that sees it from its start' })),
      ...plan.waiting.map((entry) => ({ stack: entry.release.stackName, reason: `left traffic; removed by the next run after ${new Date(entry.readyAt).toISOString()} (twice the DNS TTL)` })),
    ];
    const ready = plan.remove;
    for (const release of ready.filter((candidate) => candidate.stackStatus === 'DELETE_FAILED')) deps.log.warning(failedDeletion(release.stackName, stacks.find((stack) => stack.name === release.stackName)?.statusReason));
    const names = new Set(ready.map((release) => release.stackName));
    // Departures matter for releases of the first layout only (see cleanupCandidates), which the
    // move to the load balancer records (deploy-phase.ts). One that serves again through its own
    // load balancer (no such move happens any more) has not left; one that moved behind the load
    // balancer no longer needs its departure.
    const left = new Map(plan.waiting.filter((entry) => !departures.has(entry.release.stackName)).map((entry) => [entry.release.stackName, now] as const));
    const back = history.filter((release) => !release.ownLoadBalancer && departures.has(release.stackName)).map((release) => release.stackName);
    if (plan.waiting.length > 0) deps.log.info(`Left for a later run, once resolvers have forgotten their records: ${plan.waiting.map((entry) => `${entry.release.stackName} (after ${new Date(entry.readyAt).toISOString()})`).join(', ')}.`);
    if (names.size > 0) {
      // A target group the rule still names cannot be deleted: out of the rule first.
      if (traffic.some((route) => names.has(route.setIdentifier))) await rule.apply(traffic.filter((route) => !names.has(route.setIdentifier)));
      await Promise.all(ready.map((release) => deps.stacks.startRemoval(release.stackName, { deadline: run.deadline, owner, ...(run.signal ? { signal: run.signal } : {}) })));
      deps.log.info(`Removing old releases: ${[...names].join(', ')}. CloudFormation deletes them after this run; a deletion that fails is named by the next run.`);
    }
    await run.lock?.recordDepartures(left, [...[...names].filter((name) => departures.has(name)), ...back]);
    const keptVersions = history.filter((release) => !names.has(release.stackName)).map((release) => release.version);
    return { removed: [...names], waiting: plan.waiting.map((entry) => entry.release.stackName), kept, keptVersions };
  } catch (error) {
    deps.log.warning(`Old releases were not removed (the deploy itself succeeded): ${(error as Error).message}`);
    return NO_CLEANUP;
  }
}
