import type { Config } from '../config/types.js';
import { releaseAlarmNames } from '../templates/release-alarms.js';
import { CancelledError, pause, type EngineDeps, type RunClock } from './context.js';
import type { WaitLimits } from './ports.js';
import { judgeStep, rollbackWeights, share, type Weighted } from './traffic.js';

/**
 * Moves traffic through the weight sets of a plan, one listener rule change per step (one
 * atomic Route 53 change while an environment moves off weighted records),
 * watching the new release between steps. Any alarm, a release that stops answering, or a
 * cancellation sends all traffic back to the release that served before: traffic is never
 * left split in a way nobody asked for.
 */

/** One move of the traffic during a rollout, for the picture of the run: its shares, its watch, its revert. */
export interface TrafficMove {
  /** The weights the move set. */
  readonly weights: readonly Weighted[];
  /** How long the step was watched before the next one (or the revert); absent: not watched. */
  readonly watchedMs?: number;
  /** Why this move sent all traffic back, for a revert. */
  readonly reverted?: string;
}

export class RolloutFailure extends Error {
  constructor(
    message: string,
    /** The weights after the revert. */
    readonly traffic: readonly Weighted[],
    /** Every move of the rollout, the revert last. */
    readonly moves: readonly TrafficMove[] = [],
  ) {
    super(message);
    this.name = 'RolloutFailure';
  }
}

export interface Rollout<T extends Weighted> {
  /** The weights as they are before the first step. */
  readonly current: readonly T[];
  /** What gets the traffic: the release, or the load balancer while the weights are DNS records. */
  readonly next: string;
  /** The release stack whose alarms watch the steps, when `next` is not it. */
  readonly release?: string;
  /** What served before, which takes everything back on a revert. */
  readonly previous?: T;
  /** The release's own URL of its health check, watched between steps; absent: not watched. */
  readonly healthUrl?: string;
  /** Where each move is recorded as it happens, so that a failed rollout still shows its way. */
  readonly moves?: TrafficMove[];
  /** Sets one weight set, waiting for it to hold within `limits`. */
  apply(set: readonly T[], limits: WaitLimits): Promise<void>;
}

/** How often alarms and the release are looked at while a step is watched. */
const WATCH_INTERVAL_MS = 10_000;

/** The alarms that watch a release's canary steps: its own (see release-alarms.ts), then alarm-names. */
export function watchedAlarms(config: Pick<Config, 'alarmNames'>, releaseStack: string): string[] {
  return [...Object.values(releaseAlarmNames(releaseStack)), ...config.alarmNames];
}

export function describeWeights(set: readonly Weighted[]): string {
  return set.map((target) => `${target.setIdentifier} ${share(set, target.setIdentifier)}%`).join(', ');
}

export async function rollOut<T extends Weighted>(plan: readonly T[][], rollout: Rollout<T>, config: Config, deps: EngineDeps, run: RunClock): Promise<T[]> {
  let applied: T[] = [...rollout.current];
  const moves = rollout.moves ?? [];
  const revert = async (why: string): Promise<never> => {
    if (rollout.previous) {
      const back = rollbackWeights(applied, { ...rollout.previous, weight: 0 });
      deps.log.warning(`${why} Moving all traffic back to ${rollout.previous.setIdentifier}.`);
      // The revert must happen even when the run's deadline has passed or the run is cancelled: it gets its own time and no signal.
      await rollout.apply(back, { deadline: Math.max(run.deadline, deps.clock.now() + 5 * 60_000) });
      applied = back;
      moves.push({ weights: back, reverted: why });
    }
    throw why.startsWith('The run was cancelled') ? new CancelledError(`${why} Traffic: ${describeWeights(applied)}.`) : new RolloutFailure(why, applied, moves);
  };

  for (const [index, set] of plan.entries()) {
    let problem: string | undefined;
    try {
      problem = await step(index, set);
    } catch (error) {
      // Whatever breaks mid-rollout (a deadline, a throttled alarm read, Route 53 itself),
      // traffic goes back to the release that served: never left split by accident.
      problem = `The rollout stopped at ${describeWeights(set)}: ${(error as Error).message}`;
    }
    if (problem) await revert(problem);
  }
  return applied;

  /** One step: its weights, then its watch. Returns why to revert, or undefined. */
  async function step(index: number, set: T[]): Promise<string | undefined> {
    if (run.signal?.aborted) return 'The run was cancelled during the rollout.';
    if (rollout.healthUrl && index > 0 && !(await deps.probe.answers(rollout.healthUrl))) return `The new release stopped answering ${rollout.healthUrl}.`;
    // Counted as applied before it is sent: a change AWS took but did not confirm is reverted too.
    applied = set;
    await rollout.apply(set, run);
    deps.log.info(`Traffic: ${describeWeights(set)}`);
    const finished = index === plan.length - 1 && share(set, rollout.next) === 100;
    if (finished || (config.stepWaitSeconds === 0 && config.alarmNames.length === 0)) {
      moves.push({ weights: set });
      return undefined;
    }
    const watchedFrom = deps.clock.now();
    try {
      return await watch(config, watchedAlarms(config, rollout.release ?? rollout.next), deps, run, rollout.healthUrl);
    } finally {
      moves.push({ weights: set, watchedMs: deps.clock.now() - watchedFrom });
    }
  }
}

/** Watches one step for step-wait seconds; returns why to revert, or undefined when all is well. */
async function watch(config: Config, alarms: readonly string[], deps: EngineDeps, run: RunClock, healthUrl?: string): Promise<string | undefined> {
  const until = deps.clock.now() + config.stepWaitSeconds * 1000;
  for (;;) {
    if (run.signal?.aborted) return 'The run was cancelled during the rollout.';
    const verdict = judgeStep(await deps.alarms.firing(alarms));
    if (verdict.action === 'revert') return verdict.message;
    if (deps.clock.now() >= run.deadline) return "The run's deadline (timeout-minutes) passed during a canary step.";
    const left = until - deps.clock.now();
    if (left <= 0) return healthUrl && !(await deps.probe.answers(healthUrl)) ? `The new release stopped answering ${healthUrl}.` : undefined;
    await pause(deps.clock, Math.min(left, WATCH_INTERVAL_MS), run.signal);
  }
}
