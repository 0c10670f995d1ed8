import type { Clock } from './ports.js';

/** The real clock; tests give the engine a fake one that never sleeps. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};
