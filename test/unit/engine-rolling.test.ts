import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_STACK, environmentStack, loadBalancerStack, resourcesStack, rollingStack } from '../../src/config/names.js';
import { configOf } from '../support/config.js';
import { APP, FakeAws, LOAD_BALANCER_ZONE_ID, STAGING_HOST, V1, V2, ZONE_ID } from '../support/fake-aws.js';

/** Rolling: one application stack per environment, updated in place, its target group at 100 in the hostname's rule. */

const ZONE = 'armesto.net';
const STACK = rollingStack(APP, 'staging');
const BALANCER = loadBalancerStack(APP, 'staging');

const rolling = (inputs: Record<string, string> = {}) => configOf({ version: V1, ...inputs });

describe('a rolling deploy', () => {
  test('builds the image while the environment is applied, not after it', async () => {
    const aws = new FakeAws();
    await aws.run(rolling({ steps: 'environment,build,deploy' }));
    const build = aws.journal.indexOf(`images.publish ${V1}`);
    const firstStackDone = aws.journal.findIndex((entry) => /^stacks\.apply .+: /.test(entry));
    assert.ok(build >= 0 && firstStackDone >= 0, aws.journal.join('\n'));
    assert.ok(build < firstStackDone, `the build started before any environment stack was done:\n${aws.journal.join('\n')}`);
    assert.deepEqual(aws.images.builds, [V1]);
  });

  test('the first deploy applies base, then the environment that imports from it, then the load balancer, then resources, then the application stack, and points the hostname at it', async () => {
    const aws = new FakeAws();
    const { report, outputs } = await aws.run(rolling());

    assert.equal(report.status, 'success');
    assert.deepEqual(aws.stacks.calls.filter((call) => call.kind === 'apply'), [
      { kind: 'apply', name: BASE_STACK, outcome: 'created' },
      { kind: 'apply', name: environmentStack('staging'), outcome: 'created' },
      { kind: 'apply', name: BALANCER, outcome: 'created' },
      { kind: 'apply', name: resourcesStack(APP, 'staging'), outcome: 'created' },
      { kind: 'apply', name: STACK, outcome: 'created' },
    ]);
    // In the order of their imports: the environment's flow logs and topic import the base's bucket and key.
    const starts = aws.journal.filter((line) => line.startsWith('stacks.apply'));
    assert.deepEqual(starts.slice(0, 4), [`stacks.apply ${BASE_STACK}`, `stacks.apply ${BASE_STACK}: created`, `stacks.apply ${environmentStack('staging')}`, `stacks.apply ${environmentStack('staging')}: created`]);
    assert.deepEqual(starts.slice(4), [
      `stacks.apply ${BALANCER}`, `stacks.apply ${BALANCER}: created`,
      `stacks.apply ${resourcesStack(APP, 'staging')}`, `stacks.apply ${resourcesStack(APP, 'staging')}: created`,
      `stacks.apply ${STACK}`, `stacks.apply ${STACK}: created`,
    ]);

    assert.deepEqual(aws.ruleChanges(STAGING_HOST), [{ [STACK]: 100 }]);
    const balancer = aws.stacks.get(BALANCER)!;
    assert.deepEqual(aws.dns.batches, [
      { zoneId: ZONE_ID, hostname: STAGING_HOST, targets: [], remove: [], after: [], alias: { dnsName: balancer.outputs.LoadBalancerDnsName, hostedZoneId: LOAD_BALANCER_ZONE_ID } },
    ]);
    assert.equal(outputs.url, `https://${APP}-staging.${ZONE}`);
    assert.equal(report.url, `https://${APP}-staging.${ZONE}`);
    assert.equal(outputs['stack-name'], STACK);
    assert.equal(outputs['has-changes'], 'true');
    assert.deepEqual(report.traffic, [{ release: STACK, weight: 100 }]);
  });

  test('a second deploy of a new version updates the same stack and leaves the rule and the alias as they are', async () => {
    const aws = new FakeAws();
    await aws.run(rolling());
    const before = aws.stacks.calls.length;
    const { report, outputs } = await aws.run(rolling({ version: V2 }));

    assert.equal(report.status, 'success');
    // The environment's stacks were checked side by side and found unchanged: only the application stack is applied.
    assert.deepEqual(aws.stacks.calls.slice(before), [{ kind: 'apply', name: STACK, outcome: 'updated' }]);
    assert.equal(aws.stacks.reads.unchanged, 8, 'base, network, load balancer and resources checked on each of the two runs');
    assert.equal(aws.stacks.get(STACK)!.tags['wimpy:version'], V2);
    assert.equal(aws.dns.batches.length, 1, 'the alias already points at the load balancer');
    assert.equal(aws.listeners.changes.length, 1, 'the rule already forwards to the stack');
    assert.deepEqual(aws.weightsOf(STAGING_HOST), { [STACK]: 100 });
    assert.equal(outputs.version, V2);
    assert.equal(outputs['has-changes'], 'true');
  });

  test('the same version again changes nothing: status no-change, has-changes false, no weight change', async () => {
    const aws = new FakeAws();
    await aws.run(rolling());
    // The first update leaves out the group's DesiredCapacity, which only a creation sets.
    await aws.run(rolling());
    const batches = aws.dns.batches.length;
    const changes = aws.listeners.changes.length;
    const updated = aws.stacks.updated.length;
    const { report, outputs } = await aws.run(rolling());

    assert.equal(report.status, 'no-change');
    assert.equal(outputs['has-changes'], 'false');
    assert.equal(aws.dns.batches.length, batches);
    assert.equal(aws.listeners.changes.length, changes);
    assert.equal(aws.stacks.updated.length, updated);
    assert.deepEqual(aws.images.builds, [V1], 'the image is in the registry: not built again');
  });

  test('a failed rolling update ends in failure with the root cause in the report, and the rule and records are never touched', async () => {
    const aws = new FakeAws();
    await aws.run(rolling());
    const records = aws.dns.recordsOf(STAGING_HOST);
    const batches = aws.dns.batches.length;
    const changes = aws.listeners.changes.length;
    aws.stacks.failApply(STACK, { logicalId: 'Fleet', type: 'AWS::AutoScaling::AutoScalingGroup', reason: 'Received 0 SUCCESS signal(s) out of 2' });

    const { report, outputs } = await aws.run(rolling({ version: V2 }));

    assert.equal(report.status, 'failure');
    assert.match(report.message ?? '', new RegExp(`stack ${STACK} failed and CloudFormation rolled it back; it is UPDATE_ROLLBACK_COMPLETE`));
    const { timestamp, ...cause } = report.rootCause!;
    assert.ok(timestamp instanceof Date);
    assert.deepEqual(cause, { stack: STACK, resource: 'Fleet', type: 'AWS::AutoScaling::AutoScalingGroup', status: 'UPDATE_FAILED', reason: 'Received 0 SUCCESS signal(s) out of 2' });
    assert.equal(aws.dns.batches.length, batches, 'no DNS change at all');
    assert.equal(aws.listeners.changes.length, changes, 'no rule change at all');
    assert.deepEqual(aws.dns.recordsOf(STAGING_HOST), records);
    assert.equal(aws.stacks.get(STACK)!.tags['wimpy:version'], V1, 'CloudFormation kept the version that worked');
    assert.equal(outputs['has-changes'], 'false');
  });

  test('steps without build deploy the version the registry already holds, without building it', async () => {
    const aws = new FakeAws();
    const image = aws.images.push(V2);
    const { report } = await aws.run(rolling({ version: V2, steps: 'environment,deploy' }));

    assert.equal(report.status, 'success');
    assert.deepEqual(aws.images.finds, [V2]);
    assert.deepEqual(aws.images.publishes, []);
    assert.equal(report.image, `${image.repository}@${image.digest}`);
    assert.equal(aws.stacks.get(STACK)!.parameters.ImageUri, `${image.repository}@${image.digest}`);
  });

  test('steps without build fail clearly when the version is not in the registry, before any application stack', async () => {
    const aws = new FakeAws();
    const { report } = await aws.run(rolling({ version: V2, steps: 'deploy' }));

    assert.equal(report.status, 'failure');
    assert.equal(report.message, `Version ${V2} is not in the registry and steps leaves out build: add build to steps, or give a version that was built before.`);
    assert.deepEqual(aws.images.publishes, []);
    assert.deepEqual(aws.stacks.applied, []);
    assert.deepEqual(aws.dns.batches, []);
  });

  test('allowed-account-ids refuses another account before any apply', async () => {
    const aws = new FakeAws();
    aws.identity.account = '999999999999';
    const { report } = await aws.run(rolling({ 'allowed-account-ids': '123456789012,210987654321' }));

    assert.equal(report.status, 'failure');
    assert.equal(report.message, 'The AWS credentials are for account 999999999999, which allowed-account-ids (123456789012, 210987654321) does not allow: nothing was changed.');
    assert.deepEqual(aws.journal, ['identity.accountId']);
  });
});

describe('the size of a group', () => {
  test('is set by the deploy that creates its stack and left to the scaling policy by every update', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({ version: V1, 'min-size': '1', 'desired-size': '2', 'max-size': '4' }));
    const group = () => (aws.stacks.get(STACK)!.template.Resources as Record<string, { Properties: Record<string, unknown> }>).AutoScalingGroup!.Properties;
    assert.equal(group().DesiredCapacity, '2');

    await aws.run(configOf({ version: V2, 'min-size': '1', 'desired-size': '2', 'max-size': '4' }));

    assert.equal('DesiredCapacity' in group(), false);
  });
});
