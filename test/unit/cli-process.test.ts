import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `wimpy` as a person runs it: a process, its exit code, its stdout and stderr. No AWS
 * credentials anywhere (a home of its own, no instance metadata), so `plan` computes its plan
 * from the configuration alone.
 */
const CLI = new URL('../../src/cli.js', import.meta.url).pathname;
const REPO = new URL('../../..', import.meta.url).pathname;
const PLAN = ['plan', '--application-name', 'shop', '--hosted-zone', 'example.com'];

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface Closing {
  /** Close before the first line, as `wimpy plan | head -0` does. */
  readonly stdout?: boolean;
  readonly stderr?: boolean;
  /** Close after the first chunk, as `wimpy plan | head -1` does. */
  readonly stdoutAfterFirst?: boolean;
}

function wimpy(args: readonly string[], close: Closing = {}, extraEnv: NodeJS.ProcessEnv = {}): Promise<Finished> {
  const home = mkdtempSync(join(tmpdir(), 'wimpy-cli-'));
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: home, AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: join(home, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'), ...extraEnv },
  });
  if (close.stdout) child.stdout.destroy();
  if (close.stderr) child.stderr.destroy();
  if (close.stdoutAfterFirst) child.stdout.once('data', () => child.stdout.destroy());
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('wimpy, the process', () => {
  test('goes on to the end of its run when its stdout is closed early (EPIPE)', async () => {
    const run = await wimpy(PLAN, { stdout: true });
    assert.equal(run.stderr, '');
    assert.equal(run.code, 0);
  });

  test('goes on talking to AWS after `| head -1` has closed its stdout, and ends with its own outcome', async () => {
    // Credentials, and an AWS endpoint that refuses connections: after printing the plan, the
    // run asks CloudFormation for change sets, retries, and fails for that reason alone.
    const run = await wimpy(PLAN, { stdoutAfterFirst: true }, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example', AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
    assert.doesNotMatch(run.stderr, /EPIPE/);
    assert.match(run.stderr, /^error: The plan could not read the account: .*ECONNREFUSED/m);
    assert.equal(run.code, 1);
  });

  test('finds AWS credentials in a named profile of the shared files, as the AWS CLI does, and then reads the account', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'wimpy-aws-'));
    const credentials = join(folder, 'credentials');
    writeFileSync(credentials, '[work]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = example\n');
    const env = { AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_PROFILE: 'work', AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' };
    const run = await wimpy(PLAN, {}, env);
    assert.match(run.stderr, /^error: The plan could not read the account: .*ECONNREFUSED/m);
    assert.equal(run.code, 1);
    // The same run without the profile computes its plan from the configuration alone.
    const without = await wimpy(PLAN, {}, { ...env, AWS_PROFILE: 'nobody' });
    assert.equal(without.code, 0);
  });

  test('goes on to the end of its run when its stderr is closed early, and still prints its outputs', async () => {
    const run = await wimpy([...PLAN, '--json'], { stderr: true });
    assert.equal(run.code, 0);
    assert.equal(JSON.parse(run.stdout).url, 'https://shop-staging.example.com');
  });

  test('ends normally when both its outputs are closed', async () => {
    const run = await wimpy(PLAN, { stdout: true, stderr: true });
    assert.equal(run.code, 0);
  });

  test('prints the outputs as one JSON object on stdout with --json, and the log on stderr', async () => {
    const run = await wimpy(['--json', ...PLAN, '--environment', 'production']);
    assert.equal(run.code, 0);
    const outputs = JSON.parse(run.stdout) as Record<string, string>;
    assert.deepEqual(Object.keys(outputs).sort(), ['environment', 'has-changes', 'image', 'stack-name', 'url', 'version']);
    assert.equal(outputs.url, 'https://shop.example.com');
    assert.match(run.stderr, /Plan: deploy shop to production/);
  });

  test('writes usage and errors on stderr, nothing on stdout, with exit code 2', async () => {
    for (const args of [[], ['plan', '--command', 'deploy'], ['deplo'], ['deploy', '--registry-password', 'hunter2']]) {
      const run = await wimpy(args);
      assert.equal(run.code, 2, args.join(' '));
      assert.equal(run.stdout, '', args.join(' '));
      assert.match(run.stderr, /^error: /, args.join(' '));
      assert.match(run.stderr, /Usage: wimpy/, args.join(' '));
    }
  });

  test('refuses a configuration problem with exit code 2, naming the flag', async () => {
    const run = await wimpy(['plan', '--application-name', 'Shop!', '--hosted-zone', 'example.com']);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /--application-name/);
  });

  test('prints its own version for wimpy version and -V, and help on stdout with exit code 0', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    for (const args of [['version'], ['-V']]) assert.deepEqual(await wimpy(args), { code: 0, stdout: `wimpy ${version}\n`, stderr: '' });
    const help = await wimpy(['rollback', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: wimpy rollback/);
  });
});
