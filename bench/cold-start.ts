/**
 * The cold start of the bundles: `wimpy plan` in a terminal with no AWS credentials, and the
 * action's dist/index.js from spawn to its first AWS request. `node lib/bench/cold-start.js`.
 */
import { createServer } from 'node:http';
import { statSync } from 'node:fs';
import { cpus } from 'node:os';
import type { AddressInfo } from 'node:net';
import { inputVariable } from '../test/support/run-action.js';
import { measure, median, repositoryFile } from './measure.js';

const RUNS = Number(process.env.RUNS ?? 10);
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
  const firstRequests = [];
  const actionPeaks = [];
  for (let i = 0; i < RUNS; i++) {
    firstAt = 0;
    const spawnedAt = performance.now();
    const run = await measure(repositoryFile('dist', 'index.js'), [], {
      ...bare(),
      AWS_ENDPOINT_URL: url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_MAX_ATTEMPTS: '1',
      [inputVariable('application-name')]: 'awesome-application',
      [inputVariable('hosted-zone')]: 'example.com',
      [inputVariable('steps')]: 'environment',
      [inputVariable('allowed-account-ids')]: '123456789012',
      [inputVariable('version')]: 'v1.4.2',
    });
    if (firstAt) firstRequests.push(firstAt - spawnedAt);
    actionPeaks.push(run.peakMb);
  }
  server.close();
  return {
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
    planMs: median(plans.map((run) => run.wallMs)),
    planPeakMb: Math.max(...plans.map((run) => run.peakMb)),
    firstRequestMs: median(firstRequests),
    actionPeakMb: Math.max(...actionPeaks),
    bundleKb: statSync(repositoryFile('dist', 'index.js')).size / 1024,
    cliBundleKb: statSync(repositoryFile('dist', 'cli', 'index.js')).size / 1024,
    runs: RUNS,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await coldStart();
  console.log(`cold start over ${result.runs} runs on ${result.machine}`);
  console.log(`  wimpy plan (terminal, no credentials): median ${result.planMs.toFixed(0)} ms wall, peak ${result.planPeakMb.toFixed(0)} MB`);
  console.log(`  dist/index.js to its first AWS request: median ${result.firstRequestMs.toFixed(0)} ms, peak ${result.actionPeakMb.toFixed(0)} MB`);
  console.log(`  bundles: dist/index.js ${result.bundleKb.toFixed(0)} KB, dist/cli/index.js ${result.cliBundleKb.toFixed(0)} KB`);
}
