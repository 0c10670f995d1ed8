import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rollingStack } from '../../src/config/names.js';
import type { WeightedTarget } from '../../src/engine/ports.js';
import { configOf } from '../support/config.js';
import { APP, blueGreen, FakeAws, STAGING_HOST, stagingRelease, V1, V2, V3, type DnsBatch } from '../support/fake-aws.js';

/** Blue-green: one stack per release, traffic moved by Route 53 weights in canary steps. */

const A = stagingRelease(V1);
const B = stagingRelease(V2);
const ROLLING = rollingStack(APP, 'staging');
const ALARM = 'awesome-application-5xx';

const weightsOf = (set: readonly WeightedTarget[]) => Object.fromEntries(set.map((target) => [target.setIdentifier, target.weight]));
const weightSets = (batches: readonly DnsBatch[]) => batches.map((batch) => weightsOf(batch.targets));

describe('a blue-green deploy', () => {
  test('the first release takes all traffic at once: with nothing serving there is nothing to canary against', async () => {
    const aws = new FakeAws();
    const { report, outputs } = await aws.run(blueGreen(V1));

    assert.equal(report.status, 'success');
    assert.deepEqual(weightSets(aws.dns.batches), [{ [A]: 100 }]);
    assert.equal(outputs['stack-name'], A);
    assert.equal(report.pinnedUrl, `https://${APP}-staging-1111111.armesto.net`);
    assert.deepEqual(aws.probe.checked, [`https://${APP}-staging-1111111.armesto.net/health`, `https://${APP}-staging.armesto.net/health`], 'the release alone answered before the public hostname was checked');
  });

  test('the second release joins at weight 0, then takes 10, 50 and 100 percent, one atomic batch per step', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1));
    const from = aws.dns.batches.length;
    const { report } = await aws.run(blueGreen(V2));

    assert.equal(report.status, 'success');
    assert.deepEqual(weightSets(aws.dns.batches.slice(from)), [
      { [A]: 100, [B]: 0 },
      { [A]: 90, [B]: 10 },
      { [A]: 50, [B]: 50 },
      { [A]: 0, [B]: 100 },
    ]);
    assert.ok(aws.dns.batches.slice(from).every((batch) => batch.remove.length === 0 && batch.hostname === STAGING_HOST));
    assert.deepEqual(report.traffic, [{ release: B, weight: 100 }, { release: A, weight: 0 }]);
    assert.equal(aws.clock.sleeps.reduce((sum, ms) => sum + ms, 0), 2 * 60_000, 'each step below 100 is watched for step-wait');
    assert.ok(aws.stacks.get(A), 'the previous release stays warm');
  });

  test('an alarm firing at 10 percent sends all traffic back to the previous release in one batch and fails the run with the alarm and its reason', async () => {
    const aws = new FakeAws();
    aws.alarms.set(ALARM);
    await aws.run(blueGreen(V1, { 'alarm-names': ALARM }));
    aws.dns.onChange((batch) => {
      if (weightsOf(batch.targets)[B] === 10) aws.alarms.set(ALARM, 'ALARM', 'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).');
    });
    const from = aws.dns.batches.length;
    const { report, outputs } = await aws.run(blueGreen(V2, { 'alarm-names': ALARM }));

    assert.equal(report.status, 'failure');
    assert.equal(report.message, `Alarm ${ALARM} is in ALARM: Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).`);
    assert.deepEqual(weightSets(aws.dns.batches.slice(from)), [
      { [A]: 100, [B]: 0 },
      { [A]: 90, [B]: 10 },
      { [A]: 100, [B]: 0 },
    ]);
    assert.deepEqual(aws.dns.weightsOf(STAGING_HOST), { [A]: 100, [B]: 0 });
    assert.deepEqual(report.traffic, [{ release: A, weight: 100 }, { release: B, weight: 0 }], 'the report says where traffic went back to');
    assert.equal(outputs['has-changes'], 'false');
  });

  test('a step that cannot be watched to its end (the deadline passes) sends all traffic back and fails the run', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1));
    const from = aws.dns.batches.length;
    const { report } = await aws.run(blueGreen(V2, { 'timeout-minutes': '1', 'step-wait': '600' }));

    assert.equal(report.status, 'failure');
    assert.match(report.message ?? '', /deadline \(timeout-minutes\) passed during a canary step/);
    assert.deepEqual(weightSets(aws.dns.batches.slice(from)).at(-1), { [A]: 100, [B]: 0 });
    assert.deepEqual(aws.dns.weightsOf(STAGING_HOST), { [A]: 100, [B]: 0 });
  });

  test('a switch from rolling to blue-green and back keeps weighted records named by stack and never leaves the hostname without a serving target', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({ version: V1 }));
    const toBlueGreen = await aws.run(blueGreen(V2));
    const backToRolling = await aws.run(configOf({ version: V3 }));

    assert.equal(toBlueGreen.report.status, 'success');
    assert.equal(backToRolling.report.status, 'success');
    assert.deepEqual(weightSets(aws.dns.batches), [
      { [ROLLING]: 100 },
      { [ROLLING]: 100, [B]: 0 },
      { [ROLLING]: 90, [B]: 10 },
      { [ROLLING]: 50, [B]: 50 },
      { [ROLLING]: 0, [B]: 100 },
      { [B]: 0, [ROLLING]: 100 },
    ]);
    for (const batch of aws.dns.batches) {
      assert.ok(batch.after.some((record) => record.weight > 0), `a batch left no record with weight: ${JSON.stringify(batch.after)}`);
      assert.ok(batch.targets.some((record) => record.weight > 0), `a batch named no serving target: ${JSON.stringify(batch.targets)}`);
      for (const record of [...batch.targets, ...batch.remove]) {
        assert.ok([ROLLING, B].includes(record.setIdentifier), `${record.setIdentifier} is not a release stack`);
        assert.equal(record.dnsName, aws.stacks.get(record.setIdentifier)?.outputs.LoadBalancerDnsName ?? record.dnsName);
      }
    }
    assert.equal(aws.dns.weightsOf(STAGING_HOST)[ROLLING], 100);
    assert.equal(aws.stacks.get(ROLLING)!.tags['wimpy:version'], V3);
  });
});
