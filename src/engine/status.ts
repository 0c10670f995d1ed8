import { rollingStack } from '../config/names.js';
import type { Config } from '../config/types.js';
import { lockKey, type LastRun, type Locks, type RunEnding } from './lock.js';
import { logGroupOf } from './logs.js';
import type { Clock, Dns, Instances, Listeners, Stacks } from './ports.js';
import { lastGood, releaseHistory, serving, type Health } from './releases.js';
import { readReleases } from './rollback.js';
import { pinnedUrl, publicUrl } from './urls.js';
import { share } from './traffic.js';

/**
 * `status`: what serves an environment now, read from AWS alone. The field names of
 * StatusReport are the documented, stable shape of `wimpy status --json`.
 */

export interface ReleaseStatus {
  readonly version: string;
  readonly stack: string;
  readonly stackStatus: string;
  /** Share of the public traffic, in percent. */
  readonly weight: number;
  readonly health: Health;
  readonly reason: string;
  /** The stack is complete: traffic can move to it without a deploy. */
  readonly warm: boolean;
  /** The release a rollback without a version returns to. */
  readonly lastGood: boolean;
  /** A canary that serves part of the traffic until `promote` gives it all. */
  readonly canary: boolean;
  /** ISO 8601. */
  readonly createdAt?: string;
  readonly ageSeconds?: number;
  /** repository@sha256:... */
  readonly image?: string;
  readonly pinnedUrl?: string;
}

export interface InstanceStatus {
  readonly id: string;
  readonly version: string;
  readonly stack: string;
  readonly lifecycle: string;
  readonly targetHealth?: string;
  readonly targetReason?: string;
  /** ISO 8601. */
  readonly launchedAt?: string;
}

export interface ScalingStatus {
  readonly group: string;
  /** ISO 8601. */
  readonly time: string;
  readonly status: string;
  readonly description: string;
}

export interface StatusReport {
  readonly application: string;
  readonly environment: string;
  readonly url: string;
  readonly logGroup: string;
  /** Newest first. */
  readonly releases: readonly ReleaseStatus[];
  /** A canary waits for `command: promote`. */
  readonly promotePending: boolean;
  readonly instances: readonly InstanceStatus[];
  /** Scaling activities of the last hour, newest first. */
  readonly scaling: readonly ScalingStatus[];
  /**
   * The last run that changed the environment, as its lock's record keeps it (who, when, from
   * which run); without a record, the newest release stack's last change (version, stack, at).
   */
  readonly lastDeployment?: LastDeployment;
}

export interface LastDeployment {
  readonly version: string;
  readonly stack: string;
  /** ISO 8601: when the run ended (or the stack last changed). */
  readonly at: string;
  /** The GitHub user who started the run, or user@host for a terminal. */
  readonly by?: string;
  /** deploy, rollback, promote or destroy. */
  readonly command?: string;
  readonly outcome?: RunEnding;
  /** ISO 8601. */
  readonly startedAt?: string;
  /** The workflow run's page. */
  readonly runUrl?: string;
}

export interface StatusDeps {
  readonly stacks: Stacks;
  readonly dns: Dns;
  readonly listeners: Listeners;
  readonly instances: Instances;
  readonly locks: Pick<Locks, 'lastRun'>;
  readonly clock: Clock;
}

const HOUR_MS = 3_600_000;
const iso = (date?: Date) => (date ? { at: date.toISOString() } : undefined);

export async function readStatus(config: Config, deps: StatusDeps): Promise<StatusReport> {
  const now = deps.clock.now();
  const [state, groups, lastRun] = await Promise.all([
    readReleases(config, deps),
    deps.instances.groups(config.application, config.environment, now - HOUR_MS),
    deps.locks.lastRun(lockKey(config.application, config.environment)),
  ]);
  const history = releaseHistory(state.stacks, state.weights, state.layout);
  const good = lastGood(history);
  const servingNow = new Set(serving(history).map((release) => release.stackName));
  const releases = history.map((release): ReleaseStatus => {
    const stack = state.stacks.find((summary) => summary.name === release.stackName);
    const weight = share(state.weights, release.stackName);
    // A stack other than the rolling one is a blue-green release, whatever this run's strategy input says.
    const blueGreen = release.stackName !== rollingStack(config.application, config.environment);
    const pinned = blueGreen ? pinnedUrl({ ...config, strategy: 'blue-green' }, release.version) : undefined;
    return {
      version: release.version,
      stack: release.stackName,
      stackStatus: release.stackStatus,
      weight: state.weights.length === 0 && servingNow.has(release.stackName) ? 100 : weight,
      health: release.health,
      reason: release.reason,
      warm: release.warm,
      lastGood: good?.stackName === release.stackName,
      canary: blueGreen && weight > 0 && weight < 100 && release.health === 'in-progress',
      ...(release.createdAt ? { createdAt: release.createdAt.toISOString(), ageSeconds: Math.max(0, Math.round((now - release.createdAt.getTime()) / 1000)) } : {}),
      ...(stack?.parameters.ImageUri ? { image: stack.parameters.ImageUri } : {}),
      ...(pinned ? { pinnedUrl: pinned } : {}),
    };
  });
  const instances = groups.flatMap((group) => group.instances.map((instance): InstanceStatus => ({
    id: instance.id,
    version: group.version,
    stack: group.stackName,
    lifecycle: instance.lifecycle,
    ...(instance.targetHealth ? { targetHealth: instance.targetHealth } : {}),
    ...(instance.targetReason ? { targetReason: instance.targetReason } : {}),
    ...(instance.launchedAt ? { launchedAt: instance.launchedAt.toISOString() } : {}),
  })));
  const scaling = groups
    .flatMap((group) => group.activities.map((activity) => ({ group: group.name, time: activity.time.toISOString(), status: activity.status, description: activity.description })))
    .sort((a, b) => b.time.localeCompare(a.time));
  const newest = [...state.stacks].filter((stack) => history.some((release) => release.stackName === stack.name))
    .sort((a, b) => (b.updatedAt ?? b.createdAt ?? new Date(0)).getTime() - (a.updatedAt ?? a.createdAt ?? new Date(0)).getTime())[0];
  const when = iso(newest?.updatedAt ?? newest?.createdAt);
  return {
    application: config.application,
    environment: config.environment,
    url: publicUrl(config),
    logGroup: logGroupOf(config),
    releases,
    promotePending: releases.some((release) => release.canary),
    instances,
    scaling,
    ...(lastRun
      ? { lastDeployment: fromLock(lastRun) }
      : newest && when ? { lastDeployment: { version: history.find((release) => release.stackName === newest.name)!.version, stack: newest.name, at: when.at } } : {}),
  };
}

function fromLock(run: LastRun): LastDeployment {
  return {
    version: run.version,
    stack: run.stack,
    at: new Date(run.endedAt).toISOString(),
    by: run.who,
    command: run.command,
    outcome: run.outcome,
    startedAt: new Date(run.startedAt).toISOString(),
    ...(run.runUrl ? { runUrl: run.runUrl } : {}),
  };
}
