import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { processMoves } from '../../src/engine/process-handover.js';
import { configOf } from '../support/config.js';
import { blueGreen, FakeAws, STAGING_HOST, stagingRelease, V1, V2, V3 } from '../support/fake-aws.js';

/** Blue-green: a release's workers run while it has traffic, and stop once the traffic has left it. */

const A = stagingRelease(V1);
const B = stagingRelease(V2);
const C = stagingRelease(V3);
const ALARM = 'awesome-application-5xx';
const WORKERS = { processes: 'worker=celery -A shop worker', 'processes-sizes': 'worker=2-4' };
const withWorkers = (version: string, inputs: Record<string, string> = {}) => blueGreen(version, { ...WORKERS, ...inputs });
const rollbackTo = (version: string) => blueGreen(version, { ...WORKERS, command: 'rollback' });

async function deployed(aws: FakeAws, versions: readonly string[], inputs: Record<string, string> = {}): Promise<void> {
  for (const version of versions) {
    const { report } = await aws.run(withWorkers(version, inputs));
    assert.equal(report.status, 'success', `deploy of ${version}: ${report.message ?? ''}`);
  }
}

describe('which process groups change after a change of traffic', () => {
  const stack = (name: string, group: string) => ({ name, outputs: { Processes: `worker ${group} 2 3 5` } });
  const stacks = [stack('serving', 'g-serving'), stack('left', 'g-left')];
  const traffic = [{ setIdentifier: 'serving', weight: 100 }, { setIdentifier: 'left', weight: 0 }];
  const sizes = (minSize: number, desiredSize: number, maxSize: number) => ({ minSize, desiredSize, maxSize });

  test('a stopped group of a release with traffic starts at its release\'s sizes', () => {
    const moves = processMoves(stacks, traffic, new Map([['g-serving', sizes(0, 0, 0)], ['g-left', sizes(0, 0, 0)]]));
    assert.deepEqual(moves, [{ stack: 'serving', process: 'worker', group: 'g-serving', start: true, to: sizes(2, 3, 5) }]);
  });

  test('a running group of a release with traffic is left to its scaling', () => {
    assert.deepEqual(processMoves(stacks, traffic, new Map([['g-serving', sizes(2, 4, 5)]])), []);
  });

  test('a group of a release without traffic that runs anything goes to zero', () => {
    const moves = processMoves(stacks, traffic, new Map([['g-serving', sizes(2, 3, 5)], ['g-left', sizes(2, 3, 5)]]));
    assert.deepEqual(moves, [{ stack: 'left', process: 'worker', group: 'g-left', start: false, to: sizes(0, 0, 0) }]);
  });

  test('a group that is gone is left alone', () => {
    assert.deepEqual(processMoves(stacks, traffic, new Map()), []);
  });

  test('a release being deleted is left to CloudFormation; one whose deletion failed still has its running group stopped', () => {
    const running = new Map([['g-left', sizes(2, 3, 5)]]);
    assert.deepEqual(processMoves([stacks[0]!, { ...stacks[1]!, status: 'DELETE_IN_PROGRESS' }], traffic, running), []);
    assert.deepEqual(processMoves([stacks[0]!, { ...stacks[1]!, status: 'DELETE_FAILED' }], traffic, running), [{ stack: 'left', process: 'worker', group: 'g-left', start: false, to: sizes(0, 0, 0) }]);
  });
});

describe('the workers of blue-green releases', () => {
  test('a second release: once its traffic has moved, the first release\'s workers are at zero and its own at their size', async () => {
    const aws = new FakeAws();
    await deployed(aws, [V1]);
    assert.equal(aws.processGroups.running(A, 'worker'), 2);

    await deployed(aws, [V2]);

    assert.deepEqual(aws.weightsOf(STAGING_HOST), { [A]: 0, [B]: 100 });
    assert.equal(aws.processGroups.running(B, 'worker'), 2);
    assert.equal(aws.processGroups.running(A, 'worker'), 0, 'the release kept warm for a rollback runs no worker');
    const stopped = aws.journal.findIndex((entry) => entry.startsWith('processGroups.resize') && entry.endsWith('0/0/0'));
    assert.ok(stopped > aws.journal.lastIndexOf(`listeners.forward ${STAGING_HOST}`), 'stopped only after the last change of traffic');
  });

  test('while a canary splits the traffic both releases\' workers run; promote stops the old release\'s', async () => {
    const aws = new FakeAws();
    await deployed(aws, [V1]);
    await deployed(aws, [V2], { 'canary-steps': '10' });
    assert.deepEqual([aws.processGroups.running(A, 'worker'), aws.processGroups.running(B, 'worker')], [2, 2]);

    const { report } = await aws.run(configOf({ strategy: 'blue-green', command: 'promote', ...WORKERS }));

    assert.equal(report.status, 'success');
    assert.deepEqual([aws.processGroups.running(A, 'worker'), aws.processGroups.running(B, 'worker')], [0, 2]);
  });

  test('a canary sent back by an alarm stops the new release\'s workers; the serving release\'s keep running', async () => {
    const aws = new FakeAws();
    aws.alarms.set(ALARM);
    await deployed(aws, [V1], { 'alarm-names': ALARM });
    aws.listeners.onChange((change) => {
      if (aws.namedWeights(change.targets)[B] === 10) aws.alarms.set(ALARM, 'ALARM', 'Threshold Crossed');
    });

    const { report } = await aws.run(withWorkers(V2, { 'alarm-names': ALARM }));

    assert.equal(report.status, 'failure');
    assert.deepEqual(aws.weightsOf(STAGING_HOST), { [A]: 100, [B]: 0 });
    assert.deepEqual([aws.processGroups.running(A, 'worker'), aws.processGroups.running(B, 'worker')], [2, 0]);
  });

  test('a rollback to a warm release changes the rule after its three reads, then starts that release\'s workers and stops those of the release it left', async () => {
    const aws = new FakeAws();
    await deployed(aws, [V1, V2]);
    const mark = aws.journal.length;

    const { report } = await aws.run(rollbackTo(V1));

    assert.equal(report.status, 'success');
    const calls = aws.since(mark);
    const change = calls.indexOf(`listeners.forward ${STAGING_HOST}`);
    assert.equal(calls.slice(0, change).length, 3, `the lock, the release's stack and the listener's rules: ${calls.slice(0, change).join('; ')}`);
    assert.ok(calls.slice(0, change).every((call) => !call.startsWith('processGroups')), 'no worker keeps the traffic waiting');
    assert.deepEqual(aws.weightsOf(STAGING_HOST), { [A]: 100, [B]: 0 });
    assert.deepEqual([aws.processGroups.running(A, 'worker'), aws.processGroups.running(B, 'worker')], [2, 0]);
    assert.deepEqual(aws.processGroups.groups().get([...aws.processGroups.groups()].find(([, group]) => group.stack === A)![0])!.sizes, { minSize: 2, desiredSize: 2, maxSize: 4 }, 'at the sizes its stack recorded');
  });

  test('a rollback that reads all releases (no version) hands the workers over too', async () => {
    const aws = new FakeAws();
    await deployed(aws, [V1, V2]);

    const { report } = await aws.run(blueGreen('', { ...WORKERS, command: 'rollback' }));

    assert.equal(report.status, 'success');
    assert.deepEqual([aws.processGroups.running(A, 'worker'), aws.processGroups.running(B, 'worker')], [2, 0]);
  });

  test('a third release leaves only its own workers running: the warm one\'s stay at zero, the removed one\'s are gone with its stack', async () => {
    const aws = new FakeAws();
    await deployed(aws, [V1, V2, V3]);

    assert.equal(aws.processGroups.running(C, 'worker'), 2);
    assert.equal(aws.processGroups.running(B, 'worker'), 0);
    assert.notEqual(aws.processGroups.running(A, 'worker'), 2);
  });

  test('a group that cannot be set is a warning naming it; the deploy succeeds, its traffic moved', async () => {
    const aws = new FakeAws();
    await deployed(aws, [V1]);
    aws.processGroups.resize = async (group) => {
      throw new Error(`Rate exceeded for ${group}`);
    };

    const { report } = await aws.run(withWorkers(V2));

    assert.equal(report.status, 'success');
    assert.deepEqual(aws.weightsOf(STAGING_HOST), { [A]: 0, [B]: 100 });
    assert.ok(aws.log.lines.some((line) => line.startsWith('warning: ') && line.includes(`The worker process of ${A}`) && line.includes('was not stopped')), aws.log.lines.join('\n'));
  });

  test('an application without processes asks Auto Scaling nothing', async () => {
    const aws = new FakeAws();
    const mark = aws.journal.length;
    await aws.run(blueGreen(V1));
    await aws.run(blueGreen(V2));
    await aws.run(blueGreen(V1, { command: 'rollback' }));

    assert.deepEqual(aws.since(mark).filter((call) => call.startsWith('processGroups')), []);
  });
});
