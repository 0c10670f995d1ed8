import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configOf } from '../support/config.js';
import { APP, blueGreen, FakeAws, STAGING_HOST, stagingRelease, V1, V2, V3 } from '../support/fake-aws.js';

/** A canary left below 100 and finished by promote; old releases removed, never the ones that matter. */

const A = stagingRelease(V1);
const B = stagingRelease(V2);
const C = stagingRelease(V3);

describe('a canary and its promotion', () => {
  test('canary-steps 10 leaves the new release at 10 percent, and promote takes it through 50 to 100', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1));
    const canary = await aws.run(blueGreen(V2, { 'canary-steps': '10' }));

    assert.equal(canary.report.status, 'success');
    assert.deepEqual(aws.weightsOf(STAGING_HOST), { [A]: 90, [B]: 10 });
    assert.deepEqual(canary.report.traffic, [{ release: A, weight: 90 }, { release: B, weight: 10 }]);
    const from = aws.listeners.changes.length;

    const { report, outputs } = await aws.run(configOf({ strategy: 'blue-green', command: 'promote' }));

    assert.equal(report.status, 'success');
    assert.equal(report.version, V2);
    assert.equal(outputs['stack-name'], B);
    assert.deepEqual(aws.listeners.changes.slice(from).map((change) => aws.namedWeights(change.targets)), [
      { [A]: 50, [B]: 50 },
      { [A]: 0, [B]: 100 },
    ]);
    assert.deepEqual(aws.stacks.updated.filter((name) => name === B), [B], 'promote moves weights only: the canary stack is not applied again');
  });

  test('promote with no canary in progress refuses and changes nothing', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1));
    const changes = aws.listeners.changes.length;

    const { report } = await aws.run(configOf({ strategy: 'blue-green', command: 'promote' }));

    assert.equal(report.status, 'failure');
    assert.equal(report.message, `There is no canary to promote in staging: serving ${V1} (100%).`);
    assert.equal(aws.listeners.changes.length, changes);
  });
});

describe('cleanup of old releases', () => {
  const keepNone = { 'keep-releases': '0' };

  test('keeps the serving and the last good release even with keep-releases 0; an older one leaves the rule and its deletion starts at the next deploy, which waits neither for any DNS TTL nor for the deletion', async () => {
    const aws = new FakeAws();
    const slowDns = { ...keepNone, 'dns-ttl': '3600' };
    await aws.run(blueGreen(V1, slowDns));
    await aws.run(blueGreen(V2, slowDns));
    assert.ok(aws.stacks.get(A), 'the last good release stays');
    const mark = aws.journal.length;
    const third = await aws.run(blueGreen(V3, slowDns));

    assert.equal(third.report.status, 'success');
    assert.deepEqual(aws.stacks.removed, [A], 'the load balancer stopped sending A requests when its weight went to 0: nothing to wait for');
    assert.ok(aws.stacks.get(B), 'the last good release stays');
    assert.ok(aws.stacks.get(C), 'the serving release stays');
    assert.deepEqual(aws.clock.sleeps.filter((ms) => ms >= 120_000), [], 'no run sleeps for the TTL');
    assert.deepEqual(aws.weightsOf(STAGING_HOST), { [B]: 0, [C]: 100 });
    const calls = aws.since(mark);
    assert.ok(calls.lastIndexOf(`listeners.forward ${STAGING_HOST}`) < calls.indexOf(`stacks.startRemoval ${A}`), 'its target group leaves the rule before its stack goes');
    assert.equal(aws.stacks.get(A)?.status, 'DELETE_IN_PROGRESS', 'the run left the deletion to CloudFormation');
    assert.ok(!calls.includes(`stacks.remove ${A}`), 'no run waits for a deletion');
  });

  test('a release an earlier run started deleting is gone for the next run: not kept, not deleted again, its image no longer protected', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1, keepNone));
    await aws.run(blueGreen(V2, keepNone));
    await aws.run(blueGreen(V3, keepNone));
    assert.equal(aws.stacks.get(A)?.status, 'DELETE_IN_PROGRESS');
    const mark = aws.journal.length;

    const again = await aws.run(blueGreen(V3, keepNone));

    assert.ok(['success', 'no-change'].includes(again.report.status), again.report.message);
    assert.ok(!aws.since(mark).some((call) => call.startsWith(`stacks.startRemoval ${A}`) || call.startsWith(`stacks.remove ${A}`)), 'CloudFormation is already deleting it');
    assert.ok(!(again.report.releases ?? []).some((kept) => kept.stack === A), 'not among the releases kept');
    assert.ok(!aws.images.kept.get('staging')?.has(V1), 'its image is no longer protected');
  });

  test('a deletion that failed after its run ended is named by the next run, which starts it again', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1, keepNone));
    await aws.run(blueGreen(V2, keepNone));
    await aws.run(blueGreen(V3, keepNone));
    aws.stacks.finishDeletions([A]);
    aws.stacks.get(A)!.statusReason = 'The following resource(s) failed to delete: [ReleaseTargetGroup, AutoScalingGroup]. ';
    assert.equal(aws.stacks.get(A)?.status, 'DELETE_FAILED');
    const mark = aws.journal.length;

    const next = await aws.run(blueGreen(V3, keepNone));

    assert.ok(['success', 'no-change'].includes(next.report.status), next.report.message);
    const warning = aws.log.lines.find((line) => line.startsWith(`warning: An earlier deletion of ${A} failed`));
    assert.match(warning ?? '', /\(DELETE_FAILED: The following resource\(s\) failed to delete: \[ReleaseTargetGroup, AutoScalingGroup\]\.\); it is started again\. If it fails again: /, 'the run says so, and why');
    assert.match(warning ?? '', /--retain-resources ReleaseTargetGroup AutoScalingGroup/, 'and what to do if the retry fails too');
    assert.ok(aws.since(mark).includes(`stacks.startRemoval ${A}: deletion started`));
    assert.equal(aws.stacks.get(A)?.status, 'DELETE_IN_PROGRESS');
  });

  test('with timeout-minutes 3, seven deploys five minutes apart with keep-releases 1 leave the serving and the last good release only: each run removes what is due', async () => {
    const aws = new FakeAws();
    const versions = Array.from({ length: 7 }, (_, i) => `${i + 1}`.repeat(7) + 'f'.repeat(33));
    for (const version of versions) {
      const { report } = await aws.run(blueGreen(version, { 'keep-releases': '1', 'timeout-minutes': '3', 'step-wait': '0' }));
      assert.equal(report.status, 'success', report.message);
      aws.clock.advance(5 * 60_000);
      aws.stacks.finishDeletions();
    }
    const left = [...aws.stacks.stacks.keys()].filter((name) => name.startsWith(`${APP}-staging-`) && !name.endsWith('-resources') && !name.endsWith('-load-balancer')).sort();
    // The serving release and the last good one (which is also the one release keep-releases keeps warm).
    assert.deepEqual(left, versions.slice(-2).map(stagingRelease).sort());
  });

  test('never removes a release stack the run did not see when it started', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1, keepNone));
    // A stack of the environment that appears while the next run works (made by hand, or by a
    // run of an older version of this action that takes no lock), not serving and unreferenced.
    aws.listeners.onChange(() => {
      const name = stagingRelease(V3);
      const tags = { 'wimpy:application': APP, 'wimpy:environment': 'staging', 'wimpy:version': V3 };
      if (!aws.stacks.get(name)) aws.stacks.stacks.set(name, { name, status: 'CREATE_COMPLETE', template: {}, parameters: {}, tags, outputs: {}, terminationProtection: false, createdAt: new Date(aws.clock.now()) });
    });
    await aws.run(blueGreen(V2, keepNone));
    assert.ok(aws.stacks.get(stagingRelease(V3)), 'left alone: this run decided from what it saw under the lock');
  });
});
