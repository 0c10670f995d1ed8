/**
 * Polling a stack operation without the SDK's stack waiters: each look here also reads the
 * stack's new events, which people follow live and which name the cause of a failure, and
 * the SDK's stack waiters only look at the status. The first look comes after about a second
 * (most small updates are that fast), the pauses grow to five seconds, and the run's one
 * deadline and the runner's cancellation are the only limits. Change sets, which have no
 * events, use the SDK's waiter (stacks-change-set.ts).
 */
import { pause } from '../engine/context.js';
import type { Clock } from '../engine/ports.js';
import { classifyAwsError, isPassing } from './aws-errors.js';

export const FIRST_POLL_MS = 1000;
export const LONGEST_POLL_MS = 5000;

/** The pause before the `attempt`-th look (0-based): 1 s, 1.5 s, 2.25 s, ... up to 5 s. */
export function pollDelay(attempt: number): number {
  return Math.min(LONGEST_POLL_MS, Math.round(FIRST_POLL_MS * 1.5 ** attempt));
}

export interface PollLimits {
  readonly clock: Clock;
  /** Epoch milliseconds. */
  readonly deadline: number;
  readonly signal?: AbortSignal;
}

import type { StopReason } from './waiters.js';

export type { StopReason };

/**
 * Calls `look` after each pause until it returns a value. A look that fails with throttling or a
 * transient fault (the SDK already retried it) is skipped: the next look is the retry. At the
 * deadline or on cancellation, `stopped` makes the error to raise.
 */
export async function pollUntil<T>(
  limits: PollLimits,
  look: () => Promise<T | undefined>,
  stopped: (reason: StopReason) => Promise<Error>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    if (limits.signal?.aborted) throw await stopped('cancelled');
    const remaining = limits.deadline - limits.clock.now();
    if (remaining <= 0) throw await stopped('deadline');
    await pause(limits.clock, Math.min(pollDelay(attempt), remaining), limits.signal);
    if (limits.signal?.aborted) throw await stopped('cancelled');
    try {
      const found = await look();
      if (found !== undefined) return found;
    } catch (error) {
      if (classifyAwsError(error) === 'cancelled' || limits.signal?.aborted) throw await stopped('cancelled');
      if (!isPassing(error)) throw error;
    }
  }
}
