import type { Config } from '../config/types.js';
import { cleanUp, type CleanupReport } from './cleanup.js';
import type { EngineDeps, RunClock } from './context.js';
import { protectImages } from './image-protection.js';
import { readReleases } from './rollback.js';
import type { WeightedTarget } from './ports.js';
import { releaseHistory, ReleaseError, serving } from './releases.js';
import { rollOut, type TrafficMove } from './rollout.js';
import { promotePlan, share } from './traffic.js';

export interface PromoteResult {
  readonly version: string;
  readonly stackName: string;
  readonly traffic: readonly WeightedTarget[];
  readonly cleanup: CleanupReport;
  /** The steps the traffic went through, for the picture of the run. */
  readonly moves: readonly TrafficMove[];
}

/** Finishes a canary that canary-steps left below 100: the remaining steps, watched as before. */
export async function promote(config: Config, deps: EngineDeps, run: RunClock): Promise<PromoteResult> {
  const state = await readReleases(config, deps);
  const live = serving(releaseHistory(state.stacks, state.weights));
  const canary = live.find((release) => share(state.weights, release.stackName) < 100 && release.health === 'in-progress');
  if (!canary || live.length < 2) {
    const only = live.map((release) => `${release.version} (${share(state.weights, release.stackName)}%)`).join(', ') || 'nothing';
    throw new ReleaseError(`There is no canary to promote in ${config.environment}: serving ${only}.`);
  }
  const previous = state.weights.find((have) => have.setIdentifier !== canary.stackName && have.weight > 0);
  const plan = promotePlan(config.canarySteps, state.weights, canary.stackName);
  deps.log.info(`Promoting ${canary.version} from ${share(state.weights, canary.stackName)}%`);
  const moves: TrafficMove[] = [];
  const traffic = await rollOut(plan, {
    zoneId: state.zoneId,
    hostname: state.hostname,
    current: state.weights,
    next: canary.stackName,
    ...(previous ? { previous } : {}),
    moves,
  }, config, deps, run);
  const cleanup = await cleanUp(config, deps, run, state.zoneId, state.hostname, traffic, new Set(state.stacks.map((stack) => stack.name)));
  if (cleanup.keptVersions) await protectImages(config, deps, [canary.version, ...cleanup.keptVersions], true);
  return { version: canary.version, stackName: canary.stackName, traffic, cleanup, moves };
}
