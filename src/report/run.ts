/**
 * A run of deploy, rollback, promote or destroy as people read it: the one function that turns
 * what the use case did into the RunReport (the job summary, the pull request comment, the
 * deployment statuses and the notification all render it), and the action's outputs.
 */
import { domainTargets } from '../config/domains.js';
import { pinnedImage } from '../config/image-reference.js';
import { hostname, loadBalancerStack } from '../config/names.js';
import { processSize } from '../config/sections/processes.js';
import type { Config } from '../config/types.js';
import { logGroupOf } from '../engine/logs.js';
import type { ImageRef } from '../engine/ports.js';
import type { ProcessMove } from '../engine/process-handover.js';
import type { Weighted } from '../engine/traffic.js';
import type { TrafficMove } from '../engine/rollout.js';
import type { RunRequest, RunResult } from '../engine/run.js';
import type { HostnameReport, ProcessReport, RunReport, SchedulesReport, TrafficShare } from '../engine/run-report.js';
import type { SchedulesOutcome } from '../engine/schedules.js';
import { share } from '../engine/traffic.js';
import { publicUrl } from '../engine/urls.js';
import { aliasRecordId } from '../templates/load-balancer.js';
import { platformOf } from '../platforms/index.js';

export function runReport(config: Config, request: Pick<RunRequest, 'sha' | 'logUrl' | 'commitUrl'>, result: RunResult): RunReport {
  const { did, failure } = result;
  const common = {
    application: config.application,
    environment: config.environment,
    command: config.command,
    strategy: config.strategy,
    version: did.version,
    sha: request.sha,
    ...(request.logUrl ? { logUrl: request.logUrl } : {}),
    ...(request.commitUrl ? { commitUrl: request.commitUrl } : {}),
    ...imageField(result.image),
  };
  const facts = {
    traffic: trafficShares(did.traffic),
    ...(did.alarms.length > 0 ? { alarms: did.alarms } : {}),
    ...schedulesOf(did.schedules),
    ...hostnamesOf(config, result),
    ...processesOf(config, result),
    ...trafficStepsOf(did.moves),
    stacks: result.stacks,
    durationMs: result.endedAt - result.startedAt,
  };
  const warnings = result.warnings.length > 0 ? { warnings: result.warnings } : {};
  // The log group, for the commands after which the environment has one.
  const logGroup = config.command === 'destroy' ? {} : { logGroup: logGroupOf(config) };
  if (failure) {
    const { message, cancelled, ...why } = failure;
    return { ...common, status: cancelled ? 'cancelled' : 'failure', ...facts, message, ...warnings, ...logGroup, ...why };
  }
  return {
    ...common,
    status: config.command === 'deploy' && !hasChanges(result) ? 'no-change' : 'success',
    ...(config.command !== 'destroy' && config.steps.includes('deploy') ? { url: publicUrl(config) } : {}),
    ...(did.pinnedUrl ? { pinnedUrl: did.pinnedUrl } : {}),
    ...facts,
    ...(did.message ? { message: did.message } : {}),
    ...(did.kept.length > 0 ? { releases: did.kept } : {}),
    ...warnings,
    ...logGroup,
    ...(did.cost ? { cost: did.cost } : {}),
  };
}

/** The schedules as people read them: everything but the stack's own result. */
function schedulesOf(outcome: SchedulesOutcome | undefined): { schedules?: SchedulesReport } {
  if (!outcome) return {};
  const { applied: _applied, ...schedules } = outcome;
  return { schedules };
}

/**
 * The environment's hostnames, when it has domains of its own, with the state of their records.
 * The domains' records are resources of the load balancer's stack: its change set says when a
 * run added them. The main hostname's exist once a run succeeded.
 */
function hostnamesOf(config: Config, result: RunResult): { hostnames?: HostnameReport[] } {
  const targets = domainTargets(config);
  if (targets.length === 0) return {};
  const balancer = result.stacks.find((stack) => stack.name === loadBalancerStack(config.application, config.networkEnvironment));
  const added = new Set(balancer?.outcome === 'failed' ? [] : (balancer?.changes ?? []).filter((change) => change.action === 'Add').map((change) => change.logicalId));
  const state = (name?: string): HostnameReport['state'] => {
    if (balancer?.outcome === 'removed' || (config.command === 'destroy' && !result.failure)) return 'removed';
    if (name !== undefined && added.has(aliasRecordId(name, 'A'))) return 'added';
    return result.failure ? 'unchanged' : 'live';
  };
  const first = config.domains[0];
  return {
    hostnames: [
      { hostname: hostname(config.application, config.environment, config.hostedZone), role: 'main', state: state() },
      ...targets.map(({ hostname: name, role }): HostnameReport => ({ hostname: name, role, ...(role === 'redirect' && first !== undefined ? { redirectsTo: first } : {}), state: state(name) })),
    ],
  };
}

/**
 * The processes besides web of a deploy's release, or of a destroy, with their state. The
 * release stack is complete only once every group's instances signalled that they stayed up, so
 * a release that serves has healthy processes; a failed one names the process whose group failed
 * (its root cause), and the others went back with it.
 */
function processesOf(config: Config, result: RunResult): { processes?: ProcessReport[] } {
  if (config.command === 'rollback' || config.command === 'promote') return handedOver(result.did.processMoves ?? []);
  const deployed = config.command === 'deploy' && config.steps.includes('deploy');
  const removed = config.command === 'destroy' && !result.failure;
  if (config.processes.length === 0 || !(deployed || removed)) return {};
  const platform = platformOf(config);
  const failed = result.failure?.rootCause?.resource;
  const released = result.stacks.some((stack) => stack.name === result.did.stackName && stack.outcome !== 'failed');
  const state = (name: string): ProcessReport['state'] => {
    if (removed) return 'removed';
    if (!result.failure || released) return 'healthy';
    return failed !== undefined && platform.processResources(name).includes(failed) ? 'unhealthy' : 'rolled back';
  };
  return {
    processes: config.processes.map(({ name, capacity }) => ({
      name,
      size: processSize(capacity),
      state: state(name),
    })),
  };
}

/**
 * The process groups a rollback or a promote handed over with the traffic: started in the
 * release that has it again, stopped in the one that left it, each with the count it went to.
 */
function handedOver(moves: readonly ProcessMove[]): { processes?: ProcessReport[] } {
  if (moves.length === 0) return {};
  return {
    processes: moves.map((move) => ({
      name: move.process,
      size: move.to.minSize === move.to.maxSize ? `${move.to.minSize} instance${move.to.minSize === 1 ? '' : 's'}` : `${move.to.minSize}-${move.to.maxSize} instances`,
      state: move.start ? 'started' : 'stopped',
      release: move.stack,
    })),
  };
}

/** The action's outputs after the run. */
export function runOutputs(config: Config, result: RunResult): Record<string, string> {
  // A run that deployed nothing (destroy, or steps without deploy) serves no URL and no stack.
  const serves = config.command !== 'destroy' && (config.command !== 'deploy' || config.steps.includes('deploy'));
  return {
    url: serves ? publicUrl(config) : '',
    version: result.did.version,
    image: imageText(result.image) ?? '',
    'stack-name': serves ? result.did.stackName : '',
    environment: config.environment,
    'has-changes': String(!result.failure && hasChanges(result)),
    'log-group': serves ? logGroupOf(config) : '',
  };
}

function hasChanges(result: RunResult): boolean {
  return result.did.changed || result.stacks.some((stack) => stack.outcome !== 'unchanged');
}

/** The report's image field: present only when the run knows its image. */
function imageField(image?: ImageRef): { image?: string } {
  const text = imageText(image);
  return text ? { image: text } : {};
}

function imageText(image?: ImageRef): string | undefined {
  return image ? pinnedImage(image) : undefined;
}

/** The steps of a rollout as the report tells them; a run that moved no traffic in steps has none. */
function trafficStepsOf(moves: readonly TrafficMove[]): Pick<RunReport, 'trafficSteps'> {
  if (moves.length === 0) return {};
  return {
    trafficSteps: moves.map((move) => ({
      shares: trafficShares(move.weights),
      ...(move.watchedMs !== undefined ? { watchedMs: move.watchedMs } : {}),
      ...(move.reverted ? { reverted: move.reverted } : {}),
    })),
  };
}

function trafficShares(traffic: readonly Weighted[]): TrafficShare[] {
  return traffic.map((target) => ({ release: target.setIdentifier, weight: share(traffic, target.setIdentifier) })).sort((a, b) => b.weight - a.weight);
}

/** The report of a run that did nothing (a fork's pull request, an unrelated event): `reason` says why. */
export function skippedReport(config: Config, request: Pick<RunRequest, 'sha' | 'logUrl'>, reason: string): RunReport {
  return {
    application: config.application,
    environment: config.environment,
    command: config.command,
    strategy: config.strategy,
    status: 'skipped',
    version: config.version,
    sha: request.sha,
    traffic: [],
    stacks: [],
    durationMs: 0,
    ...(reason ? { message: reason } : {}),
    ...(request.logUrl ? { logUrl: request.logUrl } : {}),
  };
}
