import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListHostedZonesByNameCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { createDns } from '../../src/aws/dns.js';
import type { WeightedTarget } from '../../src/engine/ports.js';
import { fakeClock, QUICK, START } from './stacks-support.js';

const client = new Route53Client({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const route53 = mockClient(client);
beforeEach(() => route53.reset());

const ZONE = 'Z0123456789ABCDEFGHIJ';
const ALB_ZONE = 'Z32O12XQLNTSW2';
const HOST = 'shop.example.com.';

function alias(type: 'A' | 'AAAA', setIdentifier: string, weight: number, name = HOST): ResourceRecordSet {
  return { Name: name, Type: type, SetIdentifier: setIdentifier, Weight: weight, AliasTarget: { DNSName: `dualstack.${setIdentifier}-1234.eu-west-1.elb.amazonaws.com.`, HostedZoneId: ALB_ZONE, EvaluateTargetHealth: true } };
}

function target(setIdentifier: string, weight: number): WeightedTarget {
  return { setIdentifier, weight, dnsName: `dualstack.${setIdentifier}-1234.eu-west-1.elb.amazonaws.com.`, hostedZoneId: ALB_ZONE };
}

const inputs = <T>(calls: { args: [{ input: T }] }[]) => calls.map((call) => call.args[0].input);

describe('zoneId', () => {
  test('is the id of the public zone of exactly that name, without its /hostedzone/ prefix', async () => {
    route53.on(ListHostedZonesByNameCommand).resolves({
      HostedZones: [
        { Id: '/hostedzone/ZPRIVATE', Name: 'example.com.', CallerReference: 'a', Config: { PrivateZone: true } },
        { Id: `/hostedzone/${ZONE}`, Name: 'example.com.', CallerReference: 'b', Config: { PrivateZone: false } },
        { Id: '/hostedzone/ZOTHER', Name: 'example.com.au.', CallerReference: 'c', Config: { PrivateZone: false } },
      ],
    });
    assert.equal(await createDns(client, fakeClock()).zoneId('Example.com'), ZONE);
    assert.deepEqual(inputs(route53.commandCalls(ListHostedZonesByNameCommand)), [{ DNSName: 'example.com.' }]);
  });

  test('fails clearly when the account has no public zone of that name', async () => {
    route53.on(ListHostedZonesByNameCommand).resolves({ HostedZones: [{ Id: '/hostedzone/ZPRIVATE', Name: 'example.com.', CallerReference: 'a', Config: { PrivateZone: true } }] });
    await assert.rejects(createDns(client, fakeClock()).zoneId('example.com'), /no public hosted zone named example.com./);
  });
});

describe('weights', () => {
  test('gives one target per set identifier from the weighted A and AAAA aliases of the hostname only', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({
      IsTruncated: false,
      ResourceRecordSets: [
        alias('A', 'shop-production-v1', 0),
        alias('A', 'shop-production-v2', 100),
        alias('AAAA', 'shop-production-v1', 0),
        alias('AAAA', 'shop-production-v2', 100),
        { Name: HOST, Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: '"owner"' }] },
        alias('A', 'shop-staging-v1', 100, 'shop-staging.example.com.'),
      ],
    });
    assert.deepEqual(await createDns(client, fakeClock()).weights(ZONE, 'SHOP.example.com'), [target('shop-production-v1', 0), target('shop-production-v2', 100)]);
    assert.deepEqual(inputs(route53.commandCalls(ListResourceRecordSetsCommand)), [{ HostedZoneId: ZONE, StartRecordName: HOST }]);
  });

  test('reads on while the next page still belongs to the hostname', async () => {
    route53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({ IsTruncated: true, NextRecordName: HOST, NextRecordType: 'A', NextRecordIdentifier: 'shop-production-v2', ResourceRecordSets: [alias('A', 'shop-production-v1', 10)] })
      .resolvesOnce({ IsTruncated: true, NextRecordName: 'www.example.com.', NextRecordType: 'A', ResourceRecordSets: [alias('A', 'shop-production-v2', 90)] });
    assert.deepEqual(await createDns(client, fakeClock()).weights(ZONE, HOST), [target('shop-production-v1', 10), target('shop-production-v2', 90)]);
    assert.deepEqual(inputs(route53.commandCalls(ListResourceRecordSetsCommand)), [
      { HostedZoneId: ZONE, StartRecordName: HOST },
      { HostedZoneId: ZONE, StartRecordName: HOST, StartRecordType: 'A', StartRecordIdentifier: 'shop-production-v2' },
    ]);
  });
});

describe('setWeights', () => {
  const upsert = (type: 'A' | 'AAAA', entry: WeightedTarget) => ({
    Action: 'UPSERT',
    ResourceRecordSet: { Name: HOST, Type: type, SetIdentifier: entry.setIdentifier, Weight: entry.weight, AliasTarget: { DNSName: entry.dnsName, HostedZoneId: ALB_ZONE, EvaluateTargetHealth: true } },
  });

  test('writes A and AAAA of every target and deletes the removed records as they are, in one change batch, then waits until INSYNC', async () => {
    const current = { ...alias('A', 'shop-production-v0', 0), Weight: 3 };
    route53.on(ListResourceRecordSetsCommand).resolves({ IsTruncated: false, ResourceRecordSets: [current, alias('A', 'shop-production-v1', 100)] });
    route53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date(START) } });
    route53.on(GetChangeCommand).resolvesOnce({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date(START) } }).resolves({ ChangeInfo: { Id: '/change/C1', Status: 'INSYNC', SubmittedAt: new Date(START) } });
    await createDns(client, fakeClock(), QUICK).setWeights(ZONE, 'shop.example.com', [target('shop-production-v1', 50), target('shop-production-v2', 50)], [target('shop-production-v0', 0)]);

    assert.deepEqual(inputs(route53.commandCalls(ChangeResourceRecordSetsCommand)), [
      {
        HostedZoneId: ZONE,
        ChangeBatch: {
          Changes: [
            upsert('A', target('shop-production-v1', 50)),
            upsert('AAAA', target('shop-production-v1', 50)),
            upsert('A', target('shop-production-v2', 50)),
            upsert('AAAA', target('shop-production-v2', 50)),
            { Action: 'DELETE', ResourceRecordSet: current },
          ],
        },
      },
    ]);
    // The SDK's waiter: PENDING, then INSYNC.
    assert.deepEqual(inputs(route53.commandCalls(GetChangeCommand)), [{ Id: 'C1' }, { Id: 'C1' }]);
  });

  test('writes alias names lowercase and fully qualified, as Route 53 returns them', async () => {
    route53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: '/change/C2', Status: 'INSYNC', SubmittedAt: new Date(START) } });
    await createDns(client, fakeClock()).setWeights(ZONE, HOST, [{ ...target('shop-production-v1', 100), dnsName: 'Shop-Production-V1-1234.eu-west-1.elb.amazonaws.com' }]);
    const [call] = inputs(route53.commandCalls(ChangeResourceRecordSetsCommand));
    assert.deepEqual(call?.ChangeBatch?.Changes?.map((change) => change.ResourceRecordSet?.AliasTarget?.DNSName), ['shop-production-v1-1234.eu-west-1.elb.amazonaws.com.', 'shop-production-v1-1234.eu-west-1.elb.amazonaws.com.']);
    assert.equal(route53.commandCalls(GetChangeCommand).length, 0);
  });

  test('deletes nothing for a removed target whose records are already gone', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({ IsTruncated: false, ResourceRecordSets: [alias('A', 'shop-production-v1', 100)] });
    route53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: '/change/C3', Status: 'INSYNC', SubmittedAt: new Date(START) } });
    await createDns(client, fakeClock()).setWeights(ZONE, HOST, [target('shop-production-v1', 100)], [target('shop-production-v0', 0)]);
    const [call] = inputs(route53.commandCalls(ChangeResourceRecordSetsCommand));
    assert.deepEqual(call?.ChangeBatch?.Changes?.map((change) => change.Action), ['UPSERT', 'UPSERT']);
  });

  test('gives up at the deadline, naming the change that is still pending', async () => {
    route53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: '/change/C4', Status: 'PENDING', SubmittedAt: new Date(START) } });
    route53.on(GetChangeCommand).resolves({ ChangeInfo: { Id: '/change/C4', Status: 'PENDING', SubmittedAt: new Date(START) } });
    await assert.rejects(createDns(client, fakeClock(), QUICK).setWeights(ZONE, HOST, [target('shop-production-v1', 100)], [], { deadline: START + 20 }), new Error('Route 53 change C4 was still PENDING at the deadline.'));
    assert.ok(route53.commandCalls(GetChangeCommand).length >= 1);
  });

  test('stops waiting when the run is cancelled, saying that Route 53 applies the change all the same', async () => {
    route53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: '/change/C5', Status: 'PENDING', SubmittedAt: new Date(START) } });
    const cancel = new AbortController();
    route53.on(GetChangeCommand).callsFake(() => {
      cancel.abort();
      return { ChangeInfo: { Id: '/change/C5', Status: 'PENDING', SubmittedAt: new Date(START) } };
    });
    await assert.rejects(
      createDns(client, fakeClock(), QUICK).setWeights(ZONE, HOST, [target('shop-production-v1', 100)], [], { deadline: START + 60_000, signal: cancel.signal }),
      new Error('The run was cancelled while Route 53 change C5 was PENDING: Route 53 applies it all the same.'),
    );
    assert.equal(route53.commandCalls(ChangeResourceRecordSetsCommand).length, 1);
  });

  test('refuses a target that is both weighted and removed', async () => {
    await assert.rejects(createDns(client, fakeClock()).setWeights(ZONE, HOST, [target('shop-production-v1', 100)], [target('shop-production-v1', 0)]), /cannot both take a weight and be removed/);
    assert.equal(route53.calls().length, 0);
  });
});

describe('the reads of the domains check', () => {
  test('publicZones lists every page and leaves private zones out', async () => {
    route53.on(ListHostedZonesCommand)
      .resolvesOnce({ HostedZones: [{ Id: '/hostedzone/Z1', Name: 'Example.com.', CallerReference: 'a', Config: { PrivateZone: false } }, { Id: '/hostedzone/ZPRIVATE', Name: 'example.com.', CallerReference: 'b', Config: { PrivateZone: true } }], IsTruncated: true, NextMarker: 'm', Marker: '', MaxItems: 2 })
      .resolvesOnce({ HostedZones: [{ Id: '/hostedzone/Z2', Name: 'example.org.', CallerReference: 'c' }], IsTruncated: false, Marker: 'm', MaxItems: 2 });
    const dns = createDns(client, fakeClock(START), QUICK);
    assert.deepEqual(await dns.publicZones(), [{ name: 'example.com', id: 'Z1' }, { name: 'example.org', id: 'Z2' }]);
  });

  test('recordsAt gives every record set of exactly that name, whatever its type', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [
        { Name: 'www.example.com.', Type: 'A', TTL: 300, ResourceRecords: [{ Value: '192.0.2.10' }] },
        { Name: 'www.example.com.', Type: 'AAAA', AliasTarget: { DNSName: 'lb-1.eu-west-1.elb.amazonaws.com.', HostedZoneId: ALB_ZONE, EvaluateTargetHealth: false } },
        { Name: 'www.example.com.', Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: '"hello"' }] },
        { Name: 'www2.example.com.', Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: 'elsewhere.example.net' }] },
      ],
      IsTruncated: false,
      MaxItems: 100,
    });
    const dns = createDns(client, fakeClock(START), QUICK);
    assert.deepEqual(await dns.recordsAt(ZONE, 'www.example.com'), [
      { type: 'A', values: ['192.0.2.10'] },
      { type: 'AAAA', aliasTarget: 'lb-1.eu-west-1.elb.amazonaws.com.', values: [] },
      { type: 'TXT', values: ['"hello"'] },
    ]);
    assert.deepEqual(inputs(route53.commandCalls(ListResourceRecordSetsCommand) as never), [{ HostedZoneId: ZONE, StartRecordName: 'www.example.com.' }]);
  });
});

describe('removeAlias', () => {
  const plain = (type: 'A' | 'AAAA', dnsName = 'dualstack.shop-staging-1234.eu-west-1.elb.amazonaws.com.'): ResourceRecordSet => ({ Name: HOST, Type: type, AliasTarget: { DNSName: dnsName, HostedZoneId: ALB_ZONE, EvaluateTargetHealth: false } });
  const deleted = () => inputs(route53.commandCalls(ChangeResourceRecordSetsCommand)).map((input) => input.ChangeBatch?.Changes?.map((change) => `${change.Action} ${change.ResourceRecordSet?.Type} ${change.ResourceRecordSet?.AliasTarget?.DNSName}`));

  test('deletes the plain alias records a read of the hostname just found, without reading them again', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({ IsTruncated: false, ResourceRecordSets: [plain('A'), plain('AAAA')] });
    route53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: '/change/C1', Status: 'INSYNC', SubmittedAt: new Date(START) } });
    const dns = createDns(client, fakeClock(), QUICK);

    await dns.records(ZONE, HOST);
    await dns.removeAlias(ZONE, HOST);

    assert.equal(route53.commandCalls(ListResourceRecordSetsCommand).length, 1);
    assert.deepEqual(deleted(), [[`DELETE A ${plain('A').AliasTarget!.DNSName}`, `DELETE AAAA ${plain('AAAA').AliasTarget!.DNSName}`]]);
  });

  test('reads the records again when Route 53 holds them otherwise than they were read, and deletes them as they are', async () => {
    const moved = 'dualstack.shop-staging-5678.eu-west-1.elb.amazonaws.com.';
    route53.on(ListResourceRecordSetsCommand)
      .resolvesOnce({ IsTruncated: false, ResourceRecordSets: [plain('A'), plain('AAAA')] })
      .resolves({ IsTruncated: false, ResourceRecordSets: [plain('A', moved), plain('AAAA', moved)] });
    route53.on(ChangeResourceRecordSetsCommand)
      .rejectsOnce(Object.assign(new Error('Tried to delete resource record set but it was not found'), { name: 'InvalidChangeBatch' }))
      .resolves({ ChangeInfo: { Id: '/change/C2', Status: 'INSYNC', SubmittedAt: new Date(START) } });
    const dns = createDns(client, fakeClock(), QUICK);

    await dns.records(ZONE, HOST);
    await dns.removeAlias(ZONE, HOST);

    assert.equal(route53.commandCalls(ListResourceRecordSetsCommand).length, 2);
    assert.deepEqual(deleted().at(-1), [`DELETE A ${moved}`, `DELETE AAAA ${moved}`]);
  });

  test('reads the records first when the run has changed them since its read', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({ IsTruncated: false, ResourceRecordSets: [plain('A'), plain('AAAA')] });
    route53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: '/change/C3', Status: 'INSYNC', SubmittedAt: new Date(START) } });
    const dns = createDns(client, fakeClock(), QUICK);

    await dns.records(ZONE, HOST);
    await dns.setAlias(ZONE, HOST, { dnsName: 'dualstack.shop-staging-9999.eu-west-1.elb.amazonaws.com.', hostedZoneId: ALB_ZONE });
    await dns.removeAlias(ZONE, HOST);

    // The records, setAlias's own read, and removeAlias's: the change made the first read stale.
    assert.equal(route53.commandCalls(ListResourceRecordSetsCommand).length, 3);
  });
});
