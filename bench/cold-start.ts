/**
 * The cold start of the build: `wimpy plan` in a terminal with no AWS credentials, and the
 * action's dist/index.js from spawn to its first AWS request, side by side with a minimal
 * action (`@actions/core` and one SDK client, bench/minimal-action.ts) bundled the same way.
 * `node lib/bench/cold-start.js`.
 */
import { build } from 'esbuild';
import { createServer } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { inputVariable } from '../test/support/run-action.js';
import { buildOptions, filesUnder } from '../scripts/bundle.js';
import { measure, median, repositoryFile } from './measure.js';

/** The minimal action, built by the options that build dist/, in a folder of its own. */
async function buildMinimalAction(): Promise<{ script: string; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'wimpy-minimal-action-'));
  await build(buildOptions({ index: repositoryFile('lib', 'bench', 'minimal-action.js') }, dir));
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
  return { script: join(dir, 'index.js'), dir };
}

// 21 alternated runs: with 10, two medians of the same build on a quiet machine differed by a fifth.
const RUNS = Number(process.env.RUNS ?? 21);
const PLAN_ARGS = ['plan', '--application-name', 'awesome-application', '--hosted-zone', 'example.com', '--strategy', 'blue-green', '--version', 'v1.4.2'];

/** A clean environment: no AWS credentials, nothing of this shell's own. */
const bare = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME });

export async function coldStart() {
  const plans = [];
  for (let i = 0; i < RUNS; i++) plans.push(await measure(repositoryFile('dist', 'cli', 'index.js'), PLAN_ARGS, bare()));
  if (plans.some((run) => run.exitCode !== 0)) throw new Error(`wimpy plan failed: ${plans.find((run) => run.exitCode !== 0)!.stderr}`);

  // The action's time to its first request: an endpoint that notes when it is first asked, then refuses.
  let firstAt = 0;
  const server = createServer((request, response) => {
    if (!firstAt) firstAt = performance.now();
    request.resume();
    response.writeHead(403, { 'content-type': 'text/xml' }).end('<ErrorResponse><Error><Code>AccessDenied</Code><Message>bench</Message></Error></ErrorResponse>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const aws = { AWS_ENDPOINT_URL: url, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'bench', AWS_MAX_ATTEMPTS: '1' };
  const inputs = {
    [inputVariable('application-name')]: 'awesome-application',
    [inputVariable('hosted-zone')]: 'example.com',
    [inputVariable('steps')]: 'environment',
    [inputVariable('allowed-account-ids')]: '123456789012',
    [inputVariable('version')]: 'v1.4.2',
  };
  /** Spawn to the endpoint's first request, in milliseconds. */
  const toFirstRequest = async (script: string, env: NodeJS.ProcessEnv) => {
    firstAt = 0;
    const spawnedAt = performance.now();
    const run = await measure(script, [], env);
    if (!firstAt) throw new Error(`${script} exited without an AWS request: ${run.stderr || run.stdout}`);
    return { ms: firstAt - spawnedAt, peakMb: run.peakMb };
  };
  const minimal = await buildMinimalAction();
  const firstRequests = [];
  const minimalFirstRequests = [];
  const actionPeaks = [];
  try {
    // Alternated, so that whatever else the machine does weighs on both alike.
    for (let i = 0; i < RUNS; i++) {
      const action = await toFirstRequest(repositoryFile('dist', 'index.js'), { ...bare(), ...aws, ...inputs });
      firstRequests.push(action.ms);
      actionPeaks.push(action.peakMb);
      minimalFirstRequests.push((await toFirstRequest(minimal.script, { ...bare(), ...aws })).ms);
    }
  } finally {
    server.close();
    await rm(minimal.dir, { recursive: true, force: true });
  }
  const firstRequestMs = median(firstRequests);
  const minimalFirstRequestMs = median(minimalFirstRequests);
  return {
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
    planMs: median(plans.map((run) => run.wallMs)),
    planPeakMb: Math.max(...plans.map((run) => run.peakMb)),
    firstRequestMs,
    minimalFirstRequestMs,
    /** The action's time to its first request over the minimal action's. */
    ratio: firstRequestMs / minimalFirstRequestMs,
    actionPeakMb: Math.max(...actionPeaks),
    /** Every file of dist/: what a runner downloads for the action. */
    distBytes: filesUnder(repositoryFile('dist')).reduce((sum, file) => sum + file.bytes, 0),
    runs: RUNS,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await coldStart();
  console.log(`cold start over ${result.runs} runs on ${result.machine}`);
  console.log(`  wimpy plan (terminal, no credentials): median ${result.planMs.toFixed(0)} ms wall, peak ${result.planPeakMb.toFixed(0)} MB`);
  console.log(`  dist/index.js to its first AWS request: median ${result.firstRequestMs.toFixed(0)} ms, peak ${result.actionPeakMb.toFixed(0)} MB`);
  console.log(`  minimal action (@actions/core and one SDK client) to its first AWS request: median ${result.minimalFirstRequestMs.toFixed(0)} ms`);
  console.log(`  ratio: ${result.ratio.toFixed(2)}; dist/: ${result.distBytes} bytes`);
}
