import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configOf } from '../support/config.js';
import { blueGreen, FakeAws, STAGING_HOST, stagingRelease, V1, V2, V3 } from '../support/fake-aws.js';

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
    assert.deepEqual(aws.dns.weightsOf(STAGING_HOST), { [A]: 90, [B]: 10 });
    assert.deepEqual(canary.report.traffic, [{ release: A, weight: 90 }, { release: B, weight: 10 }]);
    const from = aws.dns.batches.length;

    const { report, outputs } = await aws.run(configOf({ strategy: 'blue-green', command: 'promote' }));

    assert.equal(report.status, 'success');
    assert.equal(report.version, V2);
    assert.equal(outputs['stack-name'], B);
    assert.deepEqual(aws.dns.batches.slice(from).map((batch) => batch.targets.map((target) => [target.setIdentifier, target.weight])), [
      [[A, 50], [B, 50]],
      [[A, 0], [B, 100]],
    ]);
    assert.deepEqual(aws.stacks.updated.filter((name) => name === B), [B], 'promote moves weights only: the canary stack is not applied again');
  });

  test('promote with no canary in progress refuses and changes nothing', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1));
    const batches = aws.dns.batches.length;

    const { report } = await aws.run(configOf({ strategy: 'blue-green', command: 'promote' }));

    assert.equal(report.status, 'failure');
    assert.equal(report.message, `There is no canary to promote in staging: serving ${V1} (100%).`);
    assert.equal(aws.dns.batches.length, batches);
  });
});

describe('cleanup of old releases', () => {
  test('keeps the serving and the last good release even with keep-releases 0, and removes an older one only after its record is deleted', async () => {
    const aws = new FakeAws();
    const keepNone = { 'keep-releases': '0' };
    await aws.run(blueGreen(V1, keepNone));
    await aws.run(blueGreen(V2, keepNone));
    assert.ok(aws.stacks.get(A), 'the last good release stays');
    assert.deepEqual(aws.stacks.removed, []);

    const mark = aws.journal.length;
    await aws.run(blueGreen(V3, keepNone));

    assert.deepEqual(aws.stacks.removed, [A]);
    assert.ok(aws.stacks.get(B), 'the last good release stays');
    assert.ok(aws.stacks.get(C), 'the serving release stays');
    const removal = aws.dns.batches.at(-1)!;
    assert.deepEqual(removal.remove.map((target) => target.setIdentifier), [A]);
    assert.deepEqual(removal.after.map((target) => [target.setIdentifier, target.weight]), [[B, 0], [C, 100]]);
    const calls = aws.since(mark);
    assert.ok(calls.lastIndexOf(`dns.setWeights ${STAGING_HOST}`) < calls.indexOf(`stacks.remove ${A}`), 'the record goes before the stack');
    const lines = aws.log.lines;
    assert.ok(lines.indexOf(`Waiting 120 s (twice the DNS TTL) before removing ${A}.`) < lines.indexOf(`group: remove ${A}`), 'resolvers get twice the TTL to forget the record');
  });

  test('leaves an old release for a later run when the deadline leaves no time to wait out the DNS TTL', async () => {
    const aws = new FakeAws();
    const slowDns = { 'keep-releases': '0', 'dns-ttl': '3600' };
    for (const version of [V1, V2, V3]) await aws.run(blueGreen(version, slowDns));

    assert.deepEqual(aws.stacks.removed, []);
    assert.ok(aws.stacks.get(A));
    assert.deepEqual(aws.dns.weightsOf(STAGING_HOST), { [A]: 0, [B]: 0, [C]: 100 });
  });
});
