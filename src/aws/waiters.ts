import type { Clock, WaitLimits } from '../engine/ports.js';

/** The pauses of an SDK waiter, in seconds. Tests pass a millisecond so that no test waits. */
export interface WaiterDelays {
  readonly minDelay: number;
  readonly maxDelay: number;
}

/** Why a wait ended without its answer: the run's deadline, or its cancellation. */
export type StopReason = 'deadline' | 'cancelled';

/** What an SDK waiter takes besides its client: its limit, its pauses and the signal that stops it. */
export type WaiterSettings = WaiterDelays & { readonly maxWaitTime: number; readonly abortSignal?: AbortSignal };

/**
 * Runs an SDK waiter within the run's limits: the time left before the deadline is the
 * waiter's limit and the run's signal stops it. A wait that ends at the deadline or on a
 * cancellation fails with `stopped`'s error; any other failure of the waiter is rethrown.
 */
export async function withinLimits<T>(clock: Clock, limits: WaitLimits, delays: WaiterDelays, wait: (settings: WaiterSettings) => Promise<T>, stopped: (stop: StopReason) => Error | Promise<Error>): Promise<T> {
  if (limits.signal?.aborted) throw await stopped('cancelled');
  const maxWaitTime = (limits.deadline - clock.now()) / 1000;
  if (maxWaitTime <= delays.minDelay) throw await stopped('deadline');
  try {
    return await wait({ ...delays, maxWaitTime, ...(limits.signal ? { abortSignal: limits.signal } : {}) });
  } catch (error) {
    if (limits.signal?.aborted || (error instanceof Error && error.name === 'AbortError')) throw await stopped('cancelled');
    if (error instanceof Error && error.name === 'TimeoutError') throw await stopped('deadline');
    throw error;
  }
}

/** What the SDK's waiter saw last, which its error carries as JSON. */
export function waiterReason(error: unknown): unknown {
  try {
    return (JSON.parse((error as Error).message) as { reason?: unknown }).reason;
  } catch {
    return undefined;
  }
}
