import type { Probe } from '../engine/context.js';
import type { Clock } from '../engine/ports.js';

/** One request's own limit: a hung connection must not eat the run's deadline. */
const REQUEST_TIMEOUT_MS = 5_000;
const INTERVAL_MS = 3_000;

/** Asks a URL whether it serves: a GET that answers 2xx, following no redirect. */
export function createProbe(clock: Clock, request: typeof fetch = fetch): Probe {
  const answer = async (url: string): Promise<string> => {
    try {
      const response = await request(url, { redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      await response.body?.cancel();
      return response.status >= 200 && response.status < 300 ? 'ok' : `HTTP ${response.status}`;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return cause ?? (error as Error).message;
    }
  };
  return {
    async answers(url) {
      return (await answer(url)) === 'ok';
    },
    async healthy(url, deadline, signal) {
      let last = 'no answer yet';
      while (clock.now() < deadline && !signal?.aborted) {
        last = await answer(url);
        if (last === 'ok') return;
        await clock.sleep(INTERVAL_MS);
      }
      throw new Error(`${url} did not answer 2xx before the deadline (last answer: ${last}). DNS may still be propagating, or the application does not serve its health check path; set verify-url: false to skip this check.`);
    },
  };
}
