import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, ListResourceRecordSetsCommand, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import { DescribeListenersCommand, DescribeRulesCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { APPLICATION, deployInputs, describeStack, imageOf, outputsOf, prepareEmulator, ruleWeightsOf, skip, type Emulator } from '../support/emulator.js';
import { startAwsProxy, type AwsProxy } from '../support/aws-proxy.js';
import { listImportsStandIn } from '../support/emulator-gaps.js';
import { runAction } from '../support/run-action.js';

// Issue 18: the environment's own domains, an apex and a www, in a zone of the account.

const MAIN = `${APPLICATION}.armesto.net`;
const BALANCER = `${APPLICATION}-production-load-balancer`;
const release = (version: string) => `${APPLICATION}-production-${version}`;

/** A request that changes something: anything but a read. */
const isWrite = (api: string) => !/:(Describe|List|Get)|:GET /.test(api);

describe('own domains against an AWS API', { skip }, () => {
  let emulator: Emulator;
  let proxy: AwsProxy;
  let zoneId: string;

  const deploy = (inputs: Record<string, string>) =>
    runAction({ awsEndpoint: proxy.url, inputs: deployInputs({ environment: 'production', strategy: 'blue-green', 'canary-steps': '100', 'step-wait': '0', domains: 'example.com, www.example.com', ...inputs }) });

  async function recordsAt(name: string): Promise<ResourceRecordSet[]> {
    const answer = await emulator.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: `${name}.` }));
    return (answer.ResourceRecordSets ?? []).filter((set) => set.Name === `${name}.`);
  }

  async function ruleHosts(): Promise<string[]> {
    const balancerArn = outputsOf(await describeStack(emulator, BALANCER)).LoadBalancerArn!;
    const listeners = (await emulator.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: balancerArn }))).Listeners ?? [];
    const rules = (await emulator.elbv2.send(new DescribeRulesCommand({ ListenerArn: listeners.find((listener) => listener.Port === 443)!.ListenerArn }))).Rules ?? [];
    const rule = rules.find((candidate) => (candidate.Conditions ?? []).some((condition) => (condition.HostHeaderConfig?.Values ?? condition.Values ?? []).includes(MAIN)));
    return (rule?.Conditions ?? []).flatMap((condition) => condition.HostHeaderConfig?.Values ?? condition.Values ?? []);
  }

  before(async () => {
    emulator = await prepareEmulator();
    // moto lacks ListImports, which destroy asks before it removes the resources stack: the proxy
    // answers it from the emulator's stacks, as AWS would (see emulator-gaps.ts).
    proxy = await startAwsProxy({ target: emulator.endpoint, standIns: { 'cloudformation:ListImports': listImportsStandIn(emulator) } });
    const zone = await emulator.route53.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: `e2e-domains-${Date.now()}` }));
    zoneId = zone.HostedZone!.Id!.replace('/hostedzone/', '');
  });
  after(async () => {
    await proxy?.close();
    emulator?.close();
  });

  test('a domain outside every hosted zone of the account is refused, naming it, before any write', async (t) => {
    proxy.resetStats();
    const run = await deploy({ version: 'v1', image: imageOf('1'), domains: 'example.com, shop.example.org' });
    assert.notEqual(run.exitCode, 0);
    assert.match(run.stdout + run.stderr, /domains: shop\.example\.org is in no public hosted zone of this account/);
    const writes = Object.keys(proxy.stats().byApi).filter(isWrite);
    assert.deepEqual(writes, [], JSON.stringify(proxy.stats().byApi));
    t.diagnostic(`AWS requests of the refused run: ${JSON.stringify(proxy.stats().byApi)}`);
  });

  test('a domain with a record the action did not create is refused, naming the hostname and the record, before any write', async (t) => {
    const foreign = { Name: 'www.example.com.', Type: 'A' as const, TTL: 300, ResourceRecords: [{ Value: '192.0.2.10' }] };
    await emulator.route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: foreign }] } }));
    proxy.resetStats();
    const run = await deploy({ version: 'v1', image: imageOf('1') });
    await emulator.route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: [{ Action: 'DELETE', ResourceRecordSet: foreign }] } }));
    assert.notEqual(run.exitCode, 0);
    assert.match(run.stdout + run.stderr, /domains: www\.example\.com already has an A record to 192\.0\.2\.10, which this action did not create/);
    assert.deepEqual(Object.keys(proxy.stats().byApi).filter(isWrite), [], JSON.stringify(proxy.stats().byApi));
    t.diagnostic(`AWS requests of the refused run: ${JSON.stringify(proxy.stats().byApi)}`);
  });

  test('a production deploy makes both names, the apex too, alias records to the load balancer, served by the main hostname\'s rule', async (t) => {
    const run = await deploy({ version: 'v1', image: imageOf('1') });
    assert.equal(run.exitCode, 0, run.stdout + run.stderr);
    const balancer = outputsOf(await describeStack(emulator, BALANCER));
    for (const name of ['example.com', 'www.example.com']) {
      const records = (await recordsAt(name)).filter((set) => set.Type === 'A' || set.Type === 'AAAA');
      assert.deepEqual(records.map((set) => set.Type).sort(), ['A', 'AAAA'], name);
      for (const set of records) assert.equal(set.AliasTarget?.DNSName?.toLowerCase().replace(/\.$/, ''), balancer.LoadBalancerDnsName!.toLowerCase(), `${set.Type} ${name}`);
      t.diagnostic(`${name}: ${records.map((set) => `${set.Type} -> ${set.AliasTarget?.DNSName}`).join(', ')}`);
    }
    assert.deepEqual(await ruleHosts(), [MAIN, 'example.com', 'www.example.com']);
    assert.deepEqual(await ruleWeightsOf(emulator, BALANCER, 'example.com'), { [release('v1')]: 100 });
  });

  test('a second release moves the domains with the main hostname and leaves their records as they are', async () => {
    const before = await recordsAt('example.com');
    proxy.resetStats();
    const run = await deploy({ version: 'v2', image: imageOf('2') });
    assert.equal(run.exitCode, 0, run.stdout + run.stderr);
    assert.deepEqual(await ruleWeightsOf(emulator, BALANCER, 'www.example.com'), { [release('v1')]: 0, [release('v2')]: 100 });
    assert.deepEqual(await ruleHosts(), [MAIN, 'example.com', 'www.example.com']);
    assert.deepEqual(await recordsAt('example.com'), before);
    assert.equal(proxy.stats().byApi['route53:POST /2013-04-01/hostedzone/{id}/rrset'], undefined, JSON.stringify(proxy.stats().byApi));
  });

  test('destroy removes their records with the load balancer', async () => {
    const run = await runAction({ awsEndpoint: proxy.url, inputs: deployInputs({ command: 'destroy', environment: 'production', strategy: 'blue-green', domains: 'example.com, www.example.com' }) });
    assert.equal(run.exitCode, 0, run.stdout + run.stderr);
    for (const name of ['example.com', 'www.example.com']) assert.deepEqual((await recordsAt(name)).filter((set) => set.Type === 'A' || set.Type === 'AAAA'), [], name);
    assert.equal(await describeStack(emulator, BALANCER), undefined);
  });
});
