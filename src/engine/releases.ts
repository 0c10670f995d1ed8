import { TAG_VERSION, versionLabel } from '../config/names.js';
import { isReleaseStack } from '../stacks/application-release.js';
import { behindSharedLoadBalancer, ownsLoadBalancer } from './listener-traffic.js';
import type { StackSummary } from './ports.js';
import type { Weighted } from './traffic.js';

/**
 * Which releases are good is decided from what AWS already holds, with no state store of
 * its own: stack statuses, stack tags and the weights of the hostname's rule on the load
 * balancer (the weighted records of the hostname, for an environment of the first layout).
 *
 * - A release that holds all the traffic now is good.
 * - A release that held all the traffic when a newer release was created is good. The deploy
 *   use case records this lineage at creation time, as the new stack's `wimpy:replaces` tag
 *   (see `replacesTag` in traffic.ts): it costs no stack update, since tags are given at
 *   creation anyway. A release stack that is updated later keeps the tag it has, unless that
 *   deploy moves the traffic to it from another release, which it then replaces.
 * - A stable release that has lost its traffic without ever being replaced was a canary that
 *   was reverted, a release that was rolled back, or one whose deploy stopped before traffic
 *   moved: it is not good.
 */
export const TAG_REPLACES = 'wimpy:replaces';

export type Health = 'good' | 'failed' | 'in-progress';

export interface Release {
  readonly version: string;
  readonly stackName: string;
  readonly stackStatus: string;
  readonly createdAt?: Date;
  /** Its weight in the hostname's rule (or weighted record); 0 when it has none. */
  readonly weight: number;
  /** Whether the hostname's rule (or a weighted record) names this release, even at weight 0. */
  readonly hasRecord: boolean;
  /**
   * A release of the first layout, with a load balancer of its own that weighted DNS records
   * sent people to: resolvers may remember it for a while after it left traffic.
   */
  readonly ownLoadBalancer: boolean;
  readonly health: Health;
  /** Why the health is what it is, in words for the log. */
  readonly reason: string;
  /** The stack is complete and stable: traffic can be sent to it without a deploy. */
  readonly warm: boolean;
  /** The stack name of the release that served all traffic when this one was created. */
  readonly replaces?: string;
}

/** The outcome of choosing a release to return to. */
export type RollbackTarget =
  | { readonly kind: 'flip'; readonly release: Release }
  /** No warm stack of that version remains: deploy its image again from the registry. */
  | { readonly kind: 'redeploy'; readonly version: string; readonly reason: string };

export class ReleaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReleaseError';
  }
}

const STABLE = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE']);
function isInProgress(status: string): boolean {
  return status.endsWith('_IN_PROGRESS') && !status.startsWith('DELETE_');
}

function judge(stack: StackSummary, weight: number, totalWeight: number, replaced: ReadonlySet<string>): { health: Health; reason: string } {
  if (isInProgress(stack.status)) return { health: 'in-progress', reason: `its stack is ${stack.status}` };
  if (!STABLE.has(stack.status)) return { health: 'failed', reason: `its stack is ${stack.status}` };
  if (weight > 0 && weight === totalWeight) return { health: 'good', reason: 'it serves all traffic' };
  if (replaced.has(stack.name)) return { health: 'good', reason: 'it served all traffic until a newer release replaced it' };
  if (weight > 0) return { health: 'in-progress', reason: 'it is a canary: it serves part of the traffic' };
  return { health: 'failed', reason: 'it lost its traffic before any release replaced it (a reverted canary or a rollback)' };
}

/** Orders releases newest first: by creation time, then by stack name for a stable order. */
export function newestFirst(a: Release, b: Release): number {
  const byTime = (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0);
  return byTime !== 0 ? byTime : b.stackName.localeCompare(a.stackName);
}

/**
 * The version a release stack runs: its Version parameter, which every update of the stack
 * sets along with the image, else its version tag. The rolling stack runs one release after
 * another, and a rollback must not take it for the release it ran before.
 */
function runningVersion(stack: StackSummary): string {
  return stack.parameters.Version || stack.tags[TAG_VERSION]!;
}

/**
 * Where the weights come from: the hostname's rule on the application's load balancer, or the
 * weighted records of an environment still moving off them. On the listener, a release of the
 * first layout that never moved behind the load balancer cannot take traffic again without a
 * deploy: it is not warm.
 */
export type Layout = 'listener' | 'records';

/**
 * A stack CloudFormation is deleting, or has deleted, is no release any more: cleanup starts a
 * deletion and no run waits for it, so every reader takes it for gone (a rollback to its version
 * deploys the image again, once the deletion has ended). One whose deletion failed stays, for
 * cleanup to name and start again.
 */
export const gone = (stack: Pick<StackSummary, 'status'>) => stack.status === 'DELETE_IN_PROGRESS' || stack.status === 'DELETE_COMPLETE';

/** Every release of the given stacks, newest first, with its weight and health. */
export function releaseHistory(stacks: readonly StackSummary[], weights: readonly Weighted[], layout: Layout = 'listener'): Release[] {
  const releaseStacks = stacks.filter((stack) => isReleaseStack(stack) && !gone(stack));
  const weightOf = new Map(weights.map((target) => [target.setIdentifier, target.weight]));
  const totalWeight = weights.reduce((sum, target) => sum + target.weight, 0);
  const replaced = new Set(releaseStacks.map((stack) => stack.tags[TAG_REPLACES]).filter((name) => name !== undefined));
  return releaseStacks
    .map((stack): Release => {
      const weight = weightOf.get(stack.name) ?? 0;
      const replaces = stack.tags[TAG_REPLACES];
      return {
        version: runningVersion(stack),
        stackName: stack.name,
        stackStatus: stack.status,
        ...(stack.createdAt ? { createdAt: stack.createdAt } : {}),
        weight,
        hasRecord: weightOf.has(stack.name),
        ownLoadBalancer: ownsLoadBalancer(stack),
        ...judge(stack, weight, totalWeight, replaced),
        warm: STABLE.has(stack.status) && !(layout === 'listener' && ownsLoadBalancer(stack) && !behindSharedLoadBalancer(stack)),
        ...(replaces ? { replaces } : {}),
      };
    })
    .sort(newestFirst);
}

/**
 * The releases that answer for the hostname. Route 53 answers records of weight 0 only when
 * every record has weight 0, and then answers all of them equally: all of those serve (a rule
 * never has only zeros: every set the plans make keeps one weight above 0).
 */
export function serving(releases: readonly Release[]): Release[] {
  const weighted = releases.filter((release) => release.weight > 0);
  return weighted.length > 0 ? weighted : releases.filter((release) => release.hasRecord);
}

/**
 * The newest good, warm release older than the newest serving one (during a canary: the
 * release the canary replaces). With nothing serving, the newest good release. A release of
 * `exceptVersion` is left out entirely, as if it did not exist.
 */
export function lastGood(releases: readonly Release[], exceptVersion?: string): Release | undefined {
  const considered = releases.filter((release) => exceptVersion === undefined || !sameVersion(release.version, exceptVersion));
  const ordered = [...considered].sort(newestFirst);
  const reference = serving(ordered)[0];
  const older = reference ? ordered.slice(ordered.indexOf(reference) + 1) : ordered;
  return older.find((release) => release.health === 'good' && release.warm);
}

/** Versions match when they name the same release stack: `abc1234` matches the full SHA. */
function sameVersion(a: string, b: string): boolean {
  return a === b || versionLabel(a) === versionLabel(b);
}

/**
 * The release a rollback returns to: the named version, or else the last good release. A named
 * version is taken whatever its health, since a person chose it; if its stack is gone or
 * broken, its image is deployed again (the caller checks that the registry still has it).
 */
export function rollbackTarget(releases: readonly Release[], version?: string): RollbackTarget {
  if (version === undefined || version === '') {
    const target = lastGood(releases);
    if (target) return { kind: 'flip', release: target };
    const current = serving(releases).map((release) => release.version).join(', ') || 'none';
    throw new ReleaseError(`There is no good release to go back to (serving: ${current}). Give the version to roll back to.`);
  }
  const matches = releases.filter((release) => sameVersion(release.version, version));
  const warm = matches.find((release) => release.warm);
  if (warm) return { kind: 'flip', release: warm };
  const busy = matches.find((release) => release.health === 'in-progress');
  if (busy) throw new ReleaseError(`Release ${version} cannot take traffic now: its stack ${busy.stackName} is ${busy.stackStatus}. Wait for it to finish.`);
  const broken = matches[0];
  const reason = broken ? `its stack ${broken.stackName} is ${broken.stackStatus}` : `no stack of version ${version} remains`;
  return { kind: 'redeploy', version, reason };
}
