import { releaseName } from '../stacks/application-release.js';
import { oversizedTemplates } from '../stacks/inline-limit.js';
import type { Config } from '../config/types.js';
import { eventReport, stackReport, type RunReport, type StackReport, type TrafficShare } from './run-report.js';
import { announce } from './announce.js';
import type { KeptRelease } from './cleanup.js';
import { CancelledError, untilCancelled, type EngineDeps, type RunClock } from './context.js';
import { deployRelease, type DeployResult, type Placement } from './deploy-phase.js';
import { environmentCost } from './cost.js';
import { destroy } from './destroy.js';
import { applyEnvironment } from './environment-phase.js';
import type { ImageRef, ResourceChange, StackEvent, StackResult } from './ports.js';
import type { Weighted } from './traffic.js';
import { StackFailure } from './ports.js';
import { removeExpiredPreviews } from './previews.js';
import { promote } from './promote.js';
import { rollback } from './rollback.js';
import { RolloutFailure, watchedAlarms, type TrafficMove } from './rollout.js';
import { lockKey, waitLimit, withLock, type LastRun, type LockOwner, type RunEnding } from './lock.js';
import { publicUrl } from './urls.js';
import { share } from './traffic.js';
import { changesAsLogLines, eventLine } from './stack-status.js';
import { failedBootLogs, logGroupOf } from './logs.js';
import type { BootLogReport } from './run-report.js';

/**
 * The use cases behind `command`: deploy, rollback, promote and destroy, each ending in one
 * RunReport that GitHub and the terminal render, and the action's outputs.
 */

export interface RunRequest {
  readonly run: RunClock;
  /** Who runs this, as a waiting run prints the lock's holder: the run's URL, or user@host. */
  readonly holder?: string;
  /** The person behind the run, as `status` tells the last deployment: the GitHub user, or user@host. */
  readonly who?: string;
  /** The commit of the run: the pull request's head for previews. */
  readonly sha: string;
  readonly logUrl?: string;
  readonly commitUrl?: string;
  /** The AWS region, for the cost estimate's prices. */
  readonly region?: string;
}

export interface RunOutcome {
  readonly report: RunReport;
  readonly outputs: Readonly<Record<string, string>>;
  /** Previews removed because they expired: their GitHub deployments become inactive. */
  readonly expiredPreviews: readonly string[];
  /** Settles once the run's lock is released: the entry awaits it after reporting. */
  readonly released: Promise<void>;
}

interface Progress {
  stacks: StackReport[];
  warnings: string[];
  changes: Map<string, readonly ResourceChange[]>;
  events: StackEvent[];
  image?: ImageRef;
}

/** Lets the use cases report what they see, whatever their result. */
function tracker(deps: EngineDeps, progress: Progress) {
  return {
    onEvent: (event: StackEvent) => {
      progress.events.push(event);
      deps.log.info(eventLine(event));
    },
    onChanges: (stack: string, changes: readonly ResourceChange[]) => {
      progress.changes.set(stack, changes);
      for (const line of changesAsLogLines(stack, changes)) deps.log.info(line);
    },
    onWarning: (message: string) => progress.warnings.push(message),
  };
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

/** Refuses, before the first change, an account that allowed-account-ids does not name. */
export async function checkAccount(config: Config, deps: EngineDeps): Promise<void> {
  if (config.allowedAccountIds.length === 0) return;
  const account = await deps.identity.accountId();
  if (!config.allowedAccountIds.includes(account)) {
    throw new Error(`The AWS credentials are for account ${account}, which allowed-account-ids (${config.allowedAccountIds.join(', ')}) does not allow: nothing was changed.`);
  }
}

async function checkAlarms(config: Config, deps: EngineDeps): Promise<void> {
  if (config.alarmNames.length === 0 || config.strategy !== 'blue-green') return;
  const missing = await deps.alarms.missing(config.alarmNames);
  if (missing.length > 0) throw new Error(`alarm-names: ${missing.join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist in CloudWatch in this region: nothing was changed.`);
}

/** The zone and its wildcard certificate: looked up once, while other phases run. */
function placementFor(config: Config, deps: EngineDeps, run: RunClock) {
  return async (knownZoneId?: string): Promise<Placement> => {
    const zoneId = knownZoneId ?? (await deps.dns.zoneId(config.hostedZone));
    const certificateArn = await deps.certificates.ensureWildcard(config.hostedZone, zoneId, run.deadline);
    return { zoneId, certificateArn };
  };
}

async function releaseImage(config: Config, deps: EngineDeps, version: string): Promise<ImageRef> {
  if (config.steps.includes('build') || config.build.image) return deps.images.publish(version);
  const found = await deps.images.find(version);
  if (!found) throw new Error(`Version ${version} is not in the registry and steps leaves out build: add build to steps, or give a version that was built before.`);
  return found;
}

async function deploy(config: Config, deps: EngineDeps, request: RunRequest, progress: Progress): Promise<DeployResult | undefined> {
  const { run } = request;
  const track = tracker(deps, progress);
  await untilCancelled(checkAlarms(config, deps), run, 'while the alarms were checked');
  const wantsDeploy = config.steps.includes('deploy');
  const wantsEnvironment = config.steps.includes('environment');
  // The image and the certificate do not depend on each other: side by side, and beside the
  // environment, which waits for the certificate only where its load balancer's listener needs it.
  const placed = wantsDeploy || wantsEnvironment ? placementFor(config, deps, run)() : Promise.resolve(undefined);
  const certificate = async () => (await placed)!.certificateArn;
  const [environment, image, placement] = await untilCancelled(Promise.all([
    wantsEnvironment ? deps.log.group('environment', () => applyEnvironment(config, deps, run, { ...track, certificate })) : Promise.resolve([] as StackResult[]),
    config.steps.includes('build') || wantsDeploy ? deps.log.group('build', () => releaseImage(config, deps, config.version)) : Promise.resolve(undefined),
    placed,
  ]), run, 'before the release was deployed');
  progress.stacks.push(...environment.map(stackReport));
  if (image) progress.image = image;
  if (!wantsDeploy || !image || !placement) return undefined;
  const result = await deps.log.group('deploy', () => deployRelease(config, image, placement, deps, run, track));
  progress.stacks.push(stackReport(result.stack));
  return result;
}

/** The report's image field: present only when the run knows its image. */
function imageField(image?: ImageRef): { image?: string } {
  const text = imageText(image);
  return text ? { image: text } : {};
}

function imageText(image?: ImageRef): string | undefined {
  return image ? `${image.repository}@${image.digest}` : undefined;
}

/**
 * The end of the logs of the release whose stack failed: its instances' boot output and first
 * container lines say why they never signalled. Only for the release's own stack, and never a
 * reason for a second failure: a log that cannot be read leaves the report as it was.
 */
async function bootLogsOf(error: unknown, config: Config, version: string, deps: EngineDeps, since: number): Promise<{ bootLogs?: readonly BootLogReport[] }> {
  if (!(error instanceof StackFailure) || !['deploy', 'rollback'].includes(config.command) || !version) return {};
  if (error.stackName !== releaseName(config, version)) return {};
  try {
    const bootLogs = await failedBootLogs(config, version, deps.logs, since);
    return bootLogs.length > 0 ? { bootLogs } : {};
  } catch (failure) {
    deps.log.warning(`The boot logs of ${version} could not be read from ${logGroupOf(config)}: ${(failure as Error).message}`);
    return {};
  }
}

function rootCauseOf(error: unknown, progress: Progress): Pick<RunReport, 'rootCause' | 'lastEvents'> {
  if (!(error instanceof StackFailure)) return {};
  const events = progress.events.filter((event) => event.stackName === error.stackName).slice(-8).map(eventReport);
  return { ...(error.rootCause ? { rootCause: eventReport(error.rootCause) } : {}), ...(events.length ? { lastEvents: events } : {}) };
}

export async function runCommand(config: Config, deps: EngineDeps, request: RunRequest): Promise<RunOutcome> {
  const progress: Progress = { stacks: [], warnings: [], changes: new Map(), events: [] };
  const started = request.run.startedAt;
  const common = {
    application: config.application,
    environment: config.environment,
    command: config.command,
    strategy: config.strategy,
    sha: request.sha,
    ...(request.logUrl ? { logUrl: request.logUrl } : {}),
    ...(request.commitUrl ? { commitUrl: request.commitUrl } : {}),
  };
  const url = publicUrl(config);
  let version = config.version;
  let traffic: readonly Weighted[] = [];
  let moves: readonly TrafficMove[] = [];
  let stackName = releaseName(config, config.version || 'none');
  // The alarms that watch a blue-green release's canary steps, named in the report (promote learns its release).
  let alarms: readonly string[] = config.strategy === 'blue-green' && config.command === 'deploy' && config.steps.includes('deploy') ? watchedAlarms(config, stackName) : [];
  let pinned: string | undefined;
  let changed = false;
  let message: string | undefined;
  let kept: readonly KeptRelease[] = [];
  let sweep: Promise<string[]> = Promise.resolve([]);
  // An account that allowed-account-ids refuses is not touched at all, not even to tell of it.
  let accountAllowed = false;
  let released: Promise<void> = Promise.resolve();
  try {
    // A template CloudFormation cannot take inline would stop the run halfway: stop it before anything changes.
    const oversized = config.command === 'deploy' ? oversizedTemplates(config) : [];
    if (oversized.length > 0) throw new Error(oversized.join('\n'));
    await untilCancelled(checkAccount(config, deps), request.run, 'while the account was checked');
    accountAllowed = true;
    // Expired previews are other stacks than this run's: swept side by side with its work, but
    // after a rollback, whose few reads before its weight change must stay few.
    if (config.command !== 'rollback' && !(config.command === 'destroy' && config.preview !== undefined)) sweep = removeExpiredPreviews(config, deps, request.run, lockOwner(config, request));
    // Everything from here decides from what AWS holds once this run holds the lock.
    // The lock's record keeps how this run ended: `status` tells it as the last deployment.
    const lastRun = (outcome: RunEnding): LastRun => ({
      who: request.who ?? lockOwner(config, request).holder,
      command: config.command,
      version,
      stack: stackName,
      startedAt: started,
      endedAt: deps.clock.now(),
      outcome,
      ...(request.logUrl ? { runUrl: request.logUrl } : {}),
    });
    await withLock(deps, request.run, { ...lockOwner(config, request), key: lockKey(config.application, config.environment), waitUntil: waitLimit(request.run), deferRelease: (release) => (released = release), lastRun }, async (locked, lock) => {
      const run: RunClock = { ...locked, lock };
      switch (config.command) {
        case 'deploy': {
          const result = await deploy(config, deps, { ...request, run }, progress);
          if (result) {
            traffic = result.traffic;
            stackName = result.stack.name;
            pinned = result.pinnedUrl;
            changed = result.trafficChanged;
            kept = result.cleanup.kept;
            moves = result.moves ?? [];
          }
          break;
        }
        case 'rollback': {
          const result = await rollback(config, deps, run, (zoneId) => placementFor(config, deps, run)(zoneId), tracker(deps, progress));
          version = result.version;
          traffic = result.traffic;
          stackName = result.stackName;
          changed = true;
          if (result.redeploy) progress.stacks.push(stackReport(result.redeploy.stack));
          message = result.flipped ? `Traffic moved back to ${result.version}: a weight change, no deploy.` : `Release ${result.version} was deployed again from the registry, without a build.`;
          break;
        }
        case 'promote': {
          await checkAlarms(config, deps);
          const result = await promote(config, deps, run);
          kept = result.cleanup.kept;
          moves = result.moves;
          version = result.version;
          traffic = result.traffic;
          stackName = result.stackName;
          alarms = watchedAlarms(config, result.stackName);
          changed = true;
          break;
        }
        case 'destroy': {
          const result = await destroy(config, deps, run);
          progress.stacks.push(...result.removed.map((name): StackReport => ({ name, outcome: 'removed', changes: [] })));
          changed = result.removed.length > 0;
          message = [result.removed.length > 0 ? `Removed ${result.removed.join(', ')}.` : 'Nothing to remove.', ...(result.notes ?? [])].join(' ');
          break;
        }
        case 'plan':
          throw new Error('plan is answered by planRun, without AWS');
      }
    });
  } catch (error) {
    // A reverted rollout moved traffic back: the report says where it went, not nothing.
    if (error instanceof RolloutFailure) {
      traffic = error.traffic;
      moves = error.moves;
    }
    const cancelled = error instanceof CancelledError || request.run.signal?.aborted === true;
    const failure = error instanceof Error ? error.message : String(error);
    const bootLogs = cancelled ? {} : await bootLogsOf(error, config, version, deps, started);
    const report: RunReport = {
      ...common,
      status: cancelled ? 'cancelled' : 'failure',
      version,
      ...imageField(progress.image),
      traffic: trafficShares(traffic),
      ...alarmsField(alarms),
      ...trafficStepsOf(moves),
      stacks: progress.stacks,
      durationMs: deps.clock.now() - started,
      message: failure,
      ...(progress.warnings.length > 0 ? { warnings: progress.warnings } : {}),
      ...logGroupField(config),
      ...rootCauseOf(error, progress),
      ...bootLogs,
    };
    if (accountAllowed) await tell(config, deps, report, request.run);
    return { report, outputs: outputsOf(config, version, stackName, url, progress.image, false), expiredPreviews: await unlessCancelled(sweep, request.run), released };
  }

  const expiredPreviews = config.command === 'rollback' ? await removeExpiredPreviews(config, deps, request.run, lockOwner(config, request)) : await unlessCancelled(sweep, request.run);
  const stacksChanged = progress.stacks.some((stack) => stack.outcome !== 'unchanged');
  const hasChanges = changed || stacksChanged;
  const report: RunReport = {
    ...common,
    status: config.command === 'deploy' && !hasChanges ? 'no-change' : 'success',
    version,
    ...imageField(progress.image),
    ...(config.command !== 'destroy' && config.steps.includes('deploy') ? { url } : {}),
    ...(pinned ? { pinnedUrl: pinned } : {}),
    traffic: trafficShares(traffic),
    ...alarmsField(alarms),
    ...trafficStepsOf(moves),
    stacks: progress.stacks.map((stack) => ({ ...stack, changes: progress.changes.get(stack.name) ?? stack.changes })),
    durationMs: deps.clock.now() - started,
    ...(message ? { message } : {}),
    ...(kept.length > 0 ? { releases: kept } : {}),
    ...(progress.warnings.length > 0 ? { warnings: progress.warnings } : {}),
    ...logGroupField(config),
    ...(config.command === 'deploy' && config.steps.includes('deploy') ? { cost: environmentCost(config, request.region) } : {}),
  };
  await tell(config, deps, report, request.run);
  return { report, outputs: outputsOf(config, version, stackName, url, progress.image, hasChanges), expiredPreviews, released };
}

function alarmsField(alarms: readonly string[]): Pick<RunReport, 'alarms'> {
  return alarms.length > 0 ? { alarms } : {};
}

/** How this run describes itself in the locks it takes. */
function lockOwner(config: Config, request: RunRequest): LockOwner {
  return { holder: request.holder ?? request.logUrl ?? 'a run that gave no name', command: config.command, version: config.version };
}

/** The log group, for the commands after which the environment has one. */
function logGroupField(config: Config): { logGroup?: string } {
  return config.command === 'destroy' ? {} : { logGroup: logGroupOf(config) };
}

/**
 * The subscribers hear of the run. A cancelled run tells no one: the runner kills it seconds
 * later, and those seconds belong to saying where it stopped (its GitHub deployment is failed).
 */
async function tell(config: Config, deps: EngineDeps, report: RunReport, run: RunClock): Promise<void> {
  if (run.signal?.aborted) return;
  await announce(config, deps, report);
}

/** A cancelled run does not wait for its sweep: what it removed by then, a later run will see. */
function unlessCancelled(sweep: Promise<string[]>, run: RunClock): Promise<string[]> {
  return untilCancelled(sweep, run, 'while expired previews were removed').catch(() => []);
}

function outputsOf(config: Config, version: string, stackName: string, url: string, image: ImageRef | undefined, hasChanges: boolean): Record<string, string> {
  // A run that deployed nothing (destroy, or steps without deploy) serves no URL and no stack.
  const serves = config.command !== 'destroy' && (config.command !== 'deploy' || config.steps.includes('deploy'));
  return {
    url: serves ? url : '',
    version,
    image: imageText(image) ?? '',
    'stack-name': serves ? stackName : '',
    environment: config.environment,
    'has-changes': String(hasChanges),
    'log-group': serves ? logGroupOf(config) : '',
  };
}
