import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBalancerStack } from '../../src/config/names.js';
import type { WeightedTarget } from '../../src/engine/ports.js';
import { APP, blueGreen, FakeAws, STAGING_HOST, stagingRelease, V1, V2 } from '../support/fake-aws.js';

/**
 * The move off DNS weights: an environment whose hostname still has the first layout's weighted
 * records moves to the plain alias of its load balancer with the first release behind it. The
 * load balancer's own weighted record takes the traffic in the canary steps, beside the records
 * of the first layout, and only at 100 % does the alias replace them: nobody is sent nowhere.
 */

const A = stagingRelease(V1);
const B = stagingRelease(V2);
const BALANCER = loadBalancerStack(APP, 'staging');
const ALARM = 'awesome-application-5xx';
/** The first layout: a release's own load balancer behind its weighted record. */
const OLD_RECORD: WeightedTarget = { setIdentifier: A, weight: 100, dnsName: 'dualstack.awesome-application-v1-1234.eu-west-1.elb.amazonaws.com.', hostedZoneId: 'Z32O12XQLNTSW2' };

/** An environment as the first layout left it: A serving through its weighted record, no alias. */
async function weightedEnvironment(inputs: Record<string, string> = {}): Promise<FakeAws> {
  const aws = new FakeAws();
  if (inputs['alarm-names']) aws.alarms.set(inputs['alarm-names']);
  const { report } = await aws.run(blueGreen(V1, inputs));
  assert.equal(report.status, 'success', report.message);
  aws.dns.aliases.delete(STAGING_HOST);
  aws.dns.seed(STAGING_HOST, [OLD_RECORD]);
  return aws;
}

const weightsOf = (records: readonly WeightedTarget[]) => Object.fromEntries(records.map((record) => [record.setIdentifier, record.weight]));

describe('the move off DNS weights', () => {
  test("the release goes behind the load balancer's rule at once, then the load balancer's record takes 0, 10, 50 and 100 percent, and the alias replaces every weighted record", async () => {
    const aws = await weightedEnvironment();
    const from = aws.dns.batchesFor(STAGING_HOST).length;

    const { report } = await aws.run(blueGreen(V2));

    assert.equal(report.status, 'success', report.message);
    const batches = aws.dns.batchesFor(STAGING_HOST).slice(from);
    assert.deepEqual(batches.filter((batch) => !batch.alias).map((batch) => weightsOf(batch.after)), [
      { [A]: 100, [BALANCER]: 0 },
      { [A]: 90, [BALANCER]: 10 },
      { [A]: 50, [BALANCER]: 50 },
      { [A]: 0, [BALANCER]: 100 },
    ]);
    const last = batches.at(-1)!;
    const balancer = aws.stacks.get(BALANCER)!.outputs;
    assert.deepEqual(last.alias, { dnsName: balancer.LoadBalancerDnsName, hostedZoneId: balancer.LoadBalancerHostedZoneId }, 'the move ends on the alias');
    assert.deepEqual(aws.dns.recordsOf(STAGING_HOST), [], 'no weighted record is left beside the alias');
    assert.equal(aws.namedWeights(aws.listeners.changesFor(STAGING_HOST).at(-1)!.targets)[B], 100, "the rule sent the new release every request that reached the load balancer");
  });

  test('the releases of the first layout are kept until resolvers have forgotten their records: the lock records when they left', async () => {
    const aws = await weightedEnvironment();

    await aws.run(blueGreen(V2));

    const departures = aws.locks.records.get(`${APP}/staging`)!.departures;
    assert.ok(departures.has(A), `${A} left traffic with the move`);
    assert.ok(aws.stacks.get(A), 'its stack stays for now');
  });

  test('an alarm during the move sends the traffic back to the weighted records as they were, and the alias is not made', async () => {
    const aws = await weightedEnvironment({ 'alarm-names': ALARM });
    aws.dns.onChange((batch) => {
      if (weightsOf(batch.after)[BALANCER] === 50) aws.alarms.set(ALARM, 'ALARM', 'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).');
    });

    const { report } = await aws.run(blueGreen(V2, { 'alarm-names': ALARM }));

    assert.equal(report.status, 'failure');
    assert.equal(report.message, `Alarm ${ALARM} is in ALARM: Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).`);
    assert.deepEqual(weightsOf(aws.dns.recordsOf(STAGING_HOST)), { [A]: 100, [BALANCER]: 0 }, 'the first layout serves again');
    assert.equal(aws.dns.aliases.get(STAGING_HOST), undefined, 'no alias beside the weighted records');
    assert.ok(aws.stacks.get(A));
  });
});
