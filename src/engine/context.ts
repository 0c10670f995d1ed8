import type { Alarms, Clock, Dns, Identity, ImageRef, Log, Stacks } from './ports.js';

/** Certificates: one wildcard certificate per hosted zone, shared by every application. */
export interface Certificates {
  ensureWildcard(zone: string, zoneId: string, deadline: number): Promise<string>;
}

/** The release's image: built and pushed once, then found again by its version. */
export interface Images {
  /** Builds and pushes the release unless the registry has it; always pinned by digest. */
  publish(version: string): Promise<ImageRef>;
  /** The release's image when the registry holds it. */
  find(version: string): Promise<ImageRef | undefined>;
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
  readonly alarms: Alarms;
  readonly identity: Identity;
  readonly certificates: Certificates;
  readonly images: Images;
  readonly probe: Probe;
  readonly clock: Clock;
  readonly log: Log;
}

/** One run: when it must end, and how a cancellation reaches it. */
export interface RunClock {
  readonly startedAt: number;
  /** Epoch milliseconds: timeout-minutes after the start. */
  readonly deadline: number;
  readonly signal?: AbortSignal;
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

export function throwIfCancelled(run: RunClock, what: string): void {
  if (run.signal?.aborted) throw new CancelledError(`The run was cancelled ${what}.`);
}
