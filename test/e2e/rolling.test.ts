import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBalancerStack } from '../../src/config/names.js';
import { APPLICATION, deployInputs, describeStack, imageOf, outputsOf, prepareEmulator, recordsOf, ruleWeightsOf, skip, type Emulator } from '../support/emulator.js';
import { logLines, runAction, type ActionRun } from '../support/run-action.js';

// Issue 6: a rolling deploy of all three phases, then a new version, then the same again.
// Issue 16: the stack's one target group behind the environment's load balancer.

const HOST = 'awesome-application-staging.armesto.net';
const STACK = 'awesome-application-staging';
const BALANCER = loadBalancerStack(APPLICATION, 'staging');

describe('a rolling deploy against an AWS API', { skip }, () => {
  let emulator: Emulator;
  const deploy = (version: string, digit: string) =>
    runAction({ awsEndpoint: emulator.endpoint, inputs: deployInputs({ version, image: imageOf(digit), strategy: 'rolling' }) });
  let first: ActionRun;

  before(async () => {
    emulator = await prepareEmulator();
    // The zone's first certificate is issued here, once for the whole file.
    first = await deploy('v1', '1');
  });
  after(() => emulator?.close());

  test('the first deploy creates every stack and reports the URL, the version and the pinned image', async (t) => {
    assert.equal(first.exitCode, 0, first.stdout + first.stderr);
    assert.deepEqual(first.outputs, {
      url: `https://${HOST}`,
      version: 'v1',
      image: imageOf('1'),
      'stack-name': STACK,
      environment: 'staging',
      'has-changes': 'true',
      'log-group': `/wimpy/staging/${APPLICATION}`,
    });
    for (const name of ['wimpy-base', 'wimpy-staging', `${APPLICATION}-staging-resources`, BALANCER, STACK]) {
      assert.equal((await describeStack(emulator, name))?.StackStatus, 'CREATE_COMPLETE', name);
    }
    t.diagnostic(`outputs: ${JSON.stringify(first.outputs)}`);
  });

  test("the hostname has plain A and AAAA alias records to the environment's load balancer, whose rule sends all traffic to the stack's target group", async (t) => {
    const balancer = outputsOf(await describeStack(emulator, BALANCER));
    const records = await recordsOf(emulator, HOST);
    assert.deepEqual(records.map((set) => set.Type).sort(), ['A', 'AAAA']);
    for (const set of records) {
      assert.equal(set.SetIdentifier, undefined);
      assert.equal(set.Weight, undefined);
      assert.equal(set.AliasTarget?.DNSName?.toLowerCase(), `${balancer.LoadBalancerDnsName!.toLowerCase()}.`);
      assert.equal(set.AliasTarget?.HostedZoneId, balancer.LoadBalancerHostedZoneId);
      t.diagnostic(`${set.Type} ${set.Name} -> ${set.AliasTarget?.DNSName}`);
    }
    assert.deepEqual(await ruleWeightsOf(emulator, BALANCER, HOST), { [STACK]: 100 });
    assert.deepEqual(logLines(first, 'Traffic:').map((line) => line.trim()), [`Traffic: ${STACK} 100%`]);
  });

  test('a new version updates the same stack in place and keeps the records and the rule as they were', async (t) => {
    const before = await recordsOf(emulator, HOST);
    const second = await deploy('v2', '2');
    assert.equal(second.exitCode, 0, second.stdout + second.stderr);
    assert.equal(second.outputs['stack-name'], STACK);
    assert.equal(second.outputs.version, 'v2');
    assert.equal(second.outputs.image, imageOf('2'));
    assert.equal(second.outputs['has-changes'], 'true');
    const stack = await describeStack(emulator, STACK);
    assert.equal(stack?.StackStatus, 'UPDATE_COMPLETE');
    const parameters = Object.fromEntries((stack?.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]));
    assert.equal(parameters.ImageUri, imageOf('2'));
    assert.equal(parameters.Version, 'v2');
    assert.deepEqual(await recordsOf(emulator, HOST), before);
    assert.deepEqual(await ruleWeightsOf(emulator, BALANCER, HOST), { [STACK]: 100 });
    for (const name of ['wimpy-base', 'wimpy-staging', `${APPLICATION}-staging-resources`]) assert.match(second.stdout, new RegExp(`Stack ${name}: no changes`));
    t.diagnostic(`outputs: ${JSON.stringify(second.outputs)}; ${STACK} ${stack?.StackStatus}, ImageUri ${parameters.ImageUri}`);
  });

  test('the same version again changes no resource and no traffic', async (t) => {
    const before = await ruleWeightsOf(emulator, BALANCER, HOST);
    const again = await deploy('v2', '2');
    assert.equal(again.exitCode, 0, again.stdout + again.stderr);
    assert.equal(again.outputs.version, 'v2');
    for (const name of ['wimpy-base', 'wimpy-staging', `${APPLICATION}-staging-resources`, STACK]) assert.match(again.stdout, new RegExp(`Stack ${name}: no changes`));
    assert.deepEqual(logLines(again, 'Traffic:'), []);
    assert.deepEqual(await ruleWeightsOf(emulator, BALANCER, HOST), before);
    const tags = Object.fromEntries(((await describeStack(emulator, STACK))?.Tags ?? []).map((tag) => [tag.Key, tag.Value]));
    // moto keeps a stack's first tags through change set updates: the action then sees the
    // version tag differ and runs an update with no resource changes, so has-changes is true there.
    t.diagnostic(`has-changes=${again.outputs['has-changes']}; the stack's wimpy:version tag as the API reports it: ${tags['wimpy:version']}`);
  });
});
