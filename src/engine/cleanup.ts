import type { Config } from '../config/types.js';
import { pause, type EngineDeps, type RunClock } from './context.js';
import type { WeightedTarget } from './ports.js';
import { releaseHistory } from './releases.js';
import { stackTags } from './stack-tags.js';
import { cleanupCandidates } from './traffic.js';

export interface CleanupReport {
  readonly removed: readonly string[];
  /** Left for a later run: their records may still be cached by resolvers. */
  readonly waiting: readonly string[];
}

/** Time kept free before the deadline: cleanup must never make a good deploy time out. */
const MARGIN_MS = 60_000;

/**
 * Removes release stacks nobody needs: never the serving or the last good release (see
 * cleanupCandidates). A stack whose record has just gone to 0 goes once resolvers have
 * forgotten it (twice the TTL), as Wimpy did, if the run's deadline leaves time; else a later
 * run removes it. Failures here are warnings: the release is already live.
 */
export async function cleanUp(config: Config, deps: EngineDeps, run: RunClock, zoneId: string, hostname: string, traffic: readonly WeightedTarget[]): Promise<CleanupReport> {
  try {
    const stacks = await deps.stacks.list(stackTags(config.application, config.environment));
    const history = releaseHistory(stacks, traffic);
    const plan = cleanupCandidates(history, { keepReleases: config.keepReleases, now: deps.clock.now(), dnsTtlSeconds: config.dnsTtl, zeroSince: new Map() });
    let ready = [...plan.remove];
    const waiting = [...plan.waiting];
    const lastReady = Math.max(0, ...waiting.map((entry) => entry.readyAt));
    if (waiting.length > 0 && lastReady + MARGIN_MS < run.deadline && !run.signal?.aborted) {
      deps.log.info(`Waiting ${Math.round((lastReady - deps.clock.now()) / 1000)} s (twice the DNS TTL) before removing ${waiting.map((entry) => entry.release.stackName).join(', ')}.`);
      await pause(deps.clock, Math.max(0, lastReady - deps.clock.now()), run.signal);
      // Cancelled while resolvers forgot the records: the stacks are left for a later run.
      if (run.signal?.aborted) return { removed: [], waiting: waiting.map((entry) => entry.release.stackName) };
      ready = [...ready, ...waiting.map((entry) => entry.release)];
      waiting.length = 0;
    }
    if (ready.length === 0) return { removed: [], waiting: waiting.map((entry) => entry.release.stackName) };
    const names = new Set(ready.map((release) => release.stackName));
    const records = traffic.filter((target) => names.has(target.setIdentifier));
    if (records.length > 0) {
      const kept = traffic.filter((target) => !names.has(target.setIdentifier));
      await deps.dns.setWeights(zoneId, hostname, kept, records, run.deadline);
    }
    await Promise.all(ready.map((release) => deps.log.group(`remove ${release.stackName}`, () => deps.stacks.remove(release.stackName, { deadline: run.deadline, ...(run.signal ? { signal: run.signal } : {}) }))));
    deps.log.info(`Removed old releases: ${[...names].join(', ')}`);
    return { removed: [...names], waiting: waiting.map((entry) => entry.release.stackName) };
  } catch (error) {
    deps.log.warning(`Old releases were not removed (the deploy itself succeeded): ${(error as Error).message}`);
    return { removed: [], waiting: [] };
  }
}
