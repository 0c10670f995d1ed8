import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deployInputs, describeStack, imageOf, outputsOf, prepareEmulator, recordsOf, ruleWeightsOf, skip, type Emulator } from '../support/emulator.js';
import { logLines, runAction, type ActionRun } from '../support/run-action.js';

// Issue 13: two blue-green deploys of one environment started at the same moment.

const HOST = 'awesome-application.armesto.net';
const BALANCER = 'awesome-application-production-load-balancer';
const release = (version: string) => `awesome-application-production-${version}`;
const BLUE_GREEN = { environment: 'production', strategy: 'blue-green', 'canary-steps': '10,50,100', 'step-wait': '0', 'keep-releases': '0' };

describe('two blue-green deploys started at the same moment', { skip }, () => {
  let emulator: Emulator;
  let runs: Record<string, ActionRun>;
  const deploy = (version: string, digit: string) => runAction({ awsEndpoint: emulator.endpoint, inputs: deployInputs({ ...BLUE_GREEN, version, image: imageOf(digit) }) });

  before(async () => {
    emulator = await prepareEmulator();
    const first = await deploy('v1', '1');
    assert.equal(first.exitCode, 0, first.stdout + first.stderr);
    const [v2, v3] = await Promise.all([deploy('v2', '2'), deploy('v3', '3')]);
    runs = { v2: v2!, v3: v3! };
  });
  after(() => emulator?.close());

  test('both end well, one after the other: the second waited, naming the holder, and went on from what AWS held then', () => {
    for (const [version, run] of Object.entries(runs)) assert.equal(run.exitCode, 0, `${version}: ${run.stdout}${run.stderr}`);
    const waited = Object.entries(runs).filter(([, run]) => /Waiting for the lock of awesome-application\/production, held by /.test(run.stdout));
    assert.equal(waited.length, 1, 'exactly one run waited');
    const [waiter, run] = waited[0]!;
    const holder = waiter === 'v2' ? 'v3' : 'v2';
    assert.match(run.stdout, new RegExp(`Waiting for the lock of awesome-application/production, held by .* \\(deploy ${holder}, since \\d{4}-\\d\\d-\\d\\dT`));
    // Its canary started from the release the holder had just put at 100 %.
    assert.match(logLines(run, 'Traffic:')[0] ?? '', new RegExp(`${release(holder)} 90%, ${release(waiter)} 10%$`));
  });

  test('exactly one release serves 100 %, and it is the release of the run that finished last', async () => {
    const weights = await ruleWeightsOf(emulator, BALANCER, HOST);
    const serving = Object.entries(weights).filter(([, weight]) => weight > 0);
    assert.equal(serving.length, 1, JSON.stringify(weights));
    const waiter = /Waiting for the lock/.test(runs.v2!.stdout) ? 'v2' : 'v3';
    assert.deepEqual(serving[0], [release(waiter), 100]);
    assert.equal(runs[waiter]!.outputs['stack-name'], release(waiter));
  });

  test("every target group of the hostname's rule is a release stack that exists, and the hostname is an alias of the load balancer", async () => {
    const weights = await ruleWeightsOf(emulator, BALANCER, HOST);
    assert.ok(Object.keys(weights).length > 0);
    for (const name of Object.keys(weights)) {
      const stack = await describeStack(emulator, name);
      assert.ok(stack && /_COMPLETE$/.test(stack.StackStatus ?? '') && !stack.StackStatus?.startsWith('DELETE'), `${name}: ${stack?.StackStatus ?? 'gone'}`);
    }
    const balancer = outputsOf(await describeStack(emulator, BALANCER));
    const records = (await recordsOf(emulator, HOST)).filter((set) => set.Type === 'A');
    assert.deepEqual(records.map((set) => [set.SetIdentifier, set.AliasTarget?.DNSName?.replace(/\.$/, '').toLowerCase()]), [[undefined, balancer.LoadBalancerDnsName?.toLowerCase()]]);
  });

  test('no run reports success for a release that does not serve: each said so only once its release had 100 %', () => {
    for (const [version, run] of Object.entries(runs)) {
      assert.match(logLines(run, 'Traffic:').at(-1) ?? '', new RegExp(`${release(version)} 100%`), version);
      assert.match(run.stdout, new RegExp(`success: deploy awesome-application production https://${HOST} \\(${version}\\)`));
    }
  });
});
