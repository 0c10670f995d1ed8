import { releaseName } from '../stacks/application-release.js';
import { oversizedTemplates } from '../stacks/inline-limit.js';
import type { Config } from '../config/types.js';
import type { CostEstimate } from '../cost/estimate.js';
import { eventReport, stackReport, type BootLogReport, type EventReport, type ReleaseCommandOutputReport, type StackReport } from './run-report.js';
import type { KeptRelease } from './cleanup.js';
import { CancelledError, cancelledAs, type EngineDeps, type RunClock } from './context.js';
import { deployRelease, type DeployResult, type Placement } from './deploy-phase.js';
import { environmentCost } from './cost.js';
import { destroy } from './destroy.js';
import { checkDomains } from './domains.js';
import type { DomainFacts, PlacedDomain } from '../config/domains.js';
import { applyEnvironment } from './environment-phase.js';
import type { ImageRef, ResourceChange, StackEvent, StackResult } from './ports.js';
import type { Weighted } from './traffic.js';
import { StackFailure } from './ports.js';
import { removeExpiredPreviews } from './previews.js';
import type { ProcessMove } from './process-handover.js';
import { promote } from './promote.js';
import { rollback } from './rollback.js';
import { RolloutFailure, watchedAlarms, type TrafficMove } from './rollout.js';
import { lockKey, waitLimit, withLock, type LastRun, type LockOwner, type RunEnding } from './lock.js';
import { changesAsLogLines, eventLine } from './stack-status.js';
import { failedBootLogs, logGroupOf } from './logs.js';
import { ReleaseCommandFailure } from './release-command.js';
import { applySchedules, followServingRelease, type SchedulesOutcome } from './schedules.js';
import { share } from './traffic.js';
import { loadBalancerStack, schedulesStack } from '../config/names.js';
import { certificateParameter } from '../stacks/application-load-balancer.js';

/**
 * The use cases behind the commands that change releases (deploy, rollback, promote, destroy),
 * and the frame they share: the checks before any change, the lock, the sweep of expired
 * previews. Each returns what it did; report/run.ts says it to people.
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

/** What the use cases see while they work, whatever their result. */
export interface Progress {
  stacks: StackReport[];
  warnings: string[];
  changes: Map<string, readonly ResourceChange[]>;
  events: StackEvent[];
  image?: ImageRef;
  /** The environment's domains, as the check before any change placed them. */
  domains?: readonly PlacedDomain[];
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

/** Refuses, before the first change, an account that allowed-account-ids does not name. */
export async function checkAccount(config: Config, deps: EngineDeps, signal?: AbortSignal): Promise<void> {
  if (config.allowedAccountIds.length === 0) return;
  const account = await deps.identity.accountId(signal);
  if (!config.allowedAccountIds.includes(account)) {
    throw new Error(`The AWS credentials are for account ${account}, which allowed-account-ids (${config.allowedAccountIds.join(', ')}) does not allow: nothing was changed.`);
  }
}

async function checkAlarms(config: Config, deps: EngineDeps, signal?: AbortSignal): Promise<void> {
  if (config.alarmNames.length === 0 || config.strategy !== 'blue-green') return;
  const missing = await deps.alarms.missing(config.alarmNames, signal);
  if (missing.length > 0) throw new Error(`alarm-names: ${missing.join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist in CloudWatch in this region: nothing was changed.`);
}

/**
 * The zone and its wildcard certificate: looked up once, while other phases run, and side by
 * side: the certificate is found by the zone's name, its id is needed only to validate a new one.
 */
function placementFor(config: Config, deps: EngineDeps, run: RunClock) {
  return async (knownZoneId?: string): Promise<Placement> => {
    const zone = knownZoneId !== undefined ? Promise.resolve(knownZoneId) : deps.dns.zoneId(config.hostedZone, run.signal);
    const [zoneId, certificateArn] = await Promise.all([zone, deps.certificates.ensureWildcard(config.hostedZone, zone, run, certificateInUse(config, deps, run, config.hostedZone))]);
    return { zoneId, certificateArn };
  };
}

/**
 * The certificate for `*.name` that the application's load balancer has now, from its stack
 * (which the run describes anyway): the certificate kept while it is good, so that a run with
 * nothing to change does not list the account's certificates to find it again. A stack that
 * cannot be read gives none: the certificate is then looked for as on a first deploy.
 */
function certificateInUse(config: Config, deps: EngineDeps, run: RunClock, name: string): Promise<string | undefined> {
  return deps.stacks.describe(loadBalancerStack(config.application, config.networkEnvironment), run.signal)
    .then((stack) => stack?.parameters[certificateParameter(config, name)], () => undefined);
}

/**
 * The certificates the domains need besides the zone's (whose wildcard covers the zone and one
 * label below it): a wildcard for each other name, in the zone that holds it, side by side.
 */
async function domainCertificates(config: Config, placed: readonly PlacedDomain[], deps: EngineDeps, run: RunClock): Promise<DomainFacts> {
  const zones = new Map(placed.filter((domain) => domain.certificate !== config.hostedZone).map((domain) => [domain.certificate, domain.zoneId]));
  const arns = await Promise.all([...zones].map(async ([name, zoneId]) => [name, await deps.certificates.ensureWildcard(name, zoneId, run, certificateInUse(config, deps, run, name))] as const));
  return { placed, certificateArns: Object.fromEntries(arns) };
}

async function releaseImage(config: Config, deps: EngineDeps, version: string, signal: AbortSignal | undefined): Promise<ImageRef> {
  if (config.steps.includes('build') || config.build.image) return deps.images.publish(version, signal);
  const found = await deps.images.find(version, signal);
  if (!found) throw new Error(`Version ${version} is not in the registry and steps leaves out build: add build to steps, or give a version that was built before.`);
  return found;
}

async function deployPhases(config: Config, deps: EngineDeps, request: RunRequest, progress: Progress): Promise<DeployResult | undefined> {
  const { run } = request;
  const track = tracker(deps, progress);
  await cancelledAs(checkAlarms(config, deps, run.signal), run, 'while the alarms were checked');
  const wantsDeploy = config.steps.includes('deploy');
  const wantsEnvironment = config.steps.includes('environment');
  // The image and the certificate do not depend on each other: side by side, and beside the
  // environment, which waits for the certificate only where its load balancer's listener needs it.
  const placed = wantsDeploy || wantsEnvironment ? placementFor(config, deps, run)() : Promise.resolve(undefined);
  const certificate = async () => (await placed)!.certificateArn;
  const domains = () => domainCertificates(config, progress.domains ?? [], deps, run);
  const [environment, image, placement] = await cancelledAs(Promise.all([
    wantsEnvironment ? deps.log.group('environment', () => applyEnvironment(config, deps, run, { ...track, certificate, domains })) : Promise.resolve([] as StackResult[]),
    config.steps.includes('build') || wantsDeploy ? deps.log.group('build', () => releaseImage(config, deps, config.version, run.signal)) : Promise.resolve(undefined),
    placed,
  ]), run, 'before the release was deployed');
  progress.stacks.push(...environment.map(stackReport));
  if (image) progress.image = image;
  if (!wantsDeploy || !image || !placement) return undefined;
  const result = await deps.log.group('deploy', () => deployRelease(config, image, placement, deps, run, track));
  progress.stacks.push(stackReport(result.stack));
  return result;
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

function rootCauseOf(error: unknown, progress: Progress): Pick<RunFailure, 'rootCause' | 'lastEvents'> {
  if (!(error instanceof StackFailure)) return {};
  const events = progress.events.filter((event) => event.stackName === error.stackName).slice(-8).map(eventReport);
  return { ...(error.rootCause ? { rootCause: eventReport(error.rootCause) } : {}), ...(events.length ? { lastEvents: events } : {}) };
}

/**
 * What a command did, in facts rather than words: the release it acted on, where traffic went
 * and how, what it kept and removed. report/run.ts turns it into the RunReport people read.
 */
export interface CommandResult {
  /** The release acted on: the configured version, or the one a rollback or promote found. */
  readonly version: string;
  readonly stackName: string;
  readonly traffic: readonly Weighted[];
  /** The steps traffic went through (blue-green), a revert last. */
  readonly moves: readonly TrafficMove[];
  /** The alarms that watch the release's canary steps. */
  readonly alarms: readonly string[];
  /** Whether traffic moved or stacks went, apart from the stacks' own changes. */
  readonly changed: boolean;
  readonly kept: readonly KeptRelease[];
  readonly pinnedUrl?: string;
  /** What people are told besides the stacks: how a rollback went, what destroy removed. */
  readonly message?: string;
  /** What the application costs a month once this release serves. */
  readonly cost?: CostEstimate;
  /** The application's schedules after the command: what they run, and their alarm. */
  readonly schedules?: SchedulesOutcome;
  /** The process groups a rollback or a promote started or stopped with the traffic. */
  readonly processMoves?: readonly ProcessMove[];
}

/** A use case under the run's lock: what it did, over what it learned before (its defaults). */
export type UseCase = (config: Config, deps: EngineDeps, request: RunRequest, progress: Progress, before: CommandResult) => Promise<Partial<CommandResult>>;

/** Why a run failed, as the report tells it. */
export interface RunFailure {
  readonly message: string;
  readonly cancelled: boolean;
  readonly rootCause?: EventReport;
  readonly lastEvents?: readonly EventReport[];
  readonly bootLogs?: readonly BootLogReport[];
  readonly releaseCommandOutput?: ReleaseCommandOutputReport;
}

/** A run of a command under the lock: what the use case did, what the run saw, how it ended. */
export interface RunResult {
  readonly did: CommandResult;
  /** Every stack applied or removed, in order, with the changes executed. */
  readonly stacks: readonly StackReport[];
  readonly warnings: readonly string[];
  readonly image?: ImageRef;
  readonly failure?: RunFailure;
  /** Previews removed because they expired: their GitHub deployments become inactive. */
  readonly expiredPreviews: readonly string[];
  readonly startedAt: number;
  readonly endedAt: number;
  /** False when allowed-account-ids refused the account: nobody is told of it from inside it. */
  readonly accountAllowed: boolean;
  /** Settles once the run's lock is released: the entry awaits it after reporting. */
  readonly released: Promise<void>;
}

/** The commands that change releases under the lock, each one use case. */
export const USE_CASES = {
  async deploy(config, deps, request, progress) {
    const result = await deployPhases(config, deps, request, progress);
    if (!result) return {};
    // Once the traffic moved: the schedules run the release that serves.
    const full = share(result.traffic, result.stack.name) === 100;
    const schedules = await deps.log.group('schedules', () => applySchedules(config, { full, ...(result.scheduleTask ? { taskDefinition: result.scheduleTask } : {}) }, deps, request.run, tracker(deps, progress)));
    if (schedules?.applied) progress.stacks.push(schedules.outcome === 'removed' ? { name: schedules.stack, outcome: 'removed', changes: [] } : stackReport(schedules.applied));
    return {
      ...(schedules ? { schedules } : {}),
      traffic: result.traffic,
      stackName: result.stack.name,
      changed: result.trafficChanged,
      kept: result.cleanup.kept,
      moves: result.moves ?? [],
      ...(result.pinnedUrl ? { pinnedUrl: result.pinnedUrl } : {}),
      cost: environmentCost(config, request.region),
    };
  },
  async rollback(config, deps, request, progress) {
    const { run } = request;
    const result = await rollback(config, deps, run, (zoneId) => placementFor(config, deps, run)(zoneId), tracker(deps, progress));
    if (result.redeploy) progress.stacks.push(stackReport(result.redeploy.stack));
    const schedules = await follow(config, result.version, deps, run, progress);
    return {
      ...(schedules ? { schedules } : {}),
      version: result.version,
      traffic: result.traffic,
      stackName: result.stackName,
      changed: true,
      processMoves: result.processMoves,
      message: result.flipped ? `Traffic moved back to ${result.version}: a weight change, no deploy.` : `Release ${result.version} was deployed again from the registry, without a build.`,
    };
  },
  async promote(config, deps, request, progress) {
    await cancelledAs(checkAlarms(config, deps, request.run.signal), request.run, 'while the alarms were checked');
    const result = await promote(config, deps, request.run);
    const schedules = await follow(config, result.version, deps, request.run, progress);
    return { ...(schedules ? { schedules } : {}), kept: result.cleanup.kept, moves: result.moves, processMoves: result.processMoves, version: result.version, traffic: result.traffic, stackName: result.stackName, alarms: watchedAlarms(config, result.stackName), changed: true };
  },
  async destroy(config, deps, request, progress) {
    const result = await destroy(config, deps, request.run);
    progress.stacks.push(...result.removed.map((name): StackReport => ({ name, outcome: 'removed', changes: [] })));
    return {
      changed: result.removed.length > 0,
      message: [result.removed.length > 0 ? `Removed ${result.removed.join(', ')}.` : 'Nothing to remove.', ...(result.notes ?? [])].join(' '),
    };
  },
} satisfies Record<string, UseCase>;

export type LockedCommand = keyof typeof USE_CASES;

/**
 * After a rollback's or a promote's traffic change, the schedules follow the release that now
 * serves. Traffic has moved already: a failure here does not undo it or fail the command, it is
 * a warning that names the schedules stack and what to do.
 */
async function follow(config: Config, version: string, deps: EngineDeps, run: RunClock, progress: Progress): Promise<SchedulesOutcome | undefined> {
  try {
    const schedules = await deps.log.group('schedules', () => followServingRelease(config, version, deps, run, tracker(deps, progress)));
    if (schedules?.applied) progress.stacks.push(stackReport(schedules.applied));
    return schedules;
  } catch (error) {
    const warning = `The schedules (${schedulesStack(config.application, config.environment)}) could not move to ${version}, which serves now: ${(error as Error).message} They still run the release they ran before; deploy ${version} again to move them.`;
    deps.log.warning(warning);
    progress.warnings.push(warning);
    return undefined;
  }
}

/** What a command knows before its use case runs: the configured release, no traffic yet. */
function before(config: Config): CommandResult {
  const stackName = releaseName(config, config.version || 'none');
  return {
    version: config.version,
    stackName,
    traffic: [],
    moves: [],
    // A blue-green deploy names the alarms that will watch its canary steps, even when it fails before them.
    alarms: config.strategy === 'blue-green' && config.command === 'deploy' && config.steps.includes('deploy') ? watchedAlarms(config, stackName) : [],
    changed: false,
    kept: [],
  };
}

/**
 * The frame of every command that changes releases: the checks before any change, the sweep of
 * expired previews beside it, the lock, then the command's one use case.
 */
export async function runLocked(config: Config, deps: EngineDeps, request: RunRequest, useCase: UseCase): Promise<RunResult> {
  const progress: Progress = { stacks: [], warnings: [], changes: new Map(), events: [] };
  const started = request.run.startedAt;
  let did = before(config);
  let sweep: Promise<string[]> = Promise.resolve([]);
  // An account that allowed-account-ids refuses is not touched at all, not even to tell of it.
  let accountAllowed = false;
  let released: Promise<void> = Promise.resolve();
  const seen = () => ({ warnings: progress.warnings, ...(progress.image ? { image: progress.image } : {}), startedAt: started, accountAllowed, released });
  try {
    // A template CloudFormation cannot take inline would stop the run halfway: stop it before anything changes.
    const oversized = config.command === 'deploy' ? oversizedTemplates(config) : [];
    if (oversized.length > 0) throw new Error(oversized.join('\n'));
    await cancelledAs(checkAccount(config, deps, request.run.signal), request.run, 'while the account was checked');
    accountAllowed = true;
    // A domain that is in no zone of the account, or holds someone else's records, stops the run before anything changes.
    if (config.command === 'deploy') progress.domains = await cancelledAs(checkDomains(config, deps, request.run.signal), request.run, 'while the domains were checked');
    // Everything from here decides from what AWS holds once this run holds the lock.
    // The lock's record keeps how this run ended: `status` tells it as the last deployment.
    const lastRun = (outcome: RunEnding): LastRun => ({
      who: request.who ?? lockOwner(config, request).holder,
      command: config.command,
      version: did.version,
      stack: did.stackName,
      startedAt: started,
      endedAt: deps.clock.now(),
      outcome,
      ...(request.logUrl ? { runUrl: request.logUrl } : {}),
    });
    await withLock(deps, request.run, { ...lockOwner(config, request), key: lockKey(config.application, config.environment), waitUntil: waitLimit(request.run), deferRelease: (release) => (released = release), lastRun }, async (locked, lock) => {
      const run: RunClock = { ...locked, lock };
      // Expired previews are other stacks than this run's: swept side by side with its work, but
      // after a rollback, whose few reads before its weight change must stay few. Started once
      // the lock is held, so that its listing of the application's stacks, which the run's own
      // listings then filter (one query of the tag index), is what AWS held from then on.
      if (config.command !== 'rollback' && !(config.command === 'destroy' && config.preview !== undefined)) sweep = removeExpiredPreviews(config, deps, request.run, lockOwner(config, request));
      did = { ...did, ...(await useCase(config, deps, { ...request, run }, progress, did)) };
    });
  } catch (error) {
    // A reverted rollout moved traffic back: the report says where it went, not nothing.
    if (error instanceof RolloutFailure) did = { ...did, traffic: error.traffic, moves: error.moves };
    const cancelled = error instanceof CancelledError || request.run.signal?.aborted === true;
    // A failed release command's lines are shown as a block of their own, after its sentence.
    const message = error instanceof ReleaseCommandFailure ? error.sentence : error instanceof Error ? error.message : String(error);
    const bootLogs = cancelled ? {} : await bootLogsOf(error, config, did.version, deps, started);
    const releaseCommandOutput = error instanceof ReleaseCommandFailure && error.lastLines.length > 0 ? { releaseCommandOutput: { lines: error.lastLines, logStream: error.logStream } } : {};
    const failure: RunFailure = { message, cancelled, ...rootCauseOf(error, progress), ...bootLogs, ...releaseCommandOutput };
    return { did, stacks: progress.stacks, failure, endedAt: deps.clock.now(), expiredPreviews: await sweep, ...seen() };
  }
  const expiredPreviews = config.command === 'rollback' ? await removeExpiredPreviews(config, deps, request.run, lockOwner(config, request)) : await sweep;
  const stacks = progress.stacks.map((stack) => ({ ...stack, changes: progress.changes.get(stack.name) ?? stack.changes }));
  return { did, stacks, endedAt: deps.clock.now(), expiredPreviews, ...seen() };
}

/** How this run describes itself in the locks it takes. */
function lockOwner(config: Config, request: RunRequest): LockOwner {
  return { holder: request.holder ?? request.logUrl ?? 'a run that gave no name', command: config.command, version: config.version };
}

