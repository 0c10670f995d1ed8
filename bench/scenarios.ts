import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';
import { CloudFormationClient, DescribeStacksCommand, paginateDescribeStacks } from '@aws-sdk/client-cloudformation';
import { Route53Client } from '@aws-sdk/client-route-53';
import { createCertificates } from '../src/aws/certificates.js';
import { intentOf, readEvent } from '../src/config/event.js';
import { defaultOf, INPUTS } from '../src/config/inputs.js';
import { applicationStack, BASE_STACK, hostname, loadBalancerStack, pinnedHostname, previewEnvironment, releaseStack, rollingStack } from '../src/config/names.js';
import { readConfig } from '../src/config/read-config.js';
import type { Config } from '../src/config/types.js';
import { accountBaseline } from '../src/stacks/account-baseline.js';
import { applicationRelease, type ReleaseFacts } from '../src/stacks/application-release.js';
import { applicationLoadBalancer } from '../src/stacks/application-load-balancer.js';
import { applicationResources } from '../src/stacks/application-resources.js';
import { plannedSpec } from '../src/stacks/catalogue.js';
import { environmentNetwork } from '../src/stacks/environment-network.js';
import { rulePriority } from '../src/engine/listener-traffic.js';
import { systemClock } from '../src/engine/system-clock.js';
import { LOAD_BALANCER_OUTPUTS } from '../src/templates/outputs.js';
import { cidrFor } from '../src/templates/network.js';
import { startAwsProxy, type AwsProxy, type StandInAnswer } from '../test/support/aws-proxy.js';
import { APPLICATION, CREDENTIALS, REGION, ZONE, imageOf, prepareEmulator } from '../test/support/emulator.js';
import { examplePayload, inputVariable, parseFileCommands, PUSH_SHA } from '../test/support/run-action.js';
import { addPreviews, addUnrelatedStacks, type SeededPreview } from './account-fill.js';
import { AwsCliScript, type RuleTarget } from './aws-cli.js';
import { measure, repositoryFile } from './measure.js';
import { sequentialRoundTrips, startTimeline, type TimedRequest, type Timeline } from './timeline.js';

/**
 * The scenarios of `npm run bench`: the bundled action, run as a runner runs it, and the AWS CLI
 * script a team would write instead, each against the same endpoint through the counting proxy.
 */

export interface Traffic {
  readonly wallMs: number;
  readonly requests: number;
  /** By `<service>:<operation>`, as the counting proxy names them. */
  readonly byApi: Readonly<Record<string, number>>;
  readonly roundTrips: number;
  readonly peakInFlight: number;
  readonly timeline: readonly TimedRequest[];
}

export interface ActionMeasurement extends Traffic {
  readonly peakMb: number;
}

export interface Probe {
  readonly proxy: AwsProxy;
  readonly timeline: Timeline;
}

/** A GitHub event as the runner hands it to the step. */
interface GitHubEvent {
  readonly name: string;
  readonly payload: Record<string, unknown>;
}

/** One run of the action: its inputs by action.yml's names, and its event (a push to main unless given). */
interface ActionStep {
  readonly inputs: Readonly<Record<string, string>>;
  readonly event?: GitHubEvent;
  /** The action's clock runs this far ahead: stacks made just now look that old (the emulator cannot age them). */
  readonly clockAheadMs?: number;
}

const PUSH: GitHubEvent = { name: 'push', payload: { ref: 'refs/heads/main', after: PUSH_SHA } };

/** Every input the runner sets: the step's own, else action.yml's default; no GitHub token, as in a fork. */
function runnerInputs(step: ActionStep): Record<string, string> {
  const defaults = Object.fromEntries(INPUTS.filter((input) => input.default !== undefined).map((input) => [input.name, input.name === 'github-token' ? '' : input.default!]));
  return { ...defaults, ...step.inputs };
}

/** The event's commit and ref, as GitHub sets them. */
function eventFacts(event: GitHubEvent): { sha: string; ref: string } {
  const number = event.payload.number;
  return event.name.startsWith('pull_request') ? { sha: 'c0ffee0000000000000000000000000000000002', ref: `refs/pull/${String(number)}/merge` } : { sha: PUSH_SHA, ref: 'refs/heads/main' };
}

/** The configuration the action reads for a step: the same templates the script is given. */
function configOf(step: ActionStep): Config {
  const event = step.event ?? PUSH;
  const inputs = runnerInputs(step);
  const facts = eventFacts(event);
  const read = readEvent(event.name, event.payload, facts.sha, facts.ref);
  return readConfig((name) => inputs[name] ?? defaultOf(name), { sha: read.sha, intent: intentOf(read) });
}

/**
 * Runs dist/index.js as the runner does (a fresh Node 24, configured by its environment alone),
 * with the peak-memory preload of bench/measure.ts, which test/support/run-action.ts has no way
 * to add; the GitHub API is left out.
 */
async function runBundledAction(awsEndpoint: string, step: ActionStep): Promise<{ wallMs: number; peakMb: number; outputs: Record<string, string> }> {
  const dir = await mkdtemp(join(tmpdir(), 'wimpy-bench-run-'));
  try {
    const event = step.event ?? PUSH;
    const files = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: join(dir, 'summary.md'), GITHUB_STATE: join(dir, 'state'), GITHUB_EVENT_PATH: join(dir, 'event.json') };
    await Promise.all(Object.values(files).map((file) => writeFile(file, '')));
    await writeFile(files.GITHUB_EVENT_PATH, JSON.stringify(event.payload));
    const { sha, ref } = eventFacts(event);
    const inputs = Object.entries(runnerInputs(step)).map(([name, value]) => [inputVariable(name), value]);
    // What the action and the toolkit read of a runner's environment, and nothing of this process's.
    const run = await measure(repositoryFile('dist', 'index.js'), [], {
      PATH: process.env.PATH,
      HOME: dir,
      ...files,
      GITHUB_EVENT_NAME: event.name,
      GITHUB_SHA: sha,
      GITHUB_REF: ref,
      AWS_ENDPOINT_URL: awsEndpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
      ...(step.clockAheadMs ? { WIMPY_BENCH_CLOCK_AHEAD_MS: String(step.clockAheadMs) } : {}),
      ...Object.fromEntries(inputs),
    });
    if (run.exitCode !== 0) throw new Error(`The action failed (exit ${String(run.exitCode)}) with inputs ${JSON.stringify(step.inputs)}:\n${run.stdout.slice(-4000)}${run.stderr.slice(-2000)}`);
    return { wallMs: run.wallMs, peakMb: run.peakMb, outputs: parseFileCommands(await readFile(files.GITHUB_OUTPUT, 'utf8')) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What went through the proxy while `work` ran. */
async function observe<T>(probe: Probe, work: () => Promise<T>): Promise<{ value: T; traffic: Traffic }> {
  probe.proxy.resetStats();
  probe.timeline.reset();
  const started = performance.now();
  const value = await work();
  const wallMs = performance.now() - started;
  const stats = probe.proxy.stats();
  const timeline = probe.timeline.requests();
  return { value, traffic: { wallMs, requests: stats.total, byApi: stats.byApi, roundTrips: sequentialRoundTrips(timeline), peakInFlight: stats.peakInFlight, timeline } };
}

/** A run that did not do what its scenario says would measure something else: it stops the bench. */
function expectOutputs(step: ActionStep, outputs: Readonly<Record<string, string>>, expected: Readonly<Record<string, string>>): void {
  const wrong = Object.entries(expected).filter(([name, value]) => outputs[name] !== value);
  if (wrong.length > 0) throw new Error(`The action's run with ${JSON.stringify(step.inputs)} did not do what the scenario expects: ${wrong.map(([name, value]) => `${name} is ${JSON.stringify(outputs[name])}, not ${JSON.stringify(value)}`).join('; ')}`);
}

async function timedAction(probe: Probe, step: ActionStep, expected: Readonly<Record<string, string>>): Promise<ActionMeasurement> {
  const { value, traffic } = await observe(probe, () => runBundledAction(probe.timeline.url, step));
  expectOutputs(step, value.outputs, expected);
  // The child's own clock: from its spawn to its exit.
  return { ...traffic, wallMs: value.wallMs, peakMb: value.peakMb };
}

// The runs, as a workflow would make them: the environment, build (a prebuilt image pinned by
// digest, since an emulator's registry takes no push) and deploy phases; no URL to wait for.
const STAGING = { 'application-name': APPLICATION, 'hosted-zone': ZONE, 'verify-url': 'false' };
const PRODUCTION = { ...STAGING, environment: 'production', strategy: 'blue-green', 'canary-steps': '10,50,100', 'step-wait': '0' };
const release = (version: string, digit: string) => ({ version, image: imageOf(digit) });

/** GitHub's own example payload for the pull request's event; its own number unless given. */
function pullRequest(action: string, number?: number): GitHubEvent {
  const payload = examplePayload<Record<string, unknown> & { pull_request: Record<string, unknown> }>('pull_request', action);
  if (number !== undefined) {
    payload.number = number;
    payload.pull_request.number = number;
  }
  return { name: 'pull_request', payload };
}

/** More than preview-ttl (7 days unless given): the run that sweeps sees every preview as expired. */
const EIGHT_DAYS_MS = 8 * 24 * 3_600_000;
export const UNRELATED_STACKS = 250;
export const EXPIRED_PREVIEWS = 30;

const STEPS = {
  firstDeploy: { inputs: { ...STAGING, ...release('v1', '1') } },
  newVersion: { inputs: { ...STAGING, ...release('v2', '2') } },
  productionV1: { inputs: { ...PRODUCTION, ...release('v1', '1') } },
  // The release itself: the environment was checked by the run that made v1.
  blueGreen: { inputs: { ...PRODUCTION, ...release('v2', '2'), steps: 'deploy' } },
  rollback: { inputs: { ...PRODUCTION, command: 'rollback', version: 'v1' } },
  thirdRelease: { inputs: { ...PRODUCTION, ...release('v3', '4'), steps: 'deploy' } },
  productionAgain: { inputs: { ...PRODUCTION, ...release('v3', '4') } },
  // The staging deploy of a push, eight days after the previews were made.
  sweep: { inputs: { ...STAGING, ...release('v2', '2') }, clockAheadMs: EIGHT_DAYS_MS },
  previewOpened: { inputs: { ...STAGING, image: imageOf('3') }, event: pullRequest('opened') },
  previewClosed: { inputs: STAGING, event: pullRequest('closed') },
} satisfies Record<string, ActionStep>;

export type ScenarioName = 'firstDeploy' | 'noChange' | 'newVersion' | 'blueGreen' | 'rollback' | 'thirdRelease' | 'previewTeardown' | 'previewSweep' | 'noChangeCrowded' | 'rollbackCrowded';

/** The scenarios the script runs too; the others are compared with one of these. */
export type ScriptScenario = Exclude<ScenarioName, 'previewSweep' | 'noChangeCrowded' | 'rollbackCrowded'>;

/** Each scenario: its title, its column heading, and what the AWS CLI script does for the same outcome (none: not run by the script). */
export const SCENARIOS: Readonly<Record<ScenarioName, { readonly title: string; readonly short: string; readonly script?: string }>> = {
  firstDeploy: {
    title: 'first deploy, all phases (staging, rolling)',
    short: 'first deploy',
    script: '5 × (`create-stack` + `wait stack-create-complete`), `describe-stacks`, `elbv2 describe-rules`, `create-rule`, one alias record change + `wait resource-record-sets-changed`',
  },
  noChange: { title: 'the same version again, all phases', short: 'no change', script: 'the script of a new version' },
  newVersion: { title: 'new version (rolling)', short: 'new version', script: '5 × `cloudformation deploy`, `describe-stacks`, `elbv2 describe-rules`, `modify-rule`' },
  blueGreen: {
    title: 'blue-green release (production, canary 10, 50, 100, no step wait)',
    short: 'blue-green',
    script: '`create-stack` of the new release + wait, `describe-stacks`, `elbv2 describe-rules`, 3 × `modify-rule`',
  },
  rollback: { title: 'rollback to the warm release', short: 'rollback', script: '`describe-stacks`, `elbv2 describe-rules`, `modify-rule`' },
  thirdRelease: {
    title: 'the third blue-green release (after the rollback)',
    short: 'third release',
    script: '`create-stack` of the new release + wait, `describe-stacks`, `elbv2 describe-rules`, 3 × `modify-rule`',
  },
  previewTeardown: { title: 'preview teardown (pull request closed)', short: 'preview teardown', script: '`elbv2 describe-rules`, `delete-rule`, `list-resource-record-sets`, alias delete + wait, 2 × (`delete-stack` + `wait stack-delete-complete`): the release, then its resources' },
  previewSweep: { title: `a staging deploy that finds ${EXPIRED_PREVIEWS} expired previews (and removes them)`, short: `${EXPIRED_PREVIEWS} expired previews` },
  noChangeCrowded: { title: `the same version again, all phases (production), in an account of ${UNRELATED_STACKS} more stacks`, short: `no change, ${UNRELATED_STACKS} stacks` },
  rollbackCrowded: { title: `rollback to the warm release in an account of ${UNRELATED_STACKS} more stacks`, short: `rollback, ${UNRELATED_STACKS} stacks` },
};

export interface Account {
  readonly zoneId: string;
  readonly certificateArn: string;
  close(): void;
}

/**
 * A clean account (moto is reset) with the zone, its wildcard certificate and a CloudFormation
 * that has answered once. `issued`: wait until ACM issues the certificate, as the action does,
 * which takes moto a minute the first time; the script only needs its ARN.
 */
export async function prepareAccount(issued: boolean): Promise<Account> {
  const emulator = await prepareEmulator();
  const settings = { endpoint: emulator.endpoint, region: REGION, credentials: CREDENTIALS };
  const acm = new ACMClient(settings);
  const route53 = new Route53Client(settings);
  try {
    await emulator.cloudformation.send(new DescribeStacksCommand({}));
    const certificateArn = issued
      ? await createCertificates(acm, route53, systemClock).ensureWildcard(ZONE, emulator.zoneId, { deadline: Date.now() + 5 * 60_000 })
      : (await acm.send(new RequestCertificateCommand({ DomainName: `*.${ZONE}`, SubjectAlternativeNames: [ZONE], ValidationMethod: 'DNS' }))).CertificateArn!;
    return { zoneId: emulator.zoneId, certificateArn, close: () => emulator.close() };
  } finally {
    acm.destroy();
    route53.destroy();
  }
}

/** The action's scenarios, one after another on one account; setup runs go straight to the endpoint, untimed. */
export async function runActionScenarios(endpoint: string, probe: Probe, account: Account, progress: (name: ScenarioName) => void): Promise<Record<ScenarioName, ActionMeasurement>> {
  const untimed = (step: ActionStep) => runBundledAction(endpoint, step);
  const timed = (name: ScenarioName, step: ActionStep, expected: Readonly<Record<string, string>>) => {
    progress(name);
    return timedAction(probe, step, expected);
  };
  const staging = rollingStack(APPLICATION, 'staging');
  const firstDeploy = await timed('firstDeploy', STEPS.firstDeploy, { 'stack-name': staging, version: 'v1', 'has-changes': 'true' });
  // The first run after a creation updates the release stack once (its group's size goes to
  // the scaling policy), so the run with nothing to change is the one after that.
  await untimed(STEPS.firstDeploy);
  const noChange = await timed('noChange', STEPS.firstDeploy, { 'stack-name': staging, version: 'v1', 'has-changes': 'false' });
  const newVersion = await timed('newVersion', STEPS.newVersion, { 'stack-name': staging, version: 'v2', 'has-changes': 'true' });
  await untimed(STEPS.productionV1);
  const blueGreen = await timed('blueGreen', STEPS.blueGreen, { 'stack-name': releaseStack(APPLICATION, 'production', 'v2'), version: 'v2', 'has-changes': 'true' });
  const rollback = await timed('rollback', STEPS.rollback, { 'stack-name': releaseStack(APPLICATION, 'production', 'v1'), version: 'v1', 'has-changes': 'true' });
  const thirdRelease = await timed('thirdRelease', STEPS.thirdRelease, { 'stack-name': releaseStack(APPLICATION, 'production', 'v3'), version: 'v3', 'has-changes': 'true' });
  await untimed(STEPS.previewOpened);
  const previewTeardown = await timed('previewTeardown', STEPS.previewClosed, { environment: previewEnvironment(2), 'has-changes': 'true' });
  await addPreviews(endpoint, account.zoneId, loadBalancerStack(APPLICATION, 'staging'), expiredPreviews(account));
  const previewSweep = await timed('previewSweep', STEPS.sweep, { 'stack-name': staging, version: 'v2' });
  const left = await previewsLeft(endpoint);
  if (left > 0) throw new Error(`The run that found ${EXPIRED_PREVIEWS} expired previews left ${left} of their stacks: the scenario did not do what it says`);
  await untimed(STEPS.productionAgain);
  await addUnrelatedStacks(endpoint, UNRELATED_STACKS);
  const noChangeCrowded = await timed('noChangeCrowded', STEPS.productionAgain, { 'stack-name': releaseStack(APPLICATION, 'production', 'v3'), version: 'v3', 'has-changes': 'false' });
  const rollbackCrowded = await timed('rollbackCrowded', STEPS.rollback, { 'stack-name': releaseStack(APPLICATION, 'production', 'v1'), version: 'v1', 'has-changes': 'true' });
  return { firstDeploy, noChange, newVersion, blueGreen, rollback, thirdRelease, previewTeardown, previewSweep, noChangeCrowded, rollbackCrowded };
}

/** The previews that nobody closed: pull requests 101 and up, each as its deploy made it. */
function expiredPreviews(account: Account): SeededPreview[] {
  return Array.from({ length: EXPIRED_PREVIEWS }, (_, i) => {
    const config = configOf({ inputs: { ...STAGING, image: imageOf('3') }, event: pullRequest('opened', 101 + i) });
    const specs = specsOf(config, { image: config.build.image ?? '', certificateArn: account.certificateArn, hostedZoneId: account.zoneId });
    // Staging's own stacks (base, network, load balancer) exist; the preview's resources are its own.
    return { stacks: [specs.resources, specs.application], hostname: hostname(config.application, config.environment, config.hostedZone) };
  });
}

/** How many stacks of previews 101 and up the account still holds. */
async function previewsLeft(endpoint: string): Promise<number> {
  const cloudformation = new CloudFormationClient({ endpoint, region: REGION, credentials: CREDENTIALS });
  try {
    let left = 0;
    for await (const page of paginateDescribeStacks({ client: cloudformation }, {})) left += (page.Stacks ?? []).filter((stack) => /-pr-1\d\d(-|$)/.test(stack.StackName ?? '') && stack.StackStatus !== 'DELETE_COMPLETE').length;
    return left;
  } finally {
    cloudformation.destroy();
  }
}

/** The specs the action applies for a step, in the order a script deploys them. */
function specsOf(config: Config, facts: ReleaseFacts) {
  const cidr = cidrFor(config.networkEnvironment, []);
  const resources = plannedSpec(applicationResources, config);
  return {
    environment: [plannedSpec(accountBaseline, config), environmentNetwork.spec(config, { cidr, nat: config.nat }), applicationLoadBalancer.spec(config, { certificateArn: facts.certificateArn }), resources],
    resources,
    application: applicationRelease.spec(config, facts),
  };
}

/** A release's target group at a weight, from its stack's outputs. */
function routeOf(outputs: Map<string, Record<string, string>>, release: string, weight: number): RuleTarget {
  const targetGroupArn = outputs.get(release)?.TargetGroupArn;
  if (!targetGroupArn) throw new Error(`The script found no target group on stack ${release}`);
  return { targetGroupArn, weight };
}

/** The load balancer of an environment, from its stack's outputs. */
function balancerOf(outputs: Map<string, Record<string, string>>, environment: string) {
  const stack = outputs.get(loadBalancerStack(APPLICATION, environment));
  const listenerArn = stack?.[LOAD_BALANCER_OUTPUTS.httpsListenerArn];
  if (!stack || !listenerArn) throw new Error(`The script found no listener on the load balancer of ${environment}`);
  return { listenerArn, dnsName: stack[LOAD_BALANCER_OUTPUTS.dnsName]!, hostedZoneId: stack[LOAD_BALANCER_OUTPUTS.canonicalHostedZoneId]! };
}

/** The AWS CLI script for the same outcomes, on a fresh account whose zone and certificate exist. */
export async function runScriptScenarios(endpoint: string, probe: Probe, placement: Account, progress: (name: ScenarioName) => void): Promise<Record<ScriptScenario, Traffic>> {
  const script = await AwsCliScript.create(probe.timeline.url);
  const direct = await AwsCliScript.create(endpoint);
  try {
    // Each release's pinned rule at the priority the action would pick for it: the listener takes one rule a priority.
    const factsFor = (config: Config): ReleaseFacts => ({ image: config.build.image ?? '', certificateArn: placement.certificateArn, hostedZoneId: placement.zoneId, rulePriority: rulePriority(pinnedHostname(config.application, config.environment, config.version, config.hostedZone), []) });
    /**
     * The hostname's rule to the targets: found by `describe-rules` and changed, or, the first
     * time, created with the hostname's alias to the load balancer.
     */
    const forward = async (cli: AwsCliScript, outputs: Map<string, Record<string, string>>, environment: string, host: string, targets: readonly RuleTarget[]) => {
      const balancer = balancerOf(outputs, environment);
      const rule = await cli.hostRule(balancer.listenerArn, host);
      if (rule) return cli.modifyRule(rule, targets);
      await cli.createRule(balancer.listenerArn, host, rulePriority(host, []), targets);
      await cli.setAlias(placement.zoneId, host, balancer.dnsName, balancer.hostedZoneId);
    };
    /**
     * The whole script of a push: every stack, then the hostname's rule to the release.
     * `creates` names the stacks that do not exist yet.
     */
    const deployAll = async (cli: AwsCliScript, step: ActionStep, creates: (name: string) => boolean) => {
      const config = configOf(step);
      const specs = specsOf(config, factsFor(config));
      for (const spec of [...specs.environment, specs.application]) await (creates(spec.name) ? cli.create(spec) : cli.deploy(spec));
      const host = hostname(config.application, config.environment, config.hostedZone);
      const outputs = await cli.outputs();
      await forward(cli, outputs, config.environment, host, [routeOf(outputs, specs.application.name, 100)]);
    };
    const timed = async (name: ScriptScenario, work: () => Promise<void>) => {
      progress(name);
      return (await observe(probe, work)).traffic;
    };

    const firstDeploy = await timed('firstDeploy', () => deployAll(script, STEPS.firstDeploy, () => true));
    const noChange = await timed('noChange', () => deployAll(script, STEPS.firstDeploy, () => false));
    const newVersion = await timed('newVersion', () => deployAll(script, STEPS.newVersion, () => false));

    await deployAll(direct, STEPS.productionV1, (name) => name !== BASE_STACK);
    const production = configOf(STEPS.blueGreen);
    const host = hostname(production.application, production.environment, production.hostedZone);
    const [v1, v2, v3] = ['v1', 'v2', 'v3'].map((version) => applicationStack(production.application, production.environment, 'blue-green', version)) as [string, string, string];
    const balancer = (outputs: Map<string, Record<string, string>>) => balancerOf(outputs, production.environment).listenerArn;
    const blueGreen = await timed('blueGreen', async () => {
      await script.create(specsOf(production, factsFor(production)).application);
      const outputs = await script.outputs();
      const rule = (await script.hostRule(balancer(outputs), host))!;
      for (const weight of [10, 50, 100]) await script.modifyRule(rule, [routeOf(outputs, v1, 100 - weight), routeOf(outputs, v2, weight)]);
    });
    const rollback = await timed('rollback', async () => {
      const outputs = await script.outputs();
      const rule = (await script.hostRule(balancer(outputs), host))!;
      await script.modifyRule(rule, [routeOf(outputs, v1, 100), routeOf(outputs, v2, 0)]);
    });
    const third = configOf(STEPS.thirdRelease);
    const thirdRelease = await timed('thirdRelease', async () => {
      await script.create(specsOf(third, factsFor(third)).application);
      const outputs = await script.outputs();
      const rule = (await script.hostRule(balancer(outputs), host))!;
      for (const weight of [10, 50, 100]) await script.modifyRule(rule, [routeOf(outputs, v1, 100 - weight), routeOf(outputs, v2, 0), routeOf(outputs, v3, weight)]);
    });

    const preview = configOf(STEPS.previewOpened);
    const previewSpecs = specsOf(preview, factsFor(preview));
    const previewStack = previewSpecs.application;
    // A preview has resources of its own (its role, its security groups), then its release, behind staging's load balancer.
    const previewResources = previewSpecs.resources;
    await direct.create(previewResources);
    await direct.create(previewStack);
    const previewHost = hostname(preview.application, preview.environment, preview.hostedZone);
    const seeded = await direct.outputs();
    await forward(direct, seeded, 'staging', previewHost, [routeOf(seeded, previewStack.name, 100)]);
    const previewTeardown = await timed('previewTeardown', async () => {
      const rule = await script.hostRule(balancerOf(seeded, 'staging').listenerArn, previewHost);
      if (rule) await script.deleteRule(rule);
      await script.deleteRecords(placement.zoneId, previewHost);
      await script.deleteStack(previewStack.name);
      await script.deleteStack(previewResources.name);
    });
    return { firstDeploy, noChange, newVersion, blueGreen, rollback, thirdRelease, previewTeardown };
  } finally {
    await Promise.all([script.close(), direct.close()]);
  }
}

/**
 * moto has no ListImports. What AWS answers for an export no stack imports, which is true of
 * every export the scenarios remove a stack of (a preview's release goes before its resources):
 * answered at once, where reading every template of the account (listImportsStandIn, for the
 * e2e tests) would add the emulator's time to the runs measured.
 */
async function notImported(params: URLSearchParams): Promise<StandInAnswer> {
  const name = params.get('ExportName') ?? '';
  return {
    status: 400,
    headers: { 'content-type': 'text/xml' },
    body: `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Export '${name}' is not imported by any stack.</Message></Error><RequestId>stand-in</RequestId></ErrorResponse>`,
  };
}

export async function startProbe(endpoint: string, latencyMs: number): Promise<Probe> {
  const proxy = await startAwsProxy({ target: endpoint, latencyMs, standIns: { 'cloudformation:ListImports': notImported } });
  return { proxy, timeline: await startTimeline(proxy.url) };
}

export async function closeProbe(probe: Probe): Promise<void> {
  await probe.timeline.close();
  await probe.proxy.close();
}

