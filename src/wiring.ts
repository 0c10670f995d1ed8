import { ACMClient } from '@aws-sdk/client-acm';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECRClient } from '@aws-sdk/client-ecr';
import { Route53Client } from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { createAlarms } from './aws/alarms.js';
import { explainingFailures } from './aws/aws-errors.js';
import { createCertificates } from './aws/certificates.js';
import { clientSettings } from './aws/client-config.js';
import { awsCredentialsFound } from './aws/credentials.js';
import { createDns } from './aws/dns.js';
import { EcrRegistry } from './aws/ecr.js';
import { createIdentity } from './aws/identity.js';
import { createStacks } from './aws/stacks.js';
import { DockerCli } from './build/docker.js';
import { HttpRegistry } from './build/registry-http.js';
import type { EventIntent } from './config/event.js';
import { createReleaseRecords } from './aws/release-records.js';
import { BASE_STACK, repositoryName } from './config/names.js';
import type { Config } from './config/types.js';
import type { EngineDeps, Images } from './engine/context.js';
import { planRun } from './engine/plan.js';
import { planChanges, releaseHistoryNow } from './engine/plan-changes.js';
import { changesAsLogLines } from './engine/stack-status.js';
import type { Log } from './engine/ports.js';
import { parseImageReference, publishImage, type Registry } from './engine/publish-image.js';
import { runCommand } from './engine/run.js';
import { systemClock } from './engine/system-clock.js';
import { createOctokit } from './github/client.js';
import { createFeedback, writeSummary as writeJobSummary, type Feedback } from './github/feedback.js';
import { createProbe } from './http/probe.js';
import { planMarkdown, planText, releasesMarkdown, releasesText } from './report/plan.js';
import type { RunReport } from './report/run-report.js';
import { summaryMarkdown } from './report/summary.js';
import { registryOf } from './templates/application.js';
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
}

export interface EntryOutcome {
  readonly outputs: Readonly<Record<string, string>>;
  readonly report?: RunReport;
  /** Set when the run must fail. */
  readonly failure?: string;
}

const ECR_HOST = /\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/** The registry of the release: a prebuilt image's own, the `registry` input, or the account's ECR. */
function registryFor(config: Config, ecr: ECRClient): Registry {
  const { build } = config;
  // A `registry` input is always a plain v2 registry, whatever its host.
  if (!build.image && build.registry) return httpRegistry(config, build.registry);
  return registryAt(config, ecr, build.image ? registryOf(parseImageReference(build.image).repository) : undefined);
}

/** The registry at a host: ECR for an ECR host or none (the account's), else a plain v2 registry. */
function registryAt(config: Config, ecr: ECRClient, host: string | undefined): Registry {
  const { build } = config;
  if (!host || ECR_HOST.test(host)) return new EcrRegistry({ application: config.application, keepImages: build.keepImages, client: ecr });
  return httpRegistry(config, host);
}

function httpRegistry(config: Config, host: string): Registry {
  const { build } = config;
  // The `registry` input's login is given to its own host only.
  const login = host === build.registry ? { ...(build.registryUsername ? { username: build.registryUsername } : {}), ...(build.registryPassword ? { password: build.registryPassword } : {}) } : {};
  return new HttpRegistry({ registry: host, ...login });
}

export function createEngineDeps(config: Config, info: RunInfo): EngineDeps {
  const settings = clientSettings(info.env);
  const clock = systemClock;
  const route53 = explainingFailures(new Route53Client(settings));
  const ecr = explainingFailures(new ECRClient(settings));
  const registry = registryFor(config, ecr);
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
    holds: async (image) => (await registryAt(config, ecr, registryOf(image.repository)).find(image.repository, image.digest)) === image.digest,
  };
  const s3 = explainingFailures(new S3Client(settings));
  const stacks = createStacks({
    cloudformation: explainingFailures(new CloudFormationClient(settings)),
    s3,
    ssm: explainingFailures(new SSMClient(settings)),
    clock,
    log: (line) => info.log.info(line),
  });
  return {
    stacks,
    records: createReleaseRecords({ s3, bucket: storageBucket(stacks) }),
    dns: createDns(route53, clock),
    alarms: createAlarms(explainingFailures(new CloudWatchClient(settings))),
    identity: createIdentity(explainingFailures(new STSClient(settings))),
    certificates: createCertificates(explainingFailures(new ACMClient(settings)), route53, clock),
    images,
    probe: createProbe(clock),
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
    ...(info.runUrl ? { logUrl: info.runUrl } : {}),
    ...(info.repository ? { commitUrl: `${info.serverUrl ?? 'https://github.com'}/${info.repository}/commit/${info.sha}` } : {}),
    ...(region ? { region } : {}),
  });
  const { report } = outcome;
  if (report.rootCause) {
    const cause = report.rootCause;
    info.log.error(`${cause.stack} ${cause.resource} (${cause.type}) ${cause.status}: ${cause.reason ?? 'no reason given'}`);
  }
  if (feedback) {
    await feedback.finished(report);
    for (const environment of outcome.expiredPreviews) await feedback.previewRemoved(environment, Number(environment.slice(3)));
  }
  await writeSummary(summaryMarkdown(report));
  print(`${report.status}: ${config.command} ${config.application} ${config.environment}${report.url ? ` ${report.url}` : ''} (${report.version || 'no version'})`);
  const failed = report.status === 'failure' || report.status === 'cancelled';
  return { outputs: outcome.outputs, report, ...(failed ? { failure: report.message ?? `${config.command} failed` } : {}) };
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
