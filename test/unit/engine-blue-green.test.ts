import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rollingStack } from '../../src/config/names.js';
import { loadBalancerStack } from '../../src/config/names.js';
import { isReleaseStack } from '../../src/stacks/application-release.js';
import { configOf } from '../support/config.js';
import { APP, blueGreen, FakeAws, STAGING_HOST, stagingRelease, V1, V2, V3 } from '../support/fake-aws.js';

/** Blue-green: one stack per release, traffic moved by the weights of the hostname's rule on the load balancer, in canary steps. */

const A = stagingRelease(V1);
const B = stagingRelease(V2);
const ROLLING = rollingStack(APP, 'staging');
const ALARM = 'awesome-application-5xx';

const BALANCER = loadBalancerStack(APP, 'staging');
/** One turn of the event loop: what a fake call takes to answer. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('a blue-green deploy', () => {
  test('the first release takes all traffic at once: with nothing serving there is nothing to canary against', async () => {
    const aws = new FakeAws();
    const { report, outputs } = await aws.run(blueGreen(V1));

    assert.equal(report.status, 'success');
    assert.deepEqual(aws.ruleChanges(STAGING_HOST), [{ [A]: 100 }]);
    assert.equal(aws.listeners.changesFor(STAGING_HOST)[0]!.created, true);
    assert.deepEqual(aws.dns.aliases.get(STAGING_HOST), { dnsName: aws.stacks.get(BALANCER)!.outputs.LoadBalancerDnsName, hostedZoneId: aws.stacks.get(BALANCER)!.outputs.LoadBalancerHostedZoneId }, 'the hostname is a plain alias of the load balancer');
    assert.equal(outputs['stack-name'], A);
    assert.equal(report.pinnedUrl, `https://${APP}-staging-1111111.armesto.net`);
    assert.deepEqual(aws.probe.checked, [`https://${APP}-staging-1111111.armesto.net/health`, `https://${APP}-staging.armesto.net/health`], 'the release alone answered before the public hostname was checked');
  });

  test('the second release takes 10, 50 and 100 percent, one change of the rule per step, and DNS is not touched', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1));
    const from = aws.listeners.changes.length;
    const dnsFrom = aws.dns.batches.length;
    const { report } = await aws.run(blueGreen(V2));

    assert.equal(report.status, 'success');
    assert.deepEqual(aws.listeners.changes.slice(from).map((change) => aws.namedWeights(change.targets)), [
      { [A]: 90, [B]: 10 },
      { [A]: 50, [B]: 50 },
      { [A]: 0, [B]: 100 },
    ]);
    assert.ok(aws.listeners.changes.slice(from).every((change) => !change.created && change.hostname === STAGING_HOST));
    assert.equal(aws.dns.batches.length, dnsFrom, 'no deploy changes DNS once the alias is there');
    assert.deepEqual(report.traffic, [{ release: B, weight: 100 }, { release: A, weight: 0 }]);
    assert.equal(aws.clock.sleeps.reduce((sum, ms) => sum + ms, 0), 2 * 60_000, 'each step below 100 is watched for step-wait');
    assert.ok(aws.stacks.get(A), 'the previous release stays warm');
  });

  test('the serving release deployed again with nothing to change reports no change: no rule change, has-changes false', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1));
    await aws.run(blueGreen(V2));
    // The first run after a creation updates the stack once: its group's size goes to the scaling policy.
    await aws.run(blueGreen(V2));
    const from = aws.listeners.changes.length;

    const { report, outputs } = await aws.run(blueGreen(V2));

    assert.equal(report.status, 'no-change');
    assert.equal(outputs['has-changes'], 'false');
    assert.equal(aws.listeners.changes.length, from);
  });

  test("the listener's rules are read beside the listing of the releases (the tag index, then each stack it names), not after it", async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1));
    const [listing, rules] = [aws.stacks.list.bind(aws.stacks), aws.listeners.rules.bind(aws.listeners)];
    let rulesRead = 0;
    aws.listeners.rules = (...args) => {
      rulesRead += 1;
      return rules(...args);
    };
    const duringListing: number[] = [];
    aws.stacks.list = async (...args) => {
      const before = rulesRead;
      const found = await listing(...args);
      // The stacks the index named, described: AWS's second round trip.
      await tick();
      await tick();
      // The deploy's listing: the environment's release stacks.
      if (args[1] === isReleaseStack) duringListing.push(rulesRead - before);
      return found;
    };

    await aws.run(blueGreen(V1));

    assert.deepEqual(duringListing, [1]);
  });

  test("the release's image is protected beside the writing of its record, both done before its stack changes", async () => {
    const aws = new FakeAws();
    const protect = aws.images.protect.bind(aws.images);
    let protecting = 0;
    aws.images.protect = async (...args) => {
      protecting += 1;
      try {
        await tick();
        await tick();
        return await protect(...args);
      } finally {
        protecting -= 1;
      }
    };
    const write = aws.records.write.bind(aws.records);
    let besideProtection = false;
    aws.records.write = (record) => {
      besideProtection ||= protecting > 0;
      return write(record);
    };

    await aws.run(blueGreen(V1));

    assert.ok(besideProtection);
    const apply = aws.journal.indexOf(`stacks.apply ${A}`);
    assert.ok(aws.journal.indexOf(`images.protect staging ${V1}`) < apply && aws.journal.indexOf(`records.write staging ${V1}`) < apply);
  });

  test('an alarm firing at 10 percent sends all traffic back to the previous release in one change and fails the run with the alarm and its reason', async () => {
    const aws = new FakeAws();
    aws.alarms.set(ALARM);
    await aws.run(blueGreen(V1, { 'alarm-names': ALARM }));
    aws.listeners.onChange((change) => {
      if (aws.namedWeights(change.targets)[B] === 10) aws.alarms.set(ALARM, 'ALARM', 'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).');
    });
    const from = aws.listeners.changes.length;
    const { report, outputs } = await aws.run(blueGreen(V2, { 'alarm-names': ALARM }));

    assert.equal(report.status, 'failure');
    assert.equal(report.message, `Alarm ${ALARM} is in ALARM: Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).`);
    assert.deepEqual(aws.listeners.changes.slice(from).map((change) => aws.namedWeights(change.targets)), [
      { [A]: 90, [B]: 10 },
      { [A]: 100, [B]: 0 },
    ]);
    assert.deepEqual(aws.weightsOf(STAGING_HOST), { [A]: 100, [B]: 0 });
    assert.deepEqual(report.traffic, [{ release: A, weight: 100 }, { release: B, weight: 0 }], 'the report says where traffic went back to');
    assert.equal(outputs['has-changes'], 'false');
  });

  test('a step that cannot be watched to its end (the deadline passes) sends all traffic back and fails the run', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1));
    const { report } = await aws.run(blueGreen(V2, { 'timeout-minutes': '1', 'step-wait': '600' }));

    assert.equal(report.status, 'failure');
    assert.match(report.message ?? '', /deadline \(timeout-minutes\) passed during a canary step/);
    assert.deepEqual(aws.ruleChanges(STAGING_HOST).at(-1), { [A]: 100, [B]: 0 });
    assert.deepEqual(aws.weightsOf(STAGING_HOST), { [A]: 100, [B]: 0 });
  });

  test('a switch from rolling to blue-green and back keeps one rule whose target groups are the stacks\', never without a serving one', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({ version: V1 }));
    const toBlueGreen = await aws.run(blueGreen(V2));
    const backToRolling = await aws.run(configOf({ version: V3 }));

    assert.equal(toBlueGreen.report.status, 'success');
    assert.equal(backToRolling.report.status, 'success');
    assert.deepEqual(aws.ruleChanges(STAGING_HOST), [
      { [ROLLING]: 100 },
      { [ROLLING]: 90, [B]: 10 },
      { [ROLLING]: 50, [B]: 50 },
      { [ROLLING]: 0, [B]: 100 },
      { [B]: 0, [ROLLING]: 100 },
    ]);
    for (const change of aws.listeners.changes) {
      assert.ok(change.targets.some((target) => target.weight > 0), `a change named no serving target group: ${JSON.stringify(change.targets)}`);
      for (const name of Object.keys(aws.namedWeights(change.targets))) assert.ok([ROLLING, B].includes(name), `${name} is not a release stack`);
    }
    assert.equal(aws.weightsOf(STAGING_HOST)[ROLLING], 100);
    assert.equal(aws.stacks.get(ROLLING)!.tags['wimpy:version'], V3);
  });
});
