import { hostname as osHostname, userInfo } from 'node:os';
import { clientSettings } from './aws/client-config.js';
import { awsCredentialsFound } from './aws/credentials.js';
import { missingTools, startSession } from './aws/session-manager.js';
import { chooseInstance, ExecError, missingToolsMessage, sessionArgv } from './engine/exec.js';
import { readReleases } from './engine/rollback.js';
import { readStatus } from './engine/status.js';
import { statusMarkdown, statusText } from './report/status.js';
import { DockerCli } from './build/docker.js';
import { HttpRegistry } from './build/registry-http.js';
import type { EventIntent } from './config/event.js';
import { BASE_STACK, repositoryName } from './config/names.js';
import type { Config } from './config/types.js';
import type { EngineDeps, Images } from './engine/context.js';
import { planRun } from './engine/plan.js';
import { planChanges, releaseHistoryNow } from './engine/plan-changes.js';
import { changesAsLogLines } from './engine/stack-status.js';
import { formatLogLine, readLogs } from './engine/logs.js';
import { parseImageReference, publishImage, type Registry } from './engine/publish-image.js';
import { runCommand } from './engine/run.js';
import { systemClock } from './engine/system-clock.js';
import { createOctokit } from './github/client.js';
import { createFeedback, writeSummary as writeJobSummary, type Feedback } from './github/feedback.js';
import { createProbe } from './http/probe.js';
import { alarmsPort, certificatesPort, databaseSnapshotsPort, dnsPort, ecrRegistry, identityPort, instancesPort, listenersPort, locksPort, logGroupsPort, logsPort, notificationsPort, recordsPort, releaseTasksPort, sdkClients, stacksPort, type SdkClients } from './wiring-aws.js';
import type { Log } from './engine/ports.js';
import { planMarkdown, planText, releasesMarkdown, releasesText } from './report/plan.js';
import type { RunReport } from './engine/run-report.js';
import { summaryMarkdown } from './report/summary.js';
import { logsMarkdown } from './report/logs.js';
import { registryOf } from './platforms/ec2/release-template.js';
import { BASE_OUTPUTS } from './templates/outputs.js';

/**
 * The composition root: the one place that knows every adapter. It builds them from the
 * environment, hands them to the engine as ports, and turns the engine's report into what
 * people see. main.ts (the action) and cli.ts (the terminal) both call it.
 */

export interface RunInfo {
  readonly env: NodeJS.ProcessEnv;
  readonly log: Log;
  readonly intent: EventIntent;
  readonly sha: string;
  readonly runUrl?: string;
  /** owner/repo */
  readonly repository?: string;
  readonly serverUrl?: string;
  readonly githubToken?: string;
  /** Hides a secret in the log before it is used; a no-op in a terminal. */
  readonly mask?: (secret: string) => void;
  readonly signal?: AbortSignal;
  /** Where a terminal prints the plan; the action logs it. */
  readonly print?: (text: string) => void;
  /** `logs` in a terminal: keep printing new lines until interrupted. */
  readonly follow?: boolean;
  /** `exec`: the command to run in the container; a shell when empty. */
  readonly execCommand?: readonly string[];
}

export interface EntryOutcome {
  readonly outputs: Readonly<Record<string, string>>;
  readonly report?: RunReport;
  /** Set when the run must fail. */
  readonly failure?: string;
  /** What a terminal's --json prints instead of the outputs: `status`'s whole report. */
  readonly document?: unknown;
  /** A terminal's exit code other than 0 or 1: 2 where a tool is missing. */
  readonly exitCode?: number;
}

const ECR_HOST = /\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/** The registry of the release: a prebuilt image's own, the `registry` input, or the account's ECR. */
function registryFor(config: Config, clients: SdkClients): Registry {
  const { build } = config;
  // A `registry` input is always a plain v2 registry, whatever its host.
  if (!build.image && build.registry) return httpRegistry(config, build.registry);
  return registryAt(config, clients, build.image ? registryOf(parseImageReference(build.image).repository) : undefined);
}

/** The registry at a host: ECR for an ECR host or none (the account's), else a plain v2 registry. */
function registryAt(config: Config, clients: SdkClients, host: string | undefined): Registry {
  const { build } = config;
  if (!host || ECR_HOST.test(host)) return ecrRegistry(clients, { application: config.application, keepImages: build.keepImages });
  return httpRegistry(config, host);
}

function httpRegistry(config: Config, host: string): Registry {
  const { build } = config;
  // The `registry` input's login is given to its own host only.
  const login = host === build.registry ? { ...(build.registryUsername ? { username: build.registryUsername } : {}), ...(build.registryPassword ? { password: build.registryPassword } : {}) } : {};
  return new HttpRegistry({ registry: host, ...login });
}

export function createEngineDeps(config: Config, info: RunInfo): EngineDeps {
  const clients = sdkClients(clientSettings(info.env));
  const clock = systemClock;
  const registry = registryFor(config, clients);
  const docker = new DockerCli({ mask: info.mask ?? (() => undefined) });
  const source = info.repository ? `${info.serverUrl ?? 'https://github.com'}/${info.repository}` : '';
  const images: Images = {
    publish: (version) => publishImage({ application: config.application, version, build: config.build, source, revision: info.sha }, { registry, docker, log: info.log, clock }),
    async find(version) {
      // Only reads: plan and rollback must not create a repository.
      const repository = await registry.locate(repositoryName(config.application));
      if (!repository) return undefined;
      const digest = await registry.find(repository, version);
      return digest ? { repository, tag: version, digest } : undefined;
    },
    // Where the image lives, which need not be the registry this run would push to.
    holds: async (image) => (await registryAt(config, clients, registryOf(image.repository)).find(image.repository, image.digest)) === image.digest,
    async protect(environment, versions, only) {
      if (!registry.protect) return;
      const repository = await registry.locate(repositoryName(config.application));
      if (repository) await registry.protect(repository, environment, versions, only);
    },
  };
  const stacks = stacksPort(clients, { clock, log: (line) => info.log.info(line) });
  return {
    stacks,
    records: recordsPort(clients, storageBucket(stacks)),
    dns: dnsPort(clients, clock),
    listeners: listenersPort(clients),
    alarms: alarmsPort(clients),
    identity: identityPort(clients),
    certificates: certificatesPort(clients, clock),
    images,
    probe: createProbe(clock),
    logGroups: logGroupsPort(clients),
    notifications: notificationsPort(clients),
    locks: locksPort(clients),
    logs: logsPort(clients),
    releaseTasks: releaseTasksPort(clients),
    databaseSnapshots: databaseSnapshotsPort(clients),
    clock,
    log: info.log,
  };
}

/** The base stack's storage bucket, looked up once it exists (a first deploy creates it mid-run). */
function storageBucket(stacks: EngineDeps['stacks']): () => Promise<string | undefined> {
  let found: string | undefined;
  return async () => (found ??= (await stacks.describe(BASE_STACK))?.outputs[BASE_OUTPUTS.storageBucketName]);
}

function feedbackFor(config: Config, info: RunInfo): Feedback | undefined {
  const [owner, repo] = (info.repository ?? '').split('/');
  if (!info.githubToken || !owner || !repo) return undefined;
  return createFeedback({
    octokit: createOctokit(info.githubToken),
    repo: { owner, repo },
    log: info.log,
    application: config.application,
    ...(config.preview !== undefined ? { pullRequest: config.preview } : {}),
    ...(info.runUrl ? { logUrl: info.runUrl } : {}),
  });
}

/** The commands that put a release in front of people get a GitHub Deployment. */
const DEPLOYING = new Set(['deploy', 'rollback', 'promote']);

export async function runEngine(config: Config, info: RunInfo): Promise<EntryOutcome> {
  const startedAt = Date.now();
  const print = info.print ?? ((text: string) => info.log.info(text));
  const feedback = feedbackFor(config, info);
  // The job summary needs no token: a run without one still says what it did.
  const writeSummary = (markdown: string) => writeJobSummary(markdown, info.log);
  // The region the SDK will use prices the cost estimate.
  const { region } = clientSettings(info.env);

  if (info.intent.kind === 'skip') {
    const report = skippedReport(config, info, info.intent.reason);
    info.log.info(info.intent.reason);
    await writeSummary(summaryMarkdown(report));
    return { outputs: { environment: config.environment, version: config.version, 'has-changes': 'false' }, report };
  }

  if (config.command === 'plan') {
    const plan = planRun(config, region);
    print(planText(plan));
    let summary = planMarkdown(plan);
    let hasChanges = false;
    if (await awsCredentialsFound()) {
      const deps = createEngineDeps(config, info);
      try {
        const changes = await info.log.group('change sets', () =>
          planChanges(config, deps, { startedAt, deadline: startedAt + config.timeoutMinutes * 60_000, ...(info.signal ? { signal: info.signal } : {}) }, (stack, list) => print(changesAsLogLines(stack, list).join('\n'))),
        );
        hasChanges = changes.some((stack) => stack.outcome !== 'unchanged');
        const releases = config.steps.includes('deploy') ? await releaseHistoryNow(config, deps) : [];
        print(releasesText(releases));
        summary = `${planMarkdown(plan, changes)}\n\n${summaryMarkdown({ ...skippedReport(config, info, ''), status: 'planned', stacks: changes, durationMs: Date.now() - startedAt })}\n\n${releasesMarkdown(releases, new URL(plan.url).hostname)}`;
      } catch (error) {
        await writeSummary(summary);
        return { outputs: {}, failure: `The plan could not read the account: ${(error as Error).message}` };
      }
    }
    await writeSummary(summary);
    const stack = plan.stacks.find((planned) => planned.phase === 'deploy')?.name ?? '';
    return { outputs: { url: plan.url, version: plan.version, image: '', 'stack-name': stack, environment: config.environment, 'has-changes': String(hasChanges) } };
  }

  if (config.command === 'logs') return runLogs(config, info, print, writeSummary);
  if (config.command === 'status') return runStatus(config, info, print, writeSummary);
  if (config.command === 'exec') return runExec(config, info, print);

  const deps = createEngineDeps(config, info);
  if (feedback && DEPLOYING.has(config.command)) {
    await feedback.started({
      sha: info.sha,
      environment: config.environment,
      version: config.version,
      production: config.environment === 'production',
      transient: config.preview !== undefined,
      description: `${config.command} ${config.application} ${config.version}`.slice(0, 140),
      ...(info.runUrl ? { logUrl: info.runUrl } : {}),
    });
  }
  const outcome = await runCommand(config, deps, {
    run: { startedAt, deadline: startedAt + config.timeoutMinutes * 60_000, ...(info.signal ? { signal: info.signal } : {}) },
    sha: info.sha,
    holder: info.runUrl ?? terminalHolder(),
    who: info.env.GITHUB_ACTOR || terminalHolder(),
    ...(info.runUrl ? { logUrl: info.runUrl } : {}),
    ...(info.repository ? { commitUrl: `${info.serverUrl ?? 'https://github.com'}/${info.repository}/commit/${info.sha}` } : {}),
    ...(region ? { region } : {}),
  });
  const { report } = outcome;
  if (report.rootCause) {
    const cause = report.rootCause;
    info.log.error(`${cause.stack} ${cause.resource} (${cause.type}) ${cause.status}: ${cause.reason ?? 'no reason given'}`);
  }
  // The annotation people see first says why the instances never answered.
  for (const boot of report.bootLogs ?? []) {
    info.log.error(`Instance ${boot.instance} of ${boot.release}, last ${boot.lines.length} lines of its boot and container logs:\n${boot.lines.join('\n')}\nMore: ${boot.command}`);
  }
  if (feedback) {
    await feedback.finished(report);
    for (const environment of outcome.expiredPreviews) await feedback.previewRemoved(environment, Number(environment.slice(3)));
  }
  await writeSummary(summaryMarkdown(report));
  print(`${report.status}: ${config.command} ${config.application} ${config.environment}${report.url ? ` ${report.url}` : ''} (${report.version || 'no version'})`);
  await outcome.released;
  const failed = report.status === 'failure' || report.status === 'cancelled';
  return { outputs: outcome.outputs, report, ...(failed ? { failure: report.message ?? `${config.command} failed` } : {}) };
}

/** A run from a terminal names itself by who and where: `user@host`. */
function terminalHolder(): string {
  let user = 'someone';
  try {
    user = userInfo().username;
  } catch {
    // No user name in this environment (a container without a passwd entry).
  }
  return `${user}@${osHostname()} (terminal)`;
}

/** `logs`: only a CloudWatch Logs client, no stack or GitHub call. */
async function runLogs(config: Config, info: RunInfo, print: (text: string) => void, writeSummary: (markdown: string) => Promise<boolean>): Promise<EntryOutcome> {
  const logs = logsPort(sdkClients(clientSettings(info.env)));
  try {
    const result = await readLogs(config, { logs, clock: systemClock }, { follow: info.follow === true, ...(info.signal ? { signal: info.signal } : {}), onLine: (line) => print(formatLogLine(line)) });
    if (result.count === 0) info.log.info(`No log lines in ${result.group} for ${config.environment}${config.logs.release ? ` release ${config.logs.release}` : ''} in that window.`);
    await writeSummary(logsMarkdown(config, result));
    return { outputs: { 'log-group': result.group, environment: config.environment } };
  } catch (error) {
    return { outputs: {}, failure: `The logs could not be read: ${(error as Error).message}` };
  }
}

/** Only the clients `status` and `exec` read with, made when they are used. */
function readingDeps(info: RunInfo) {
  const clients = sdkClients(clientSettings(info.env));
  return {
    stacks: stacksPort(clients, { clock: systemClock, log: (line: string) => info.log.info(line) }),
    dns: dnsPort(clients, systemClock),
    listeners: listenersPort(clients),
    instances: instancesPort(clients),
    locks: locksPort(clients),
    clock: systemClock,
  };
}

async function runStatus(config: Config, info: RunInfo, print: (text: string) => void, writeSummary: (markdown: string) => Promise<boolean>): Promise<EntryOutcome> {
  try {
    const status = await readStatus(config, readingDeps(info));
    print(statusText(status));
    await writeSummary(statusMarkdown(status));
    return { document: status, outputs: { url: status.url, environment: config.environment, 'log-group': status.logGroup, version: status.releases.find((release) => release.weight > 0 && !release.canary)?.version ?? '' } };
  } catch (error) {
    return { outputs: {}, failure: `The status could not be read: ${(error as Error).message}` };
  }
}

/** `exec`: finds the instance, then hands the terminal to the user's AWS CLI. */
async function runExec(config: Config, info: RunInfo, print: (text: string) => void): Promise<EntryOutcome> {
  const deps = readingDeps(info);
  let argv: string[];
  try {
    const [state, groups] = await Promise.all([readReleases(config, deps), deps.instances.groups(config.application, config.environment, Date.now())]);
    const instance = chooseInstance(state, groups);
    argv = sessionArgv(instance.id, info.execCommand ?? [], clientSettings(info.env).region);
    info.log.info(`Instance ${instance.id} of release ${instance.version}`);
  } catch (error) {
    if (error instanceof ExecError) return { outputs: {}, failure: error.message };
    return { outputs: {}, failure: `The instance could not be found: ${(error as Error).message}` };
  }
  const missing = missingTools(info.env);
  if (missing.length > 0) {
    print(missingToolsMessage(missing, argv));
    return { outputs: {}, failure: `${missing.join(' and ')} not installed`, exitCode: 2 };
  }
  const code = await startSession(argv, info.env);
  return { outputs: {}, ...(code !== 0 ? { failure: `The session ended with exit code ${code}`, exitCode: code } : {}) };
}

function skippedReport(config: Config, info: RunInfo, reason: string): RunReport {
  return {
    application: config.application,
    environment: config.environment,
    command: config.command,
    strategy: config.strategy,
    status: 'skipped',
    version: config.version,
    sha: info.sha,
    traffic: [],
    stacks: [],
    durationMs: 0,
    ...(reason ? { message: reason } : {}),
    ...(info.runUrl ? { logUrl: info.runUrl } : {}),
  };
}
