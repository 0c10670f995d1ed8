import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deployInputs, describeStack, imageOf, prepareEmulator, skip, weightsOf, type Emulator } from '../support/emulator.js';
import { startAwsProxy } from '../support/aws-proxy.js';
import { logLines, runAction, type ActionRun } from '../support/run-action.js';

// Issue 7: blue-green releases side by side, traffic moved in canary steps, rollback by weight.

const HOST = 'awesome-application.armesto.net';
const V1 = 'awesome-application-production-v1';
const V2 = 'awesome-application-production-v2';
const BLUE_GREEN = { environment: 'production', strategy: 'blue-green', 'canary-steps': '10,50,100', 'step-wait': '0' };

/** The CloudFormation calls that change a stack. */
const STACK_WRITES = ['CreateStack', 'UpdateStack', 'CreateChangeSet', 'ExecuteChangeSet', 'DeleteStack'].map((operation) => `cloudformation:${operation}`);

const describeWeights = (weights: Record<string, number>) => Object.entries(weights).map(([release, weight]) => `${release} ${weight}`).join(', ') || 'no records';

describe('a blue-green deploy against an AWS API', { skip }, () => {
  let emulator: Emulator;
  const timeline: string[] = [];
  const runs = new Map<string, ActionRun>();
  const deploy = (version: string, digit: string) =>
    runAction({ awsEndpoint: emulator.endpoint, inputs: deployInputs({ ...BLUE_GREEN, version, image: imageOf(digit) }) });

  /** Records the weights a run moved through (its log) and the ones it left (the records). */
  async function note(name: string, run: ActionRun): Promise<void> {
    runs.set(name, run);
    for (const line of logLines(run, 'Traffic:')) timeline.push(`${name}, during: ${line.trim()}`);
    timeline.push(`${name}, after: ${describeWeights(await weightsOf(emulator, HOST))}`);
  }

  before(async () => {
    emulator = await prepareEmulator();
    await note('deploy v1', await deploy('v1', '1'));
    await note('deploy v2', await deploy('v2', '2'));
  });
  after(() => emulator?.close());

  test('the first release takes all traffic at once: there is nothing to compare it with', () => {
    const run = runs.get('deploy v1')!;
    assert.equal(run.exitCode, 0, run.stdout + run.stderr);
    assert.equal(run.outputs['stack-name'], V1);
    assert.equal(run.outputs.url, `https://${HOST}`);
    assert.deepEqual(logLines(run, 'Traffic:').map((line) => line.trim()), [`Traffic: ${V1} 100%`]);
  });

  test('the next release comes up in its own stack beside the first and takes traffic in the canary steps', async () => {
    const run = runs.get('deploy v2')!;
    assert.equal(run.exitCode, 0, run.stdout + run.stderr);
    assert.equal(run.outputs['stack-name'], V2);
    assert.equal((await describeStack(emulator, V1))?.StackStatus, 'CREATE_COMPLETE');
    assert.equal((await describeStack(emulator, V2))?.StackStatus, 'CREATE_COMPLETE');
    assert.deepEqual(logLines(run, 'Traffic:').map((line) => line.trim()), [
      `Traffic: ${V1} 90%, ${V2} 10%`,
      `Traffic: ${V1} 50%, ${V2} 50%`,
      `Traffic: ${V1} 0%, ${V2} 100%`,
    ]);
    // The previous release stays warm, at weight 0, for a rollback.
    assert.deepEqual(await weightsOf(emulator, HOST), { [V1]: 0, [V2]: 100 });
  });

  test('a rollback to the warm release is one weight change: no stack is created, updated or deleted', async (t) => {
    const proxy = await startAwsProxy({ target: emulator.endpoint });
    try {
      const updated = [(await describeStack(emulator, V1))?.LastUpdatedTime, (await describeStack(emulator, V2))?.LastUpdatedTime];
      const run = await runAction({ awsEndpoint: proxy.url, inputs: deployInputs({ ...BLUE_GREEN, command: 'rollback', version: 'v1' }) });
      await note('rollback to v1', run);
      assert.equal(run.exitCode, 0, run.stdout + run.stderr);
      assert.equal(run.outputs['stack-name'], V1);
      assert.equal(run.outputs.version, 'v1');
      assert.match(run.stdout, /a weight change, no deploy/);
      assert.deepEqual(await weightsOf(emulator, HOST), { [V1]: 100, [V2]: 0 });
      const { byApi } = proxy.stats();
      assert.deepEqual(STACK_WRITES.filter((api) => byApi[api]), []);
      assert.equal(byApi['route53:POST /2013-04-01/hostedzone/{id}/rrset'], 1, JSON.stringify(byApi));
      assert.deepEqual([(await describeStack(emulator, V1))?.LastUpdatedTime, (await describeStack(emulator, V2))?.LastUpdatedTime], updated);
      t.diagnostic(`AWS requests of the rollback: ${JSON.stringify(byApi)}`);
      for (const line of timeline) t.diagnostic(line);
    } finally {
      await proxy.close();
    }
  });
});
