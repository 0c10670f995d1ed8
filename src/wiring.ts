import { hostname as osHostname, userInfo } from 'node:os';
import { clientSettings } from './aws/client-config.js';
import { awsCredentialsFound } from './aws/credentials.js';
import { missingTools, startSession } from './aws/session-manager.js';
import { DockerCli } from './build/docker.js';
import { HttpRegistry } from './build/registry-http.js';
import { runEntry, type EntryOutcome, type EntryPorts } from './commands.js';
import type { EventIntent } from './config/event.js';
import { parseImageReference, registryOf } from './config/image-reference.js';
import { BASE_STACK, repositoryName } from './config/names.js';
import type { Config } from './config/types.js';
import type { EngineDeps, Images } from './engine/context.js';
import type { Log } from './engine/ports.js';
import { publishImage, type Registry } from './engine/publish-image.js';
import { systemClock } from './engine/system-clock.js';
import { createOctokit } from './github/client.js';
import { createFeedback, writeSummary as writeJobSummary, type Feedback } from './github/feedback.js';
import { createProbe } from './http/probe.js';
import { BASE_OUTPUTS } from './templates/outputs.js';
import { alarmsPort, certificatesPort, databaseSnapshotsPort, dnsPort, ecrRegistry, identityPort, instancesPort, listenersPort, locksPort, logGroupsPort, logsPort, notificationsPort, processGroupsPort, recordsPort, releaseTasksPort, sdkClients, stacksPort, type SdkClients } from './wiring-aws.js';

export type { EntryOutcome } from './commands.js';

/**
 * The composition root: the one place that knows every adapter. It builds them from the
 * environment and hands them, as ports, to the table of commands (commands.ts), which runs the
 * use case and reports it. main.ts (the action) and cli.ts (the terminal) both call it.
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

/** The docker client of one run: its own configuration directory, removed by `close` when the run ends. */
const dockerFor = (info: RunInfo) => new DockerCli({ mask: info.mask ?? (() => undefined) });

export function createEngineDeps(config: Config, info: RunInfo, clients: SdkClients = sdkClients(clientSettings(info.env)), docker = dockerFor(info)): EngineDeps {
  const clock = systemClock;
  const registry = registryFor(config, clients);
  const source = info.repository ? `${info.serverUrl ?? 'https://github.com'}/${info.repository}` : '';
  const images: Images = {
    publish: (version, signal) => publishImage({ application: config.application, version, build: config.build, source, revision: info.sha, ...(signal ? { signal } : {}) }, { registry, docker, log: info.log, clock }),
    async find(version, signal) {
      // Only reads: plan and rollback must not create a repository.
      const repository = await registry.locate(repositoryName(config.application), signal);
      if (!repository) return undefined;
      const digest = await registry.find(repository, version, signal);
      return digest ? { repository, tag: version, digest } : undefined;
    },
    // Where the image lives, which need not be the registry this run would push to.
    holds: async (image) => (await registryAt(config, clients, registryOf(image.repository)).find(image.repository, image.digest)) === image.digest,
    async protect(environment, versions, only, signal) {
      if (!registry.protect) return;
      const repository = await registry.locate(repositoryName(config.application), signal);
      if (repository) await registry.protect(repository, environment, versions, only, signal);
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
    processGroups: processGroupsPort(clients),
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

export async function runEngine(config: Config, info: RunInfo): Promise<EntryOutcome> {
  const startedAt = Date.now();
  // The region the SDK will use prices the cost estimate and names the session's endpoint.
  const { region } = clientSettings(info.env);
  const clients = sdkClients(clientSettings(info.env));
  const feedback = feedbackFor(config, info);
  const docker = dockerFor(info);
  const ports: EntryPorts = {
    engine: createEngineDeps(config, info, clients, docker),
    instances: instancesPort(clients),
    session: { missing: () => missingTools(info.env), start: (argv) => startSession(argv, info.env) },
    ...(feedback ? { feedback } : {}),
    credentialsFound: awsCredentialsFound,
    // The job summary needs no token: a run without one still says what it did.
    writeSummary: (markdown) => writeJobSummary(markdown, info.log),
    print: info.print ?? ((text: string) => info.log.info(text)),
  };
  try {
    return await runEntry(config, ports, {
      intent: info.intent,
      run: { startedAt, deadline: startedAt + config.timeoutMinutes * 60_000, ...(info.signal ? { signal: info.signal } : {}) },
      sha: info.sha,
      holder: info.runUrl ?? terminalHolder(),
      who: info.env.GITHUB_ACTOR || terminalHolder(),
      ...(info.runUrl ? { logUrl: info.runUrl } : {}),
      ...(info.repository ? { commitUrl: `${info.serverUrl ?? 'https://github.com'}/${info.repository}/commit/${info.sha}` } : {}),
      ...(region ? { region } : {}),
      ...(info.follow !== undefined ? { follow: info.follow } : {}),
      ...(info.execCommand ? { execCommand: info.execCommand } : {}),
    });
  } finally {
    // The registry logins of the run go with its docker configuration, however the run ended.
    await docker.close();
  }
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

