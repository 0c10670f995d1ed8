import { randomUUID } from 'node:crypto';
import { CancelledError, graceAfter, pause, type RunClock } from './context.js';
import type { Clock, Log } from './ports.js';

/**
 * One run at a time per application and environment, whatever starts it: a workflow, a re-run,
 * a rollback workflow in another concurrency group, a laptop. The lock lives in the user's
 * account (see aws/locks.ts): taken by one conditional write that AWS makes atomic, extended by
 * a heartbeat while the run lives, released by a write that names the holder's token, and
 * expiring by itself when a run dies without releasing it.
 *
 * The same record keeps, between runs, when each release left traffic: cleanup reads it from
 * the answer that took the lock, so a free lock costs one round trip and old releases are
 * removed by a later run once their time has come, without any run sleeping for it.
 */

/** Who holds a lock, as a waiting run prints it. */
export interface LockHolder {
  /** The run's URL in a workflow, `user@host` in a terminal. */
  readonly holder: string;
  readonly command: string;
  readonly version: string;
  /** Epoch milliseconds. */
  readonly since: number;
  /** Epoch milliseconds: after this the lock is free, unless its heartbeat extends it. */
  readonly expiresAt: number;
}

export interface LockClaim extends Omit<LockHolder, 'expiresAt'> {
  /** Random per run: only the run that holds it extends or releases the lock. */
  readonly token: string;
}

/** How a run that held the lock ended. */
export type RunEnding = 'succeeded' | 'failed' | 'cancelled';

/**
 * The last run that held an environment's lock, kept in its record when that run lets go:
 * `status` tells it as the last deployment (who, when, from which run).
 */
export interface LastRun {
  /** The GitHub user who started the workflow run, or `user@host` in a terminal. */
  readonly who: string;
  readonly command: string;
  /** The release the run ended with (a rollback's target); empty when it had none. */
  readonly version: string;
  /** The stack of that release. */
  readonly stack: string;
  /** Epoch milliseconds. */
  readonly startedAt: number;
  readonly endedAt: number;
  readonly outcome: RunEnding;
  /** The workflow run's page; absent for a terminal. */
  readonly runUrl?: string;
}

/**
 * Where the environment's public hostname is switched, as the last run that read it found it:
 * the listener of the application's load balancer, whose rule for the hostname carries the
 * releases' weights, the hostname being a plain alias of that load balancer. Kept in the lock's
 * record so that a rollback reads the listener's rules and the release's stack, nothing more.
 */
export interface TrafficRoute {
  readonly hostname: string;
  readonly listenerArn: string;
}

export type TakeResult =
  | { readonly taken: true; readonly departures: ReadonlyMap<string, number>; readonly route?: TrafficRoute }
  | { readonly taken: false; readonly holder?: LockHolder };

/** The port over the account's lock table. */
export interface Locks {
  /** Takes the lock when nobody holds it or its holder's lease ran out; `signal` stops the asking. */
  take(key: string, claim: LockClaim, expiresAt: number, now: number, signal?: AbortSignal): Promise<TakeResult>;
  /** Extends the lease; false when the lock is no longer this token's. */
  extend(key: string, token: string, expiresAt: number): Promise<boolean>;
  /**
   * Frees the lock if this token holds it, keeping `last` (and `route`, when given) in its
   * record; never frees another run's. `signal` stops the request.
   */
  release(key: string, token: string, last?: LastRun, signal?: AbortSignal, route?: TrafficRoute): Promise<void>;
  /** The last run that let go of the lock, when one was recorded; reads only (creates no table). */
  lastRun(key: string): Promise<LastRun | undefined>;
  /** Under the lock: when releases left traffic (epoch ms), and the entries of releases that are gone. */
  recordDepartures(key: string, token: string, left: ReadonlyMap<string, number>, forget: readonly string[]): Promise<void>;
}

/** What a run that holds the lock can do with it. */
export interface HeldLock {
  readonly key: string;
  /** When each release stack left traffic, as the record held it when the lock was taken. */
  readonly departures: ReadonlyMap<string, number>;
  /** Where the hostname was switched, as the record held it when the lock was taken. */
  readonly route?: TrafficRoute;
  recordDepartures(left: ReadonlyMap<string, number>, forget: readonly string[]): Promise<void>;
  /** Keeps where the hostname is switched, written with the release of the lock: no request of its own. */
  keepRoute(route: TrafficRoute): void;
}

/** A run that dies holds the lock this long at most; the heartbeat renews it three times as often. */
export const LEASE_MS = 3 * 60_000;
/** How often a waiting run asks again. */
export const POLL_MS = 5_000;

export class LockBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockBusyError';
  }
}

export class LockLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockLostError';
  }
}

/** The lock of an application in an environment: `/` is in no application or environment name. */
export function lockKey(application: string, environment: string): string {
  return `${application}/${environment}`;
}

export function describeHolder(holder: LockHolder | undefined): string {
  if (!holder) return 'another run (it released the lock while this run asked)';
  return `${holder.holder} (${holder.command}${holder.version ? ` ${holder.version}` : ''}, since ${new Date(holder.since).toISOString()})`;
}

export interface LockDeps {
  readonly locks: Locks;
  readonly clock: Clock;
  readonly log: Pick<Log, 'info' | 'warning' | 'error'>;
  /** LEASE_MS unless a test shortens it. */
  readonly leaseMs?: number;
}

/** Who takes a lock, as others print it. */
export interface LockOwner {
  readonly holder: string;
  readonly command: string;
  readonly version: string;
}

export interface LockRequest extends LockOwner {
  readonly key: string;
  /**
   * Epoch milliseconds after which a waiting run gives up, so that the run that finally gets the
   * lock still has time to work within its own deadline. Absent: take it now or not at all.
   */
  readonly waitUntil?: number;
  /**
   * Receives the release instead of awaiting it, so that the entry can report to people while
   * the release is on its way and the lock costs the run one round trip, the one that took it.
   */
  readonly deferRelease?: (release: Promise<void>) => void;
  /** What the lock's record keeps of this run once it ends, for `status`. */
  readonly lastRun?: (ending: RunEnding) => LastRun;
}

/** Half the run's time may go to waiting; the other half is the work's. */
export function waitLimit(run: RunClock): number {
  return run.startedAt + Math.floor((run.deadline - run.startedAt) / 2);
}

/**
 * Runs `work` holding the lock: waits for it (printing who holds it) until `waitUntil`, keeps it
 * alive with a heartbeat, and releases it however the work ends. The work's run is aborted when
 * the lock is lost (a heartbeat that found another holder), so it stops changing anything.
 */
export async function withLock<T>(deps: LockDeps, run: RunClock, request: LockRequest, work: (run: RunClock, lock: HeldLock) => Promise<T>): Promise<T> {
  const claim: LockClaim = { token: randomUUID(), holder: request.holder, command: request.command, version: request.version, since: deps.clock.now() };
  const lease = deps.leaseMs ?? LEASE_MS;
  const { departures, route } = await acquire(deps, run, request, claim, lease);
  let kept: TrafficRoute | undefined;
  const lost = new AbortController();
  const signal = run.signal ? AbortSignal.any([run.signal, lost.signal]) : lost.signal;
  let lostMessage: string | undefined;
  const beat = setInterval(() => {
    deps.locks.extend(request.key, claim.token, deps.clock.now() + lease).then(
      (kept) => {
        if (kept || lost.signal.aborted) return;
        lostMessage = `The lock of ${request.key} was taken over by another run (this run's heartbeat stopped for longer than its lease of ${Math.round(lease / 1000)} s): this run stopped changing anything.`;
        deps.log.error(lostMessage);
        lost.abort();
      },
      (error: unknown) => deps.log.warning(`The lock of ${request.key} could not be extended (tried again in ${Math.round(lease / 3000)} s): ${(error as Error).message}`),
    );
  }, lease / 3);
  beat.unref?.();
  const held: HeldLock = {
    key: request.key,
    departures,
    ...(route ? { route } : {}),
    recordDepartures: (left, forget) => deps.locks.recordDepartures(request.key, claim.token, left, forget),
    keepRoute: (next) => {
      // Written only when it changed: the release's request carries nothing it does not need.
      kept = route && next.hostname === route.hostname && next.listenerArn === route.listenerArn ? undefined : next;
    },
  };
  let ending: RunEnding = 'failed';
  try {
    const result = await work({ ...run, signal }, held);
    ending = 'succeeded';
    return result;
  } catch (error) {
    if (error instanceof CancelledError || run.signal?.aborted) ending = 'cancelled';
    if (lostMessage) throw new LockLostError(lostMessage);
    throw error;
  } finally {
    clearInterval(beat);
    const last = request.lastRun?.(ending);
    // A cancelled run gives the release a short grace, then leaves the lock to its expiry.
    const release = deps.locks.release(request.key, claim.token, last, graceAfter(run.signal), kept).catch((error: unknown) =>
      deps.log.warning(`The lock of ${request.key} was not released (${(error as Error).message}); it frees itself within ${Math.round(lease / 1000)} s.`),
    );
    if (request.deferRelease) request.deferRelease(release);
    else await release;
  }
}

/** Takes the lock, waiting while another run holds it; the departures and route its record holds. */
async function acquire(deps: LockDeps, run: RunClock, request: LockRequest, claim: LockClaim, lease: number): Promise<{ departures: ReadonlyMap<string, number>; route?: TrafficRoute }> {
  let announced: string | undefined;
  const started = deps.clock.now();
  for (;;) {
    const now = deps.clock.now();
    const asking = `while it asked for the lock of ${request.key}; nothing was changed`;
    const answer = await deps.locks.take(request.key, claim, now + lease, now, run.signal).catch((error: unknown) => {
      // The request was aborted by the cancellation: say so in the run's words, not the SDK's.
      throw run.signal?.aborted ? new CancelledError(`The run was cancelled ${asking}.`) : error;
    });
    if (answer.taken) {
      if (announced) deps.log.info(`Took the lock of ${request.key} after ${Math.round((deps.clock.now() - started) / 1000)} s: going on from what AWS holds now.`);
      return { departures: answer.departures, ...(answer.route ? { route: answer.route } : {}) };
    }
    const who = describeHolder(answer.holder);
    if (run.signal?.aborted) throw new CancelledError(`The run was cancelled while it waited for the lock of ${request.key}, held by ${who}; nothing was changed.`);
    const limit = request.waitUntil ?? now;
    if (now + POLL_MS > limit) {
      const waited = request.waitUntil === undefined ? '' : ` Waited ${Math.round((now - started) / 1000)} s, half of timeout-minutes.`;
      throw new LockBusyError(`Another run holds the lock of ${request.key}: ${who}.${waited} Nothing was changed; run again once it has finished.`);
    }
    if (who !== announced) {
      deps.log.info(`Waiting for the lock of ${request.key}, held by ${who}.`);
      announced = who;
    }
    await pause(deps.clock, POLL_MS, run.signal);
  }
}
