import type { Config } from '../config/types.js';
import { cleanUp, type CleanupReport } from './cleanup.js';
import type { EngineDeps, RunClock } from './context.js';
import { protectImages } from './image-protection.js';
import { handOverProcesses, type ProcessMove } from './process-handover.js';
import { readReleases } from './rollback.js';
import { listenerSwitch } from './listener-traffic.js';
import { releaseHistory, ReleaseError, serving } from './releases.js';
import { rollOut, type TrafficMove } from './rollout.js';
import { promotePlan, share, type Weighted } from './traffic.js';

export interface PromoteResult {
  readonly version: string;
  readonly stackName: string;
  readonly traffic: readonly Weighted[];
  readonly cleanup: CleanupReport;
  /** The steps the traffic went through, for the picture of the run. */
  readonly moves: readonly TrafficMove[];
  /** The process groups started or stopped once the canary took all traffic. */
  readonly processMoves: readonly ProcessMove[];
}

/** Finishes a canary that canary-steps left below 100: the remaining steps, watched as before. */
export async function promote(config: Config, deps: EngineDeps, run: RunClock): Promise<PromoteResult> {
  const state = await readReleases(config, deps);
  const live = serving(releaseHistory(state.stacks, state.weights, state.layout));
  const canary = live.find((release) => share(state.weights, release.stackName) < 100 && release.health === 'in-progress');
  if (!canary || live.length < 2 || state.layout !== 'listener' || !state.rule) {
    const only = live.map((release) => `${release.version} (${share(state.weights, release.stackName)}%)`).join(', ') || 'nothing';
    throw new ReleaseError(`There is no canary to promote in ${config.environment}: serving ${only}.`);
  }
  // A canary is on the hostname's rule: the move off weighted records always ends at 100 %.
  const rule = state.rule!;
  const routes = rule.routes;
  const previous = routes.find((have) => have.setIdentifier !== canary.stackName && have.weight > 0);
  const plan = promotePlan(config.canarySteps, routes, canary.stackName);
  deps.log.info(`Promoting ${canary.version} from ${share(routes, canary.stackName)}%`);
  const moves: TrafficMove[] = [];
  const apply = listenerSwitch(deps, rule);
  const traffic = await rollOut(plan, { current: routes, next: canary.stackName, ...(previous ? { previous } : {}), moves, apply }, config, deps, run);
  // A promote changes no stack: the releases it read under the lock are the releases now.
  const cleanup = await cleanUp(config, deps, run, { routes: traffic, apply }, new Set(state.stacks.map((stack) => stack.name)), state.stacks);
  const processMoves = await handOverProcesses(deps, state.stacks.filter((stack) => !cleanup.removed.includes(stack.name)), traffic, run);
  if (cleanup.keptVersions) await protectImages(config, deps, [canary.version, ...cleanup.keptVersions], true, run.signal);
  return { version: canary.version, stackName: canary.stackName, traffic, cleanup, moves, processMoves };
}
