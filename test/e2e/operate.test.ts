import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CREDENTIALS, REGION, deployInputs, imageOf, prepareEmulator, skip, type Emulator } from '../support/emulator.js';
import { repositoryFile } from '../support/github-stand-in.js';
import { runAction, type StepResult } from '../support/run-action.js';

// Issue 19: logs, status and exec after a deploy, from the terminal and from the action.

const GROUP = '/wimpy/production/awesome-application';
const BASE = ['--application-name', 'awesome-application', '--hosted-zone', 'armesto.net', '--environment', 'production'];
const MINUTE = 60_000;

describe('operating a deployed application against an AWS API', { skip }, () => {
  let emulator: Emulator;
  const now = Date.now();

  /** `wimpy <args>` as a person runs it, with the emulator's endpoint and keys. */
  function wimpy(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<StepResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [repositoryFile('dist', 'cli', 'index.js'), ...args], {
        env: { PATH: process.env.PATH, AWS_ENDPOINT_URL: emulator.endpoint, AWS_REGION: REGION, AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (exitCode) => resolve({ exitCode, stdout, stderr }));
    });
  }

  /** Lines as an instance's container would send them. */
  async function write(logs: CloudWatchLogsClient, stream: string, at: number, message: string): Promise<void> {
    await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: stream }));
    await logs.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, logEvents: [{ timestamp: at, message }] }));
  }

  before(async () => {
    emulator = await prepareEmulator();
    const blueGreen = { environment: 'production', strategy: 'blue-green', 'step-wait': '0' };
    for (const [version, digit, steps] of [['v1', '1', '100'], ['v2', '2', '10']] as const) {
      const run = await runAction({ awsEndpoint: emulator.endpoint, inputs: deployInputs({ ...blueGreen, version, image: imageOf(digit), 'canary-steps': steps }) });
      assert.equal(run.exitCode, 0, run.stdout + run.stderr);
      assert.equal(run.outputs['log-group'], GROUP);
    }
    const logs = new CloudWatchLogsClient({ endpoint: emulator.endpoint, region: REGION, credentials: CREDENTIALS });
    await write(logs, 'production/v1/i-0old/web', now - 3 * 60 * MINUTE, 'v1 three hours ago');
    await write(logs, 'production/v1/i-0aaa/web', now - 30 * MINUTE, 'v1 half an hour ago');
    await write(logs, 'production/v2/i-0bbb/web', now - 5 * MINUTE, 'v2 five minutes ago');
    logs.destroy();
  });
  after(() => emulator?.close());

  test('wimpy logs prints the last hour, oldest first, each line with its release and instance', async () => {
    const run = await wimpy(['logs', ...BASE]);
    assert.equal(run.exitCode, 0, run.stderr);
    const lines = run.stdout.split('\n').filter((line) => line.includes(' | '));
    assert.deepEqual(lines.map((line) => line.replace(/^\S+ /, '')), ['v1 i-0aaa web | v1 half an hour ago', 'v2 i-0bbb web | v2 five minutes ago']);
  });

  test('wimpy logs --since and --release narrow the lines', async () => {
    const older = await wimpy(['logs', ...BASE, '--since', '4h']);
    assert.match(older.stdout, /v1 three hours ago[\s\S]*v1 half an hour ago[\s\S]*v2 five minutes ago/);
    const recent = await wimpy(['logs', ...BASE, '--since', '10m']);
    assert.doesNotMatch(recent.stdout, /v1 /);
    assert.match(recent.stdout, /v2 five minutes ago/);
    const release = await wimpy(['logs', ...BASE, '--since', new Date(now - 4 * 60 * MINUTE).toISOString(), '--release', 'v1']);
    assert.match(release.stdout, /v1 three hours ago[\s\S]*v1 half an hour ago/);
    assert.doesNotMatch(release.stdout, /v2 five minutes ago/);
  });

  test('command: logs writes the lines to the log and the newest to the summary', async () => {
    const run = await runAction({ awsEndpoint: emulator.endpoint, inputs: deployInputs({ command: 'logs', environment: 'production', release: 'v2' }) });
    assert.equal(run.exitCode, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /v2 i-0bbb web \| v2 five minutes ago/);
    assert.doesNotMatch(run.stdout, /half an hour ago/);
    assert.match(run.summary, /1 line from <code>\/wimpy\/production\/awesome-application<\/code> \(release v2\)/);
    assert.match(run.summary, /v2 five minutes ago/);
    assert.equal(run.outputs['log-group'], GROUP);
  });

  test('wimpy status --json lists both releases with their weights and says that promote is pending', async () => {
    const run = await wimpy(['status', ...BASE, '--json']);
    assert.equal(run.exitCode, 0, run.stderr);
    const status = JSON.parse(run.stdout) as {
      promotePending: boolean;
      releases: { version: string; weight: number; canary: boolean; lastGood: boolean }[];
      url: string;
      logGroup: string;
      lastDeployment?: { version: string; stack: string; at: string; by?: string; command?: string; outcome?: string; startedAt?: string };
    };
    assert.equal(status.promotePending, true);
    const last = status.lastDeployment;
    assert.deepEqual([last?.command, last?.version, last?.stack, last?.outcome], ['deploy', 'v2', 'awesome-application-production-v2', 'succeeded'], 'the last run, as the lock kept it');
    assert.ok(last?.by, 'who ran it');
    assert.ok(Date.parse(last?.startedAt ?? '') <= Date.parse(last?.at ?? ''), 'when: started, then ended');
    assert.deepEqual(status.releases.map((release) => [release.version, release.weight, release.canary, release.lastGood]), [['v2', 10, true, false], ['v1', 90, false, true]]);
    assert.equal(status.url, 'https://awesome-application.armesto.net');
    assert.equal(status.logGroup, GROUP);
  });

  test('command: status writes the same facts to the summary', async () => {
    const run = await runAction({ awsEndpoint: emulator.endpoint, inputs: deployInputs({ command: 'status', environment: 'production' }) });
    assert.equal(run.exitCode, 0, run.stdout + run.stderr);
    assert.match(run.summary, /A canary waits for `promote`/);
    assert.match(run.summary, /<code>v2<\/code> \| 10 % \| in-progress/);
    assert.match(run.summary, /<code>v1<\/code> \| 90 % \| good/);
    assert.match(run.summary, /\*\*Last deployment\*\* \| deploy <code>v2<\/code> by .+, succeeded at \d{4}-/);
  });

  test('wimpy exec without the Session Manager plugin says what to install and the exact command, exit code 2', async () => {
    // A PATH without the plugin (and with the AWS CLI where the machine has one).
    const run = await wimpy(['exec', ...BASE, '--', 'ls', '-la'], { PATH: '/usr/bin:/bin' });
    assert.equal(run.exitCode, 2, run.stdout + run.stderr);
    assert.match(run.stdout, /needs (aws and )?session-manager-plugin, which (is|are) not installed here/);
    assert.match(run.stdout, /aws 'ssm' 'start-session' '--target' 'i-[0-9a-f]+' '--document-name' 'AWS-StartInteractiveCommand' '--parameters' '\{"command":\["sudo docker exec --interactive --tty wimpy-app '\\''ls'\\'' '\\''-la'\\''"\]\}'/);
  });
});
