import type { HeldLock, Locks } from './lock.js';
import { StackFailure, type Alarms, type Clock, type DatabaseSnapshots, type Dns, type Identity, type ImageRef, type Listeners, type Log, type LogGroups, type Logs, type Notifications, type ProcessGroups, type ReleaseTasks, type Stacks, type WaitLimits } from './ports.js';
import type { ReleaseRecords } from './release-record.js';

/** Certificates: one wildcard certificate per hosted zone, shared by every application. */
export interface Certificates {
  /**
   * The ARN of an issued wildcard certificate for the zone, requested and validated within
   * `limits` if need be. `zoneId` may still be looked up: it is awaited only to validate a new certificate.
   * `inUse`: the certificate the load balancer has for the zone now, kept while it is issued and covers the zone.
   */
  ensureWildcard(zone: string, zoneId: string | Promise<string>, limits: WaitLimits, inUse?: Promise<string | undefined>): Promise<string>;
}

/** The release's image: built and pushed once, then found again by its version. */
export interface Images {
  /** Builds and pushes the release unless the registry has it; always pinned by digest. `signal` stops the build. */
  publish(version: string, signal?: AbortSignal): Promise<ImageRef>;
  /** The release's image when the registry holds it; `signal` stops the reading. */
  find(version: string, signal?: AbortSignal): Promise<ImageRef | undefined>;
  /** Whether the image's own registry (wherever it lives) still holds it by its digest. */
  holds(image: ImageRef): Promise<boolean>;
  /**
   * Keeps the images of these versions from expiring while `environment` needs them; with
   * `only`, the environment's other images lose that protection (see image-protection.ts).
   */
  protect(environment: string, versions: readonly string[], only: boolean, signal?: AbortSignal): Promise<void>;
}

/** Answers whether a URL serves: 2xx from the health check path. */
export interface Probe {
  /** Waits (bounded by the deadline) until the URL answers 2xx; raises with the last answer otherwise. */
  healthy(url: string, deadline: number, signal?: AbortSignal): Promise<void>;
  /** One request: does the URL answer 2xx now? */
  answers(url: string): Promise<boolean>;
}

/** Everything the use cases talk to, as ports. */
export interface EngineDeps {
  readonly stacks: Stacks;
  readonly dns: Dns;
  /** The host rules of the application's load balancer: where traffic moves. */
  readonly listeners: Listeners;
  readonly alarms: Alarms;
  readonly identity: Identity;
  readonly certificates: Certificates;
  readonly images: Images;
  readonly records: ReleaseRecords;
  readonly probe: Probe;
  readonly logGroups: LogGroups;
  readonly notifications: Notifications;
  readonly locks: Locks;
  /** The application's log group: read only when a boot fails. */
  readonly logs: Logs;
  /** The release command's one-off tasks. */
  readonly releaseTasks: ReleaseTasks;
  readonly databaseSnapshots: DatabaseSnapshots;
  /** The groups of the processes besides web, which follow their release's traffic (process-handover.ts). */
  readonly processGroups: ProcessGroups;
  readonly clock: Clock;
  readonly log: Log;
}

/** One run: when it must end, and how a cancellation reaches it. */
export interface RunClock extends WaitLimits {
  readonly startedAt: number;
  /** The lock of the application and environment, once the run holds it. */
  readonly lock?: HeldLock;
}

export class CancelledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CancelledError';
  }
}

/**
 * Sleeps `ms`, or less when the run is cancelled meanwhile: the runner kills a step ten seconds
 * after cancelling it, and whatever must happen on a cancellation (a revert of traffic) must
 * not wait for the end of a long pause first.
 */
export function pause(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return clock.sleep(ms);
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void clock.sleep(ms).then(done);
  });
}


/**
 * Work that honours the run's signal: when it stops because the run was cancelled, the run says
 * so in people's words, not in the aborted request's. A stack's own account of where it stopped
 * (and what CloudFormation goes on with) is kept: it is what people need to act on.
 */
export async function cancelledAs<T>(work: Promise<T>, run: Pick<RunClock, 'signal'>, what: string): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (run.signal?.aborted && !(error instanceof StackFailure) && !(error instanceof CancelledError)) throw new CancelledError(`The run was cancelled ${what}.`);
    throw error;
  }
}

/** How long cancelled work may take to say by itself where it stopped, before the run stops waiting. */
export const CANCEL_GRACE_MS = 2_000;

/**
 * A signal that aborts `graceMs` after `signal` does: for the little a cancelled run must still
 * try (the release of its lock), which gets a few seconds of the ten the runner gives, not all.
 */
export function graceAfter(signal: AbortSignal | undefined, graceMs = CANCEL_GRACE_MS): AbortSignal | undefined {
  if (!signal) return undefined;
  const grace = new AbortController();
  const start = () => {
    const timer = setTimeout(() => grace.abort(signal.reason), graceMs);
    timer.unref?.();
  };
  if (signal.aborted) start();
  else signal.addEventListener('abort', start, { once: true });
  return grace.signal;
}
