import { hostname } from '../config/names.js';
import type { Config } from '../config/types.js';
import type { EngineDeps, RunClock } from './context.js';
import { deployRelease, targetOf, type DeployResult, type Placement } from './deploy-phase.js';
import type { StackSummary, WeightedTarget } from './ports.js';
import { releaseHistory, rollbackTarget, ReleaseError } from './releases.js';
import { describeWeights } from './rollout.js';
import { stackTags } from './stack-tags.js';
import { rollbackWeights } from './traffic.js';

/**
 * Rollback in seconds: where the release's stack is still warm, one atomic weight change and
 * nothing else (three reads before it: the zone, the stacks, the records). Where it is gone,
 * its image, already in the registry, is deployed again; nothing is ever built.
 */

export interface RollbackResult {
  readonly version: string;
  readonly stackName: string;
  readonly traffic: readonly WeightedTarget[];
  readonly flipped: boolean;
  readonly redeploy?: DeployResult;
}

export interface ReleaseState {
  readonly zoneId: string;
  readonly hostname: string;
  readonly stacks: readonly StackSummary[];
  readonly weights: readonly WeightedTarget[];
}

/** What AWS knows of an environment's releases: its stacks and its records, read side by side. */
export async function readReleases(config: Config, deps: Pick<EngineDeps, 'stacks' | 'dns'>): Promise<ReleaseState> {
  const host = hostname(config.application, config.environment, config.hostedZone);
  const zoneId = await deps.dns.zoneId(config.hostedZone);
  const [stacks, weights] = await Promise.all([deps.stacks.list(stackTags(config.application, config.environment)), deps.dns.weights(zoneId, host)]);
  return { zoneId, hostname: host, stacks, weights };
}

export async function rollback(config: Config, deps: EngineDeps, run: RunClock, placement: (zoneId: string) => Promise<Placement>): Promise<RollbackResult> {
  if (config.strategy === 'rolling' && config.version === '') {
    throw new ReleaseError('A rolling deployment keeps one stack and no earlier release to flip to: give the version to roll back to (its image is deployed again from the registry, without a build).');
  }
  const state = await readReleases(config, deps);
  const target = rollbackTarget(releaseHistory(state.stacks, state.weights), config.version);
  if (target.kind === 'flip') {
    const stack = state.stacks.find((summary) => summary.name === target.release.stackName)!;
    const record = state.weights.find((have) => have.setIdentifier === stack.name) ?? targetOf(stack, 0);
    const desired = rollbackWeights([...state.weights.filter((have) => have.setIdentifier !== stack.name), record], record);
    deps.log.info(`Rolling back to ${target.release.version} (${stack.name}, ${target.release.reason}): a weight change, no deploy.`);
    await deps.dns.setWeights(state.zoneId, state.hostname, desired, [], run.deadline);
    deps.log.info(`Traffic: ${describeWeights(desired)}`);
    return { version: target.release.version, stackName: stack.name, traffic: desired, flipped: true };
  }
  const image = await deps.images.find(target.version);
  if (!image) {
    throw new ReleaseError(`Release ${target.version} cannot be rolled back to: ${target.reason}, and the registry no longer holds its image. Deploy it again with the build step.`);
  }
  deps.log.info(`Rolling back to ${target.version}: ${target.reason}, so its image ${image.repository}@${image.digest} is deployed again (no build).`);
  const again: Config = { ...config, version: target.version, canarySteps: [100] };
  const redeploy = await deployRelease(again, image, await placement(state.zoneId), deps, run, { rollback: true });
  return { version: target.version, stackName: redeploy.stack.name, traffic: redeploy.traffic, flipped: false, redeploy };
}
