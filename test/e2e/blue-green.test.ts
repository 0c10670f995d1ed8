import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deployInputs, describeStack, imageOf, outputsOf, prepareEmulator, recordsOf, ruleWeightsOf, skip, weightsOf, type Emulator } from '../support/emulator.js';
import { startAwsProxy, type AwsProxy } from '../support/aws-proxy.js';
import { logLines, runAction, type ActionRun } from '../support/run-action.js';

// Issues 7 and 16: blue-green releases side by side behind the application's one load balancer,
// traffic moved by the weights of the hostname's rule in canary steps, rollback by one rule change.

const HOST = 'awesome-application.armesto.net';
const BALANCER = 'awesome-application-production-load-balancer';
const V1 = 'awesome-application-production-v1';
const V2 = 'awesome-application-production-v2';
const BLUE_GREEN = { environment: 'production', strategy: 'blue-green', 'canary-steps': '10,50,100', 'step-wait': '0' };

/** The CloudFormation calls that change a stack. */
const STACK_WRITES = ['CreateStack', 'UpdateStack', 'CreateChangeSet', 'ExecuteChangeSet', 'DeleteStack'].map((operation) => `cloudformation:${operation}`);
/** The calls that change the hostname's rule. */
const RULE_WRITES = new Set(['elasticloadbalancing:ModifyRule', 'elasticloadbalancing:CreateRule']);

describe('a blue-green deploy against an AWS API', { skip }, () => {
  let emulator: Emulator;
  let proxy: AwsProxy;
  /** The rule's weights as Elastic Load Balancing describes them right after each change a run made, by run. */
  const seen = new Map<string, Record<string, number>[]>();
  let current = '';
  const runs = new Map<string, ActionRun>();

  async function step(name: string, inputs: Record<string, string>): Promise<ActionRun> {
    current = name;
    seen.set(name, []);
    proxy.resetStats();
    const result = await runAction({ awsEndpoint: proxy.url, inputs: deployInputs({ ...BLUE_GREEN, ...inputs }) });
    runs.set(name, result);
    return result;
  }

  before(async () => {
    emulator = await prepareEmulator();
    // Each change of the rule is read back before the run gets its answer: the weights after each step.
    proxy = await startAwsProxy({
      target: emulator.endpoint,
      afterAnswer: async (call) => {
        if (RULE_WRITES.has(call.api)) seen.get(current)!.push(await ruleWeightsOf(emulator, BALANCER, HOST));
      },
    });
    await step('deploy v1', { version: 'v1', image: imageOf('1') });
    await step('deploy v2', { version: 'v2', image: imageOf('2') });
  });
  after(async () => {
    await proxy?.close();
    emulator?.close();
  });

  test('the first release takes all traffic at once through a new rule, and the hostname becomes a plain alias of the load balancer', async () => {
    const run = runs.get('deploy v1')!;
    assert.equal(run.exitCode, 0, run.stdout + run.stderr);
    assert.equal(run.outputs['stack-name'], V1);
    assert.equal(run.outputs.url, `https://${HOST}`);
    assert.deepEqual(logLines(run, 'Traffic:').map((line) => line.trim()), [`Traffic: ${V1} 100%`]);
    assert.deepEqual(seen.get('deploy v1'), [{ [V1]: 100 }]);
    const records = await recordsOf(emulator, HOST);
    const balancer = outputsOf(await describeStack(emulator, BALANCER));
    assert.deepEqual(records.filter((set) => set.Type === 'A').map((set) => [set.SetIdentifier, set.AliasTarget?.DNSName?.replace(/\.$/, '')]), [[undefined, balancer.LoadBalancerDnsName?.toLowerCase()]]);
  });

  test('the next release comes up in its own stack beside the first and takes 10, 50 and 100 percent: the listener holds exactly those weights after each step', async () => {
    const run = runs.get('deploy v2')!;
    assert.equal(run.exitCode, 0, run.stdout + run.stderr);
    assert.equal(run.outputs['stack-name'], V2);
    assert.equal((await describeStack(emulator, V1))?.StackStatus, 'CREATE_COMPLETE');
    assert.equal((await describeStack(emulator, V2))?.StackStatus, 'CREATE_COMPLETE');
    assert.deepEqual(seen.get('deploy v2'), [
      { [V1]: 90, [V2]: 10 },
      { [V1]: 50, [V2]: 50 },
      { [V1]: 0, [V2]: 100 },
    ]);
    assert.deepEqual(logLines(run, 'Traffic:').map((line) => line.trim()), [`Traffic: ${V1} 90%, ${V2} 10%`, `Traffic: ${V1} 50%, ${V2} 50%`, `Traffic: ${V1} 0%, ${V2} 100%`]);
    // The previous release stays warm, at weight 0, for a rollback; DNS was not touched.
    assert.deepEqual(await ruleWeightsOf(emulator, BALANCER, HOST), { [V1]: 0, [V2]: 100 });
    assert.deepEqual(await weightsOf(emulator, HOST), {}, 'no weighted record');
  });

  test('a rollback to the warm release is one rule change: no stack is created, updated or deleted, and no DNS change', async (t) => {
    const updated = [(await describeStack(emulator, V1))?.LastUpdatedTime, (await describeStack(emulator, V2))?.LastUpdatedTime];
    const run = await step('rollback to v1', { command: 'rollback', version: 'v1' });
    assert.equal(run.exitCode, 0, run.stdout + run.stderr);
    assert.equal(run.outputs['stack-name'], V1);
    assert.equal(run.outputs.version, 'v1');
    assert.match(run.stdout, /a weight change, no deploy/);
    assert.deepEqual(seen.get('rollback to v1'), [{ [V1]: 100, [V2]: 0 }]);
    const { byApi } = proxy.stats();
    assert.deepEqual(STACK_WRITES.filter((api) => byApi[api]), []);
    assert.equal(byApi['elasticloadbalancing:ModifyRule'], 1, JSON.stringify(byApi));
    assert.equal(byApi['route53:POST /2013-04-01/hostedzone/{id}/rrset'], undefined, JSON.stringify(byApi));
    assert.deepEqual([(await describeStack(emulator, V1))?.LastUpdatedTime, (await describeStack(emulator, V2))?.LastUpdatedTime], updated);
    t.diagnostic(`AWS requests of the rollback: ${JSON.stringify(byApi)}`);
    for (const [name, sets] of seen) t.diagnostic(`${name}: ${sets.map((set) => JSON.stringify(set)).join(' then ')}`);
  });

});
