import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { CloudFormationClient, CreateChangeSetCommand, DescribeChangeSetCommand, DescribeStackEventsCommand, DescribeStacksCommand, ExecuteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { taggingIndex } from './stacks-support.js';
import { startSilentEndpoint } from '../support/silent-endpoint.js';
import { createStacks } from '../../src/aws/stacks.js';
import { rollingStack } from '../../src/config/names.js';
import type { Config } from '../../src/config/types.js';
import type { EngineDeps } from '../../src/engine/context.js';
import type { Alarms, Clock, Identity } from '../../src/engine/ports.js';
import { runCommand, type RunOutcome } from '../../src/commands.js';
import { DEPLOYMENT_STATE } from '../../src/github/feedback.js';
import { DANGLING_DESCRIPTION } from '../../src/github/post.js';
import { configOf, VALID_INPUTS } from '../support/config.js';
import { repositoryFile, startGitHubStandIn, type GitHubStandIn } from '../support/github-stand-in.js';
import { parseFileCommands, prepareRunner } from '../support/run-action.js';
import { blueGreen, FakeAws, STAGING_HOST, stagingRelease, V1, V2 } from '../support/fake-aws.js';

/**
 * A cancelled run (the runner's SIGINT, then SIGTERM, then a kill ten seconds later) stops
 * at once, puts traffic back where it was, and says what it left behind.
 */

const A = stagingRelease(V1);
const B = stagingRelease(V2);

/** Runs `config` on `deps` with a cancellation the test controls. */
function runCancellable(aws: FakeAws, config: Config, cancel: AbortController, deps: EngineDeps = aws): Promise<RunOutcome> {
  const request = aws.request(config);
  return runCommand(config, deps, { ...request, run: { ...request.run, signal: cancel.signal } });
}

const weights = (aws: FakeAws) => aws.listeners.changes.map((change) => aws.namedWeights(change.targets));

describe('a cancelled canary', () => {
  test('cancelled while the 10 percent step is watched: all traffic goes back to the release that served, and the report says cancelled and where traffic is', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1));
    const cancel = new AbortController();
    let tenPercent = false;
    aws.listeners.onChange((change) => (tenPercent ||= aws.namedWeights(change.targets)[B] === 10));
    const sleep = aws.clock.sleep.bind(aws.clock);
    aws.clock.sleep = (ms) => {
      if (tenPercent) cancel.abort();
      return sleep(ms);
    };
    const from = aws.listeners.changes.length;

    const { report, outputs } = await runCancellable(aws, blueGreen(V2), cancel);

    assert.deepEqual(weights(aws).slice(from), [{ [A]: 90, [B]: 10 }, { [A]: 100, [B]: 0 }]);
    assert.deepEqual(aws.weightsOf(STAGING_HOST), { [A]: 100, [B]: 0 });
    assert.equal(report.status, 'cancelled');
    assert.match(report.message ?? '', /^The run was cancelled during the rollout\. Traffic: /);
    assert.ok(report.message?.includes(`${A} 100%`) && report.message.includes(`${B} 0%`), 'the message says where traffic was left');
    assert.ok(aws.stacks.get(B), `${B} stays, at weight 0, for the next run`);
    assert.deepEqual(aws.stacks.removed, []);
    assert.equal(outputs['has-changes'], 'false');
  });

  test('a cancellation wakes the step watch at once: the revert does not wait for the end of a pause', { timeout: 5_000 }, async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1));
    const cancel = new AbortController();
    // A watch pause that lasts longer than the runner waits before it kills the step.
    const slow: Clock = {
      now: () => aws.clock.now(),
      sleep: () => {
        setImmediate(() => cancel.abort());
        return new Promise(() => undefined);
      },
    };
    const from = aws.listeners.changes.length;

    const { report } = await runCancellable(aws, blueGreen(V2, { 'step-wait': '600' }), cancel, { ...aws, clock: slow } as EngineDeps);

    assert.equal(report.status, 'cancelled');
    assert.deepEqual(weights(aws).slice(from).at(-1), { [A]: 100, [B]: 0 });
  });
});

describe('a cancelled stack operation', () => {
  const STACK = rollingStack('shop', 'production');
  const STACK_ID = `arn:aws:cloudformation:eu-west-1:123456789012:stack/${STACK}/5b3c0f10-1a2b-11f0-9d3e-0a1b2c3d4e5f`;

  test('cancelled while CloudFormation updates the application stack: the run stops watching, touches no record, and says which stack was left in which state', async () => {
    const aws = new FakeAws();
    const config = configOf({ 'application-name': 'shop', environment: 'production', steps: 'deploy', version: V2 });
    aws.images.push(V2);
    const cancel = new AbortController();
    const client = new CloudFormationClient({ region: 'eu-west-1' });
    const cloudformation = mockClient(client);
    const tags = [{ Key: 'wimpy:application', Value: 'shop' }, { Key: 'wimpy:environment', Value: 'production' }];
    const stack = (status: string) => ({ StackName: STACK, StackId: STACK_ID, StackStatus: status, CreationTime: new Date(0), Parameters: [], Tags: tags }) as never;
    // The list of the environment's stacks (no name) sees the stack as it is before the update.
    cloudformation.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    cloudformation.on(DescribeStacksCommand, { StackName: STACK }).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    // The application's load balancer, as the environment phase of an earlier run left it.
    cloudformation.on(DescribeStacksCommand, { StackName: 'shop-production-load-balancer' }).resolves({ Stacks: [{ StackName: 'shop-production-load-balancer', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(0), Outputs: [
      { OutputKey: 'HttpsListenerArn', OutputValue: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop/1/2' },
      { OutputKey: 'LoadBalancerDnsName', OutputValue: 'shop-1.eu-west-1.elb.amazonaws.com' },
      { OutputKey: 'LoadBalancerHostedZoneId', OutputValue: 'Z32O12XQLNTSW2' },
    ] }] });
    cloudformation.on(CreateChangeSetCommand).resolves({ Id: 'change-set', StackId: STACK_ID });
    cloudformation.on(DescribeChangeSetCommand).resolves({ Status: 'CREATE_COMPLETE', StackId: STACK_ID, CreationTime: new Date(0), Changes: [] });
    cloudformation.on(ExecuteChangeSetCommand).resolves({});
    cloudformation.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    // The runner cancels while the update is under way.
    cloudformation.on(DescribeStacksCommand, { StackName: STACK_ID }).callsFake(() => {
      cancel.abort();
      return { Stacks: [stack('UPDATE_IN_PROGRESS')] };
    });
    const deps: EngineDeps = { ...aws, stacks: createStacks({ cloudformation: client, tagging: taggingIndex().client, clock: aws.clock }) };

    const { report } = await runCancellable(aws, config, cancel, deps);

    assert.equal(report.status, 'cancelled');
    assert.equal(report.message, `The run was cancelled while stack ${STACK} was UPDATE_IN_PROGRESS: this action stopped watching it, and CloudFormation goes on with the operation.`);
    assert.equal(cloudformation.commandCalls(DescribeStacksCommand, { StackName: STACK_ID }).length, 1, 'no poll after the cancellation');
    assert.deepEqual(aws.dns.batches, []);
    assert.deepEqual(aws.listeners.changes, []);
  });
});

describe('a cancellation reaches the ports', () => {
  test('cancelled while the account is checked: the identity port gets the run\'s signal and stops, and the run ends cancelled before any change', { timeout: 10_000 }, async () => {
    const aws = new FakeAws();
    const cancel = new AbortController();
    let heard: AbortSignal | undefined;
    // An STS that answers only when the request is aborted: only the signal can end the wait.
    const identity: Identity = {
      accountId: (signal) => {
        heard = signal;
        const aborted = new Promise<string>((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
        cancel.abort();
        return aborted;
      },
    };
    const from = aws.journal.length;

    const { report } = await runCancellable(aws, configOf({ 'allowed-account-ids': '123456789012' }), cancel, { ...aws, identity } as EngineDeps);

    assert.equal(heard, cancel.signal);
    assert.equal(report.status, 'cancelled');
    assert.equal(report.message, 'The run was cancelled while the account was checked.');
    assert.deepEqual(aws.since(from).filter((entry) => !entry.startsWith('locks.') && !entry.includes('list')), []);
  });

  test('cancelled while the alarms are checked (under the lock): the alarms port gets a signal the cancellation aborts', { timeout: 10_000 }, async () => {
    const aws = new FakeAws();
    aws.alarms.set('api-errors');
    const cancel = new AbortController();
    let heard: AbortSignal | undefined;
    const alarms: Alarms = {
      firing: (names) => aws.alarms.firing(names),
      missing: (_names, signal) => {
        heard = signal;
        const aborted = new Promise<string[]>((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
        cancel.abort();
        return aborted;
      },
    };

    const { report } = await runCancellable(aws, blueGreen(V1, { 'alarm-names': 'api-errors' }), cancel, { ...aws, alarms } as EngineDeps);

    // Under the lock the run's signal is joined with the lock's own: the port hears either.
    assert.equal(heard?.aborted, true);
    assert.equal(report.status, 'cancelled');
    assert.equal(report.message, 'The run was cancelled while the alarms were checked.');
    assert.equal(aws.stacks.get(A), undefined, 'no release was deployed');
  });
});

interface Step {
  readonly child: ChildProcess;
  /** Resolves when the process has ended: its exit code or signal, its log, and how long it took after `mark`. */
  readonly ended: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; endedAt: number }>;
}

/**
 * The bundled action as the runner starts it, the process kept in hand so that the test can
 * signal it as the runner does when a run is cancelled (run-action.ts only waits for the end).
 */
function startStep(env: NodeJS.ProcessEnv, cwd: string): Step {
  const child = spawn(repositoryFile('node_modules', '.bin', 'node'), [repositoryFile('dist', 'index.js')], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => stdout.push(chunk));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; endedAt: number }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(stdout).toString('utf8'), endedAt: Date.now() })),
  );
  return { child, ended };
}

interface Workspace {
  readonly dir: string;
  readonly state: string;
  readonly env: NodeJS.ProcessEnv;
}

/** A runner's workspace for a deploy of a push, reporting to the GitHub stand-in, its AWS calls going to `endpoint`. */
async function workspace(endpoint: string, github: GitHubStandIn): Promise<Workspace> {
  const runner = await prepareRunner({
    awsEndpoint: endpoint,
    inputs: { ...VALID_INPUTS },
    github: { apiUrl: github.url, token: github.token, repository: `${github.owner}/${github.repo}` },
  });
  return { dir: runner.dir, state: runner.files.state, env: runner.env };
}

async function until(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface RunningDeploy {
  readonly step: Step;
  readonly github: GitHubStandIn;
  readonly space: Workspace;
  /** The GitHub deployment the step started. */
  readonly deploymentId: number;
}

/** Starts a deploy whose AWS calls never get an answer, and hands it over once its deployment exists and AWS is being waited on. */
async function whileDeploying(work: (running: RunningDeploy) => Promise<void>): Promise<void> {
  const aws = await startSilentEndpoint();
  const github = await startGitHubStandIn();
  const space = await workspace(aws.url, github);
  const step = startStep(space.env, space.dir);
  try {
    await until(() => aws.requests.length > 0 && github.deployments.length > 0, 'the deploy to start');
    await work({ step, github, space, deploymentId: Number(github.deployments[0]!.id) });
  } finally {
    step.child.kill('SIGKILL');
    await Promise.all([aws.close(), github.close(), rm(space.dir, { recursive: true, force: true })]);
  }
}

const RUNNER_PATIENCE_MS = 10_000;

describe('the action cancelled by the runner', { timeout: 60_000 }, () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} while AWS does not answer ends the step within a few seconds, failed, saying so, and its GitHub deployment ends in error`, () =>
      whileDeploying(async ({ step, github, space, deploymentId }) => {
        const signalledAt = Date.now();
        step.child.kill(signal);
        const ended = await Promise.race([step.ended, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('still running 10 s after the signal: the runner would kill it')), RUNNER_PATIENCE_MS))]);

        assert.ok(ended.endedAt - signalledAt < 5_000, `ended ${ended.endedAt - signalledAt} ms after ${signal}`);
        assert.equal(ended.code, 1, ended.stdout);
        assert.match(ended.stdout, new RegExp(`::warning::Received ${signal}: stopping`));
        // Its first request is the lock's: the cancellation finds the run asking for it.
        assert.match(ended.stdout, /::error::The run was cancelled while it asked for the lock of awesome-application\/staging; nothing was changed/);
        assert.equal(github.latestState(deploymentId), 'error');
        assert.deepEqual(parseFileCommands(await readFile(space.state, 'utf8'))[DEPLOYMENT_STATE], '', 'the step ended its deployment itself');
      }));
  }

  test('a step killed outright leaves its deployment to the post step, which ends it in error', () =>
    whileDeploying(async ({ step, github, space, deploymentId }) => {
      step.child.kill('SIGKILL');
      await step.ended;
      assert.equal(github.latestState(deploymentId), 'in_progress');

      // The runner hands the saved state to the post step as STATE_<name>.
      const state = parseFileCommands(await readFile(space.state, 'utf8'));
      await writeFile(space.state, '');
      const post = startStep({ ...space.env, ...Object.fromEntries(Object.entries(state).map(([name, value]) => [`STATE_${name}`, value])) }, space.dir);
      const ended = await post.ended;

      assert.equal(ended.code, 0, ended.stdout);
      assert.equal(github.latestState(deploymentId), 'error');
      assert.equal(github.statuses.get(deploymentId)!.at(-1)!.description, DANGLING_DESCRIPTION);
      assert.deepEqual(github.violations, []);
    }));
});
