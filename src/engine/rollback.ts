import { hostname } from '../config/names.js';
import type { Config } from '../config/types.js';
import type { EngineDeps, RunClock } from './context.js';
import { deployRelease, targetOf, type DeployOptions, type DeployResult, type Placement } from './deploy-phase.js';
import type { StackSummary, WeightedTarget } from './ports.js';
import { RecordError, restoredConfig, unrecordedMessage, type ReleaseRecord } from './release-record.js';
import { releaseHistory, rollbackTarget, ReleaseError } from './releases.js';
import { describeWeights } from './rollout.js';
import { stackTags } from '../stacks/stack-tags.js';
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

export async function rollback(config: Config, deps: EngineDeps, run: RunClock, placement: (zoneId: string) => Promise<Placement>, track: Omit<DeployOptions, 'rollback'> = {}): Promise<RollbackResult> {
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
    await deps.dns.setWeights(state.zoneId, state.hostname, desired, [], run);
    deps.log.info(`Traffic: ${describeWeights(desired)}`);
    return { version: target.release.version, stackName: stack.name, traffic: desired, flipped: true };
  }
  const again = await recordedRelease(config, deps, target.version, target.reason);
  deps.log.info(`Rolling back to ${target.version}: ${target.reason}, so it is deployed again as it was recorded on ${again.record.recordedAt}: ${again.record.image.repository}@${again.record.image.digest} (no build).`);
  const redeploy = await deployRelease({ ...again.config, canarySteps: [100] }, again.record.image, await placement(state.zoneId), deps, run, { ...track, rollback: true });
  return { version: target.version, stackName: redeploy.stack.name, traffic: redeploy.traffic, flipped: false, redeploy };
}

/**
 * A release as it was deployed: its record, and the run's configuration with the release's own
 * inputs. Fails, before any change, when there is no record or the image's registry no longer
 * holds it.
 */
export async function recordedRelease(config: Config, deps: EngineDeps, version: string, reason: string): Promise<{ record: ReleaseRecord; config: Config }> {
  const [record, where] = await Promise.all([deps.records.read(config.application, config.environment, version), deps.records.where(config.application, config.environment, version)]);
  if (!record) throw new RecordError(unrecordedMessage(version, where, reason));
  if (!(await deps.images.holds(record.image))) {
    throw new ReleaseError(`Release ${version} cannot be deployed again: ${reason}, and its image ${record.image.repository}@${record.image.digest} is no longer in its registry. Deploy it again with the build step.`);
  }
  const restored = restoredConfig(config, record);
  const dropped = [config.port !== record.inputs.port ? `application-port ${config.port}` : '', config.variables.length > 0 ? 'environment-variables' : '', config.secrets.length > 0 ? 'secrets' : ''].filter(Boolean);
  if (dropped.length > 0) deps.log.info(`The release's recorded inputs are used, not this run's ${dropped.join(', ')}.`);
  return { record, config: restored };
}
