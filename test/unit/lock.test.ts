import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { LEASE_MS, lockKey, LockLostError, withLock } from '../../src/engine/lock.js';
import { planChanges } from '../../src/engine/plan-changes.js';
import { configOf } from '../support/config.js';
import { APP, blueGreen, FakeAws, FakeLocks, STAGING_HOST, stagingRelease, V1, V2 } from '../support/fake-aws.js';
import { RecordingLog } from '../support/recording-log.js';

/** One run at a time per application and environment, whatever starts it. */

const KEY = lockKey(APP, 'staging');
const OTHER = { holder: 'https://github.com/acme/shop/actions/runs/41', command: 'deploy', version: V1 };

describe('the lock of an application and environment', () => {
  test('a free lock is taken first, before any read of the environment, and released at the end', async () => {
    const aws = new FakeAws();
    const { report } = await aws.run(blueGreen(V1), { holder: 'https://github.com/acme/shop/actions/runs/42' });

    assert.equal(report.status, 'success');
    // Only the expiry sweep's list of the application's previews may come first: those are other environments.
    const calls = aws.journal.filter((entry) => !entry.startsWith('identity.') && entry !== `stacks.list {"wimpy:application":"${APP}"}`);
    assert.equal(calls[0], `locks.take ${KEY}`);
    // After the release only the subscribers are told: the network's topic is read and published to, nothing changes.
    const released = calls.indexOf(`locks.release ${KEY}`);
    assert.ok(released > 0);
    assert.deepEqual(calls.slice(released + 1).filter((entry) => entry !== 'stacks.describe wimpy-staging' && !entry.startsWith('notifications.publish ')), []);
    assert.equal(aws.locks.held(KEY), false);
  });

  test('a second run waits while another holds the lock, printing who holds it, then goes on from what AWS holds now', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1));
    const since = aws.clock.now();
    aws.locks.hold(KEY, { ...OTHER, since }, since + 60_000);

    const { report } = await aws.run(blueGreen(V2));

    assert.equal(report.status, 'success');
    const waiting = aws.log.lines.filter((line) => line.includes('Waiting for the lock'));
    assert.deepEqual(waiting, [`Waiting for the lock of ${KEY}, held by ${OTHER.holder} (deploy ${V1}, since ${new Date(since).toISOString()}).`], 'the holder is printed once, not at every poll');
    assert.ok(aws.log.lines.some((line) => /^Took the lock of .* after \d+ s: going on from what AWS holds now\.$/.test(line)));
    assert.deepEqual(aws.weightsOf(STAGING_HOST), { [stagingRelease(V1)]: 0, [stagingRelease(V2)]: 100 });
  });

  test('gives up after half of timeout-minutes, naming the holder, and changes nothing', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1));
    const changes = aws.listeners.changes.length;
    const applied = aws.stacks.calls.length;
    aws.locks.hold(KEY, { ...OTHER, since: aws.clock.now() }, aws.clock.now() + 24 * 3600_000);

    const { report } = await aws.run(blueGreen(V2, { 'timeout-minutes': '10' }));

    assert.equal(report.status, 'failure');
    assert.match(report.message ?? '', new RegExp(`^Another run holds the lock of ${KEY}: ${OTHER.holder} \\(deploy ${V1}, since .*\\)\\. Waited 300 s, half of timeout-minutes\\. Nothing was changed; run again once it has finished\\.$`));
    assert.equal(aws.listeners.changes.length, changes);
    assert.equal(aws.stacks.calls.length, applied);
    assert.equal(aws.locks.held(KEY), true, "the other run's lock is left alone");
  });

  test('a lock whose holder died (its lease ran out) is taken over', async () => {
    const aws = new FakeAws();
    aws.locks.hold(KEY, { ...OTHER, since: aws.clock.now() - LEASE_MS * 2 }, aws.clock.now() - 1);
    const { report } = await aws.run(blueGreen(V1));
    assert.equal(report.status, 'success');
    assert.ok(!aws.log.lines.some((line) => line.includes('Waiting for the lock')));
  });

  test('is released when the run fails', async () => {
    const aws = new FakeAws();
    aws.stacks.failApply(stagingRelease(V1));
    const { report } = await aws.run(blueGreen(V1));
    assert.equal(report.status, 'failure');
    assert.equal(aws.locks.held(KEY), false);
  });

  test('a run cancelled while it waits says so, naming the holder, and changes nothing', async () => {
    const aws = new FakeAws();
    aws.locks.hold(KEY, { ...OTHER, since: aws.clock.now() }, aws.clock.now() + 24 * 3600_000);
    const cancel = new AbortController();
    const sleep = aws.clock.sleep.bind(aws.clock);
    aws.clock.sleep = async (ms) => {
      cancel.abort();
      return sleep(ms);
    };
    const config = blueGreen(V1);
    const request = aws.request(config);
    const { report } = await aws.run(config, { run: { ...request.run, signal: cancel.signal } });
    assert.equal(report.status, 'cancelled');
    assert.match(report.message ?? '', new RegExp(`^The run was cancelled while it waited for the lock of ${KEY}, held by ${OTHER.holder}`));
    assert.deepEqual(aws.stacks.calls, []);
  });

  test('every changing command takes it: rollback, promote and destroy too', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1));
    await aws.run(blueGreen(V2, { 'canary-steps': '10' }));
    for (const command of ['promote', 'rollback', 'destroy']) {
      const mark = aws.journal.length;
      await aws.run(configOf({ strategy: 'blue-green', command, version: command === 'rollback' ? V1 : '' }));
      assert.equal(aws.since(mark).filter((entry) => entry.startsWith('locks.take')).length, 1, command);
    }
  });

  test('plan takes no lock', async () => {
    const aws = new FakeAws();
    const config = configOf({ command: 'plan' });
    await planChanges(config, aws, aws.request(config).run, () => undefined);
    assert.deepEqual(aws.journal.filter((entry) => entry.startsWith('locks.')), []);
  });

  test('the expiry sweep takes the lock of each preview it removes, and leaves a preview whose lock is held', async () => {
    const aws = new FakeAws();
    await aws.run(configOf());
    const previewRun = (number: number) => aws.run(configOf({}, { sha: V1, intent: { kind: 'preview-deploy', pullRequest: number } }));
    await previewRun(1);
    await previewRun(2);
    aws.clock.advance(8 * 24 * 3600_000);
    aws.locks.hold(lockKey(APP, 'pr-2'), { ...OTHER, since: aws.clock.now() }, aws.clock.now() + LEASE_MS);

    const { expiredPreviews } = await aws.run(configOf());

    assert.deepEqual(expiredPreviews, ['pr-1']);
    assert.ok(aws.journal.includes(`locks.take ${lockKey(APP, 'pr-1')}`));
    assert.ok(aws.log.lines.some((line) => line.startsWith('Preview pr-2 was left: Another run holds the lock')));
  });

  test('a run whose lock was taken over (its heartbeat stalled past the lease) stops and says so', async (t) => {
    const alive = setInterval(() => undefined, 1_000);
    t.after(() => clearInterval(alive));
    const locks = new FakeLocks([]);
    const log = new RecordingLog();
    const clock = { now: () => Date.now(), sleep: (ms: number) => delay(ms) };
    const run = { startedAt: Date.now(), deadline: Date.now() + 60_000 };
    const work = withLock({ locks, clock, log, leaseMs: 60 }, run, { ...OTHER, key: KEY }, async (locked) => {
      // Another run takes the lock as if this one had stalled.
      locks.hold(KEY, { ...OTHER, holder: 'someone else', since: Date.now() }, Date.now() + 60_000);
      await new Promise<void>((resolve) => locked.signal?.addEventListener('abort', () => resolve()));
      throw new Error('stopped');
    });
    await assert.rejects(work, (error: unknown) => error instanceof LockLostError && /was taken over by another run/.test(error.message));
    assert.equal(locks.held(KEY), true, "the new holder's lock is not released by the run that lost it");
  });
});
