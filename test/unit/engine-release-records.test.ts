import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname, rollingStack } from '../../src/config/names.js';
import type { StackSpec } from '../../src/engine/ports.js';
import { encodeSecrets, encodeVariables } from '../../src/platforms/ec2/user-data.js';
import { configOf } from '../support/config.js';
import { APP, FakeAws, stagingRelease, V1, V2, V3 } from '../support/fake-aws.js';

/**
 * A release is what it was deployed with: a rollback restores the release's recorded inputs,
 * whatever the rollback run passes (the README's rollback workflow passes only names).
 */

const ROLLING = rollingStack(APP, 'staging');
const STAGING = hostname(APP, 'staging', 'armesto.net');

/** The inputs v1 was deployed with: none of them defaults. */
const V1_INPUTS = {
  'application-port': '3000',
  'environment-variables': 'GREETING=hello from v1\nFEATURE=on',
  secrets: 'DATABASE_PASSWORD=database-password',
  'min-size': '2',
  'desired-size': '2',
  'max-size': '4',
  'instance-type': 't3.medium',
  'health-check-path': '/up',
};
const V2_INPUTS = { 'environment-variables': 'GREETING=hello from v2', secrets: 'API_KEY=api-key' };

/** What a stack holds that the release's inputs decide. */
function shape(spec: Pick<StackSpec, 'parameters' | 'template'>) {
  const resources = spec.template.Resources as Record<string, { Properties: Record<string, unknown> }>;
  const group = resources.AutoScalingGroup!.Properties;
  const launch = resources.LaunchTemplate!.Properties.LaunchTemplateData as Record<string, unknown>;
  const target = resources.ReleaseTargetGroup!.Properties;
  return {
    variables: spec.parameters.EnvironmentVariables,
    secrets: spec.parameters.Secrets,
    port: target.Port,
    healthCheckPath: target.HealthCheckPath,
    sizes: [group.MinSize, group.MaxSize],
    instanceType: launch.InstanceType,
  };
}

const V1_SHAPE = {
  variables: encodeVariables([{ name: 'GREETING', value: 'hello from v1' }, { name: 'FEATURE', value: 'on' }]),
  secrets: encodeSecrets([{ name: 'DATABASE_PASSWORD', parameter: `/${APP}/staging/database-password` }]),
  port: 3000,
  healthCheckPath: '/up',
  sizes: ['2', '4'],
  instanceType: 't3.medium',
};

async function succeeds(aws: FakeAws, inputs: Record<string, string>): Promise<void> {
  const { report } = await aws.run(configOf(inputs));
  assert.equal(report.status, 'success', `${inputs.command ?? 'deploy'} ${inputs.version}: ${report.message ?? ''}`);
}

describe('a release record', () => {
  test('is written by every deploy: the image by digest and where it lives, every application input, the template digest', async () => {
    const aws = new FakeAws();
    await succeeds(aws, { version: V1, ...V1_INPUTS });
    const record = aws.records.get('staging', V1)!;
    assert.deepEqual(record.image, aws.images.registry.get(V1));
    assert.equal(record.inputs.port, 3000);
    assert.deepEqual(record.inputs.capacity, { instanceType: 't3.medium', minSize: 2, desiredSize: 2, maxSize: 4, cpuTarget: record.inputs.capacity.cpuTarget });
    assert.deepEqual(record.inputs.secrets, [{ name: 'DATABASE_PASSWORD', parameter: `/${APP}/staging/database-password` }]);
    assert.match(record.templateDigest, /^sha256:[0-9a-f]{64}$/);
    assert.ok(aws.journal.indexOf(`records.write staging ${V1}`) < aws.journal.indexOf(`stacks.apply ${ROLLING}: created`), 'recorded before the stack exists: no release serves unrecorded');
  });

  test('is written again when the same version is deployed with other inputs, before its stack changes', async () => {
    const aws = new FakeAws();
    await succeeds(aws, { version: V1, ...V1_INPUTS });
    const mark = aws.journal.length;

    await succeeds(aws, { version: V1, ...V1_INPUTS, 'instance-type': 't3.large' });

    const calls = aws.since(mark);
    assert.ok(calls.indexOf(`records.write staging ${V1}`) >= 0 && calls.indexOf(`records.write staging ${V1}`) < calls.indexOf(`stacks.apply ${ROLLING}: updated`));
    assert.equal(aws.records.get('staging', V1)!.inputs.capacity.instanceType, 't3.large');
  });
});

describe('a rollback restores the release as it was recorded', () => {
  test('rolling: the variables, secret names, port, sizes, instance type and health check of v1 when the rollback run passes none of them', async () => {
    const aws = new FakeAws();
    await succeeds(aws, { version: V1, ...V1_INPUTS });
    await succeeds(aws, { version: V2, ...V2_INPUTS });
    assert.notDeepEqual(shape(aws.stacks.get(ROLLING)!), V1_SHAPE);

    await succeeds(aws, { command: 'rollback', version: V1 });

    assert.deepEqual(shape(aws.stacks.get(ROLLING)!), V1_SHAPE);
    const image = aws.images.registry.get(V1)!;
    assert.equal(aws.stacks.get(ROLLING)!.parameters.ImageUri, `${image.repository}@${image.digest}`);
    assert.deepEqual(aws.images.publishes, [V1, V2], 'nothing is built or published by the rollback');
  });

  test('blue-green with the release stack gone: the recorded inputs of v1, not the defaults', async () => {
    const aws = new FakeAws();
    await succeeds(aws, { strategy: 'blue-green', version: V1, 'keep-releases': '0', ...V1_INPUTS });
    await succeeds(aws, { strategy: 'blue-green', version: V2, 'keep-releases': '0', ...V2_INPUTS });
    await succeeds(aws, { strategy: 'blue-green', version: V3, 'keep-releases': '0' });
    assert.equal(aws.stacks.get(stagingRelease(V1))?.status, 'DELETE_IN_PROGRESS', 'cleanup started the deletion of v1, and the rollback comes before CloudFormation ends it');

    await succeeds(aws, { strategy: 'blue-green', command: 'rollback', version: V1 });

    assert.deepEqual(shape(aws.stacks.get(stagingRelease(V1))!), V1_SHAPE);
  });

  test('the processes of v1, with their commands and sizes, when the rollback run names none', async () => {
    const aws = new FakeAws();
    await succeeds(aws, { version: V1, processes: 'worker=celery -A shop worker', 'processes-sizes': 'worker=2' });
    await succeeds(aws, { version: V2 });
    assert.equal((aws.stacks.get(ROLLING)!.template.Resources as Record<string, unknown>).ProcessWorkerGroup, undefined);

    await succeeds(aws, { command: 'rollback', version: V1 });

    const resources = aws.stacks.get(ROLLING)!.template.Resources as Record<string, { Metadata?: unknown; Properties: Record<string, unknown> }>;
    assert.deepEqual(resources.ProcessWorkerLaunchTemplate!.Metadata, { 'wimpy:process': { command: 'celery -A shop worker' } });
    assert.equal(resources.ProcessWorkerGroup!.Properties.MinSize, '2');
  });

  test("the run's own inputs do not override the record", async () => {
    const aws = new FakeAws();
    await succeeds(aws, { version: V1, ...V1_INPUTS });
    await succeeds(aws, { version: V2 });

    await succeeds(aws, { command: 'rollback', version: V1, 'application-port': '9090', 'environment-variables': 'GREETING=not v1' });

    assert.deepEqual(shape(aws.stacks.get(ROLLING)!), V1_SHAPE);
    assert.ok(aws.log.lines.some((line) => line.includes("recorded inputs are used, not this run's application-port 9090, environment-variables")), aws.log.lines.join('\n'));
  });

  test('to a version that has no record fails before any change, saying why and what it would need', async () => {
    const aws = new FakeAws();
    aws.images.push(V1);
    await succeeds(aws, { version: V2 });
    const calls = aws.stacks.calls.length;

    const { report } = await aws.run(configOf({ command: 'rollback', version: V1 }));

    assert.equal(report.status, 'failure');
    assert.match(report.message!, new RegExp(`Release ${V1} cannot be restored: no stack of version ${V1} remains, and it has no release record \\(s3://storage/releases/${APP}/staging/${V1}.json\\)`));
    assert.match(report.message!, /run deploy with version \S+ and all of its inputs/);
    assert.equal(aws.stacks.calls.length, calls, 'no stack touched');
  });

  test('of a prebuilt image finds it in the registry it lives in, not in the application repository', async () => {
    const aws = new FakeAws();
    const prebuilt = { repository: 'ghcr.io/team/awesome-application', tag: V1, digest: `sha256:${'7'.repeat(64)}` };
    aws.images.registry.set(V1, prebuilt);
    await succeeds(aws, { strategy: 'blue-green', version: V1, 'keep-releases': '0' });
    await succeeds(aws, { strategy: 'blue-green', version: V2, 'keep-releases': '0' });
    await succeeds(aws, { strategy: 'blue-green', version: V3, 'keep-releases': '0' });

    await succeeds(aws, { strategy: 'blue-green', command: 'rollback', version: V1 });

    assert.equal(aws.stacks.get(stagingRelease(V1))!.parameters.ImageUri, `${prebuilt.repository}@${prebuilt.digest}`);
    assert.ok(aws.journal.includes(`images.holds ${prebuilt.repository}@${prebuilt.digest}`));
    assert.deepEqual(aws.images.finds, []);
  });

  test('whose image its registry no longer holds fails before any change', async () => {
    const aws = new FakeAws();
    await succeeds(aws, { version: V1 });
    await succeeds(aws, { version: V2 });
    aws.images.registry.delete(V1);
    const calls = aws.stacks.calls.length;

    const { report } = await aws.run(configOf({ command: 'rollback', version: V1 }));

    assert.equal(report.status, 'failure');
    assert.match(report.message!, /is no longer in its registry/);
    assert.equal(aws.stacks.calls.length, calls);
  });
});

describe('a release that fails its check after it took all traffic', () => {
  test('blue-green: traffic goes back to the release that served before, and the run fails saying so', async () => {
    const aws = new FakeAws();
    await succeeds(aws, { strategy: 'blue-green', version: V1 });
    aws.listeners.onChange((change) => {
      if (aws.namedWeights(change.targets)[stagingRelease(V2)] === 100) aws.probe.down.add(`https://${STAGING}/health`);
    });

    const { report } = await aws.run(configOf({ strategy: 'blue-green', version: V2 }));

    assert.equal(report.status, 'failure');
    assert.match(report.message!, new RegExp(`${V2} took all traffic, then failed its check .*: all traffic went back to ${stagingRelease(V1)}`));
    assert.match(report.trafficSteps?.at(-1)?.reverted ?? '', /^failed its check: /, 'the picture of the run ends with the way back');
    assert.deepEqual(report.trafficSteps?.at(-1)?.shares.map((share) => [share.release, share.weight]), [[stagingRelease(V1), 100], [stagingRelease(V2), 0]]);
    assert.deepEqual(aws.weightsOf(STAGING), { [stagingRelease(V1)]: 100, [stagingRelease(V2)]: 0 });
  });

  test('rolling: the release that served before is deployed again from its record, and the run fails saying so', async () => {
    const aws = new FakeAws();
    await succeeds(aws, { version: V1, ...V1_INPUTS });
    // v2 never answers its health check; v1, restored with its own, does.
    aws.probe.down.add(`https://${STAGING}/v2-health`);

    const { report } = await aws.run(configOf({ version: V2, ...V2_INPUTS, 'health-check-path': '/v2-health' }));

    assert.equal(report.status, 'failure');
    assert.match(report.message!, new RegExp(`${V2} failed its check after it took all traffic .*: ${V1}, which served before, was deployed again from its record and serves now`));
    assert.deepEqual(shape(aws.stacks.get(ROLLING)!), V1_SHAPE);
  });
});
