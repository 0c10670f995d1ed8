/**
 * What one run did, in the words people read: the only input of the job summary, the pull
 * request comment and the deployment statuses. It holds no configuration and no secret, so
 * whatever renders it cannot leak one.
 */
import type { SchedulesOutcome } from './schedules.js';
import type { Command, TrafficStrategy } from '../config/types.js';
import type { CostEstimate } from '../cost/estimate.js';
import type { ApplyOutcome, ResourceChange, StackEvent, StackResult } from './ports.js';

/**
 * - success: the command did what it was asked (for destroy: everything was removed);
 * - failure: it did not; `rootCause` or `message` says why;
 * - no-change: every stack was already as asked, the release already served;
 * - skipped: the run decided to do nothing (a fork's pull request, an unrelated event): `message` says why;
 * - planned: `command: plan`, the change sets are in `stacks` and nothing was executed;
 * - cancelled: the runner cancelled the job; CloudFormation may still be working.
 */
export type RunStatus = 'success' | 'failure' | 'no-change' | 'skipped' | 'planned' | 'cancelled';

/** ApplyOutcome, plus what plan and destroy do to a stack, plus the stack that failed. */
export type StackOutcome = ApplyOutcome | 'planned' | 'removed' | 'failed';

export interface StackReport {
  readonly name: string;
  readonly outcome: StackOutcome;
  /** The change set: executed, or for `planned` the one that would be executed. */
  readonly changes: readonly ResourceChange[];
}

/** One release's share of the hostname's traffic after the run (blue-green; rolling has one at 100). */
export interface TrafficShare {
  /** The release's stack name (the Route 53 set identifier). */
  readonly release: string;
  /** Percentage, 0 to 100. */
  readonly weight: number;
}

/**
 * One hostname of the environment after the run: the main one, a domain that serves what it
 * serves, or a redirect to the first domain, with the state of its records:
 * - added: the run created its alias records;
 * - live: they were in place and still are;
 * - removed: the run removed them (destroy);
 * - unchanged: the run failed before it changed them, so they are as they were before it.
 */
export interface HostnameReport {
  readonly hostname: string;
  readonly role: 'main' | 'domain' | 'redirect';
  /** A redirect's target: the first domain. */
  readonly redirectsTo?: string;
  readonly state: 'added' | 'live' | 'removed' | 'unchanged';
}

/**
 * One process besides web after the run: its name, its size, and its state:
 * - healthy: every instance of its group stayed up for the grace period (and passed its health
 *   command), which the release stack waited for;
 * - unhealthy: its group never became healthy, and the release failed for it;
 * - rolled back: the release failed elsewhere, and the process went with it;
 * - removed: destroy removed it with the release.
 */
export interface ProcessReport {
  readonly name: string;
  /** Instances: `COUNT × TYPE` or `MIN-MAX × TYPE`; for a hand-over, the count its group went to. */
  readonly size: string;
  /**
   * A deploy's or destroy's processes: healthy, unhealthy, rolled back, removed. After a rollback
   * or a promote, the groups handed over: started (their release has traffic again) or stopped.
   */
  readonly state: 'healthy' | 'unhealthy' | 'rolled back' | 'removed' | 'started' | 'stopped';
  /** For a hand-over: the release stack whose group it is. */
  readonly release?: string;
}

/** A release stack that cleanup kept. */
export interface KeptReleaseReport {
  readonly stack: string;
  readonly reason: string;
}

/** One step of a rollout: the shares it set, how long it was watched, and why it went back, for a revert. */
export interface TrafficStepReport {
  readonly shares: readonly TrafficShare[];
  readonly watchedMs?: number;
  readonly reverted?: string;
}

/** A stack event as people read it. */
export interface EventReport {
  readonly stack: string;
  readonly resource: string;
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly timestamp?: Date;
}

/** The end of one instance's logs, read after its boot failed. */
export interface BootLogReport {
  readonly instance: string;
  readonly release: string;
  /** Oldest first, each `time source | message`. */
  readonly lines: readonly string[];
  /** The command that reads more of them. */
  readonly command: string;
}

/** The end of a failed release command's output. */
export interface ReleaseCommandOutputReport {
  /** Oldest first, as the command wrote them. */
  readonly lines: readonly string[];
  readonly logStream: string;
}

export interface RunReport {
  readonly application: string;
  /** The environment deployed to (pr-<n> for a preview). */
  readonly environment: string;
  readonly command: Command;
  readonly strategy: TrafficStrategy;
  readonly status: RunStatus;
  /** The release version (a tag or the commit SHA). */
  readonly version: string;
  /** The commit deployed: the pull request's head for previews. */
  readonly sha: string;
  /** The image deployed, pinned by digest. */
  readonly image?: string;
  /** The public URL of the environment. */
  readonly url?: string;
  /** The URL pinned to this release. */
  readonly pinnedUrl?: string;
  /** Traffic after the run, most weight first is the usual order; rendered as given. */
  readonly traffic: readonly TrafficShare[];
  /** The alarms that watch the release's canary steps: its own (5xx rate, unhealthy targets), then alarm-names. */
  readonly alarms?: readonly string[];
  /** The canary steps of a blue-green run, a revert last; absent when traffic moved in one go or not at all. */
  readonly trafficSteps?: readonly TrafficStepReport[];
  /** Every stack the run applied, planned or removed, in order. */
  readonly stacks: readonly StackReport[];
  readonly durationMs: number;
  /** The first failed stack event whose reason is not a cancellation. */
  readonly rootCause?: EventReport;
  /** The last events of the failed stack, oldest first. */
  readonly lastEvents?: readonly EventReport[];
  /** One or two sentences for people: why a run was skipped, what failed when no stack event says. */
  readonly message?: string;
  /** Release stacks left in place by cleanup, and why (serving, last good, warm, waiting until a time). */
  readonly releases?: readonly KeptReleaseReport[];
  /** What people must know although the run succeeded: an input the account overrode, and how to change it on purpose. */
  readonly warnings?: readonly string[];
  /** The CloudWatch Logs group of the application's container and boot logs. */
  readonly logGroup?: string;
  /** On a failed boot: the last lines of the failing instances' boot and container logs. */
  readonly bootLogs?: readonly BootLogReport[];
  /** On a failed release command: its last lines of output, and the log stream that holds them all. */
  readonly releaseCommandOutput?: ReleaseCommandOutputReport;
  /** The workflow run's page. */
  readonly logUrl?: string;
  /** The commit's page. */
  readonly commitUrl?: string;
  /** What the application costs a month in the environment, once deployed: an estimate. */
  readonly cost?: CostEstimate;
  /** The application's schedules after the run: their lines, the release they run, the alarm on their failures. */
  readonly schedules?: SchedulesReport;
  /** The environment's hostnames when it has domains of its own: the main one, the domains and the redirects. */
  readonly hostnames?: readonly HostnameReport[];
  /** The processes besides web of the release deployed (or removed), when it has any. */
  readonly processes?: readonly ProcessReport[];
}

/** The schedules as people read them. */
export type SchedulesReport = Omit<SchedulesOutcome, 'applied'>;

export function eventReport(event: StackEvent): EventReport {
  return {
    stack: event.stackName,
    resource: event.logicalId,
    type: event.type,
    status: event.status,
    ...(event.reason ? { reason: event.reason } : {}),
    timestamp: event.timestamp,
  };
}

export function stackReport(result: StackResult): StackReport {
  return { name: result.name, outcome: result.outcome, changes: result.changes };
}
