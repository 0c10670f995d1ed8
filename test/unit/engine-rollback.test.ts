import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configOf } from '../support/config.js';
import { APP, blueGreen, FakeAws, STAGING_HOST, stagingRelease, V1, V2, V3 } from '../support/fake-aws.js';

/** Rollback: one change of the hostname's rule where the release's stack is warm, else its image deployed again. */

const A = stagingRelease(V1);
const B = stagingRelease(V2);
const C = stagingRelease(V3);
const ALARM = 'awesome-application-5xx';

const rollbackTo = (version: string, inputs: Record<string, string> = {}) => blueGreen(version, { command: 'rollback', ...inputs });

/** Deploys the versions one after the other, each a success. */
async function deployed(aws: FakeAws, versions: readonly string[], inputs: Record<string, string> = {}): Promise<void> {
  for (const version of versions) {
    const { report } = await aws.run(blueGreen(version, inputs));
    assert.equal(report.status, 'success', `deploy of ${version}: ${report.message ?? ''}`);
  }
}

/** The last deploy run again once resolvers have forgotten the old records: its cleanup removes what is due. */
async function cleanedUp(aws: FakeAws, version: string, inputs: Record<string, string>): Promise<void> {
  aws.clock.advance(2 * 60_000);
  const { report } = await aws.run(blueGreen(version, inputs));
  // The first run after a release's creation updates its stack once: it drops the group's
  // creation-only DesiredCapacity. Either way nothing failed.
  assert.ok(report.status === 'no-change' || report.status === 'success', report.message);
}

describe('a rollback', () => {
  test('to a warm release changes the hostname\'s rule only: one change after the lock and the reads, no stack touched, no image, no DNS', async () => {
    const aws = new FakeAws();
    await deployed(aws, [V1, V2]);
    const mark = aws.journal.length;
    const stackCalls = aws.stacks.calls.length;
    const publishes = aws.images.publishes.length;
    const batches = aws.dns.batches.length;
    const changes = aws.listeners.changes.length;

    const { report, outputs } = await aws.run(rollbackTo(V1));

    assert.equal(report.status, 'success');
    assert.equal(report.message, `Traffic moved back to ${V1}: a weight change, no deploy.`);
    const calls = aws.since(mark);
    const change = calls.indexOf(`listeners.forward ${STAGING_HOST}`);
    const listener = aws.stacks.get(`${APP}-staging-load-balancer`)!.outputs.HttpsListenerArn;
    assert.deepEqual(
      calls.slice(0, change).sort(),
      // The lock, whose record names the listener; then the named release's stack by its name
      // (no listing, whatever the account holds) and the listener's rules, side by side.
      ['locks.take awesome-application/staging', `listeners.rules ${listener}`, `stacks.describe ${A}`].sort(),
    );
    assert.equal(aws.listeners.changes.length, changes + 1);
    assert.equal(aws.dns.batches.length, batches);
    assert.deepEqual(aws.weightsOf(STAGING_HOST), { [A]: 100, [B]: 0 });
    assert.equal(aws.stacks.calls.length, stackCalls, 'no apply, update or removal of any stack');
    assert.equal(aws.images.publishes.length, publishes);
    assert.deepEqual(aws.images.finds, []);
    assert.equal(outputs['stack-name'], A);
    assert.equal(outputs.version, V1);
  });

  test('to a warm release, where the lock\'s record names no listener (a run of an earlier version held it last), reads the zone, the records and the load balancer\'s stack too, and keeps the listener for the next', async () => {
    const aws = new FakeAws();
    await deployed(aws, [V1, V2]);
    delete aws.locks.records.get('awesome-application/staging')!.route;
    const mark = aws.journal.length;

    const { report } = await aws.run(rollbackTo(V1));

    assert.equal(report.status, 'success');
    assert.deepEqual(aws.weightsOf(STAGING_HOST), { [A]: 100, [B]: 0 });
    const calls = aws.since(mark);
    const listener = aws.stacks.get(`${APP}-staging-load-balancer`)!.outputs.HttpsListenerArn;
    assert.deepEqual(
      calls.slice(0, calls.indexOf(`listeners.forward ${STAGING_HOST}`)).sort(),
      ['dns.records awesome-application-staging.armesto.net', 'dns.zoneId armesto.net', `listeners.rules ${listener}`, 'locks.take awesome-application/staging', `stacks.describe ${A}`, `stacks.describe ${APP}-staging-load-balancer`].sort(),
    );
    assert.deepEqual(aws.locks.records.get('awesome-application/staging')!.route, { hostname: STAGING_HOST, listenerArn: listener });
  });

  test('to a warm release, where the listener the lock\'s record names is gone, decides from the full read', async () => {
    const aws = new FakeAws();
    await deployed(aws, [V1, V2]);
    aws.locks.records.get('awesome-application/staging')!.route = { hostname: STAGING_HOST, listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/gone/1/2' };

    const { report } = await aws.run(rollbackTo(V1));

    assert.equal(report.status, 'success');
    assert.deepEqual(aws.weightsOf(STAGING_HOST), { [A]: 100, [B]: 0 });
  });

  test('to a release whose stack is gone deploys its image again from the registry, without a build, and gives it all traffic', async () => {
    const aws = new FakeAws();
    await deployed(aws, [V1, V2, V3], { 'keep-releases': '0' });
    await cleanedUp(aws, V3, { 'keep-releases': '0' });
    assert.equal(aws.stacks.get(A)?.status, 'DELETE_IN_PROGRESS', 'cleanup started the deletion of the oldest release; the rollback waits it out, then deploys it again');
    const publishes = aws.images.publishes.length;

    const { report } = await aws.run(rollbackTo(V1));

    assert.equal(report.status, 'success');
    assert.equal(report.message, `Release ${V1} was deployed again from the registry, without a build.`);
    assert.equal(aws.images.publishes.length, publishes, 'publish, which may build, is never called');
    assert.deepEqual(aws.images.builds, [V1, V2, V3], 'each version was built once, by its own deploy');
    assert.deepEqual(aws.images.finds, [], 'the image comes from the release record, not from a lookup by tag');
    const image = aws.images.registry.get(V1)!;
    assert.equal(aws.stacks.get(A)!.parameters.ImageUri, `${image.repository}@${image.digest}`);
    assert.deepEqual(aws.weightsOf(STAGING_HOST), { [B]: 0, [C]: 0, [A]: 100 });
    assert.deepEqual(report.traffic[0], { release: A, weight: 100 });
    assert.ok(aws.stacks.get(C), 'a rollback removes nothing: the release it left stays warm');
  });

  test('to a release whose stack is still being deleted creates it afresh at its full size once the deletion has ended', async () => {
    const aws = new FakeAws();
    const sizes = { 'keep-releases': '0', 'min-size': '1', 'desired-size': '2', 'max-size': '3' };
    await deployed(aws, [V1, V2, V3], sizes);
    await cleanedUp(aws, V3, sizes);
    assert.equal(aws.stacks.get(A)?.status, 'DELETE_IN_PROGRESS');

    const { report } = await aws.run(configOf({ strategy: 'blue-green', command: 'rollback', version: V1, ...sizes }));

    assert.equal(report.status, 'success', report.message);
    const groups = Object.values(aws.stacks.get(A)!.template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>).filter((resource) => resource.Type === 'AWS::AutoScaling::AutoScalingGroup');
    assert.deepEqual(groups.map((group) => group.Properties.DesiredCapacity), ['2'], 'a group created starts at desired-size, which its creation policy waits for');
  });

  test('with no version returns to the last good release, skipping a reverted canary', async () => {
    const aws = new FakeAws();
    aws.alarms.set(ALARM);
    await deployed(aws, [V1, V2], { 'alarm-names': ALARM });
    aws.listeners.onChange((change) => {
      if (aws.namedWeights(change.targets)[C] === 10) aws.alarms.set(ALARM, 'ALARM', 'Threshold Crossed');
    });
    const reverted = await aws.run(blueGreen(V3, { 'alarm-names': ALARM }));
    assert.equal(reverted.report.status, 'failure');
    aws.alarms.set(ALARM, 'OK');
    assert.deepEqual(aws.weightsOf(STAGING_HOST), { [A]: 0, [B]: 100, [C]: 0 });

    const { report } = await aws.run(configOf({ strategy: 'blue-green', command: 'rollback', version: '' }));

    assert.equal(report.status, 'success');
    assert.equal(report.version, V1);
    assert.deepEqual(aws.weightsOf(STAGING_HOST), { [A]: 100, [B]: 0, [C]: 0 });
  });

  test('with no version finds the releases by their tags: the reads before its traffic change, one of them a listing of its own stacks', async () => {
    const aws = new FakeAws();
    await deployed(aws, [V1, V2]);
    const mark = aws.journal.length;

    const { report } = await aws.run(configOf({ strategy: 'blue-green', command: 'rollback', version: '' }));

    assert.equal(report.version, V1);
    const calls = aws.since(mark);
    const listener = aws.stacks.get(`${APP}-staging-load-balancer`)!.outputs.HttpsListenerArn;
    assert.deepEqual(
      calls.slice(0, calls.indexOf(`listeners.forward ${STAGING_HOST}`)).filter((call) => !call.startsWith('locks.')).sort(),
      ['dns.records awesome-application-staging.armesto.net', 'dns.zoneId armesto.net', `listeners.rules ${listener}`, `stacks.describe ${APP}-staging-load-balancer`, 'stacks.list {"wimpy:application":"awesome-application","wimpy:environment":"staging"}'].sort(),
    );
  });

  test('by redeploy does not make the release it left look good: the next rollback with no version does not return to it', async () => {
    const aws = new FakeAws();
    await deployed(aws, [V1, V2, V3], { 'keep-releases': '0' });
    await cleanedUp(aws, V3, { 'keep-releases': '0' });
    await aws.run(rollbackTo(V1));
    assert.equal(aws.weightsOf(STAGING_HOST)[A], 100);

    const { report } = await aws.run(configOf({ strategy: 'blue-green', command: 'rollback', version: '' }));

    assert.equal(report.status, 'success');
    assert.equal(report.version, V2, `${V3} was rolled back from, so the last good release is the one it replaced`);
    assert.deepEqual(aws.weightsOf(STAGING_HOST), { [A]: 0, [B]: 100, [C]: 0 });
  });
});
