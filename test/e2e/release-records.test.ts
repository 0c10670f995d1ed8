import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { loadBalancerStack, releaseRecordKey } from '../../src/config/names.js';
import { DeleteStackCommand } from '@aws-sdk/client-cloudformation';
import { ACCOUNT, APPLICATION, CREDENTIALS, REGION, ZONE, describeStack, outputsOf, leaveRule, prepareEmulator, ruleWeightsOf, skip, type Emulator } from '../support/emulator.js';
import { runAction, type ActionRun } from '../support/run-action.js';

// Issue 14: a rollback restores the release as it was recorded, whatever the rollback run passes.

const V1 = `${APPLICATION}-staging-v1`;
const V2 = `${APPLICATION}-staging-v2`;
const HOST = `${APPLICATION}-staging.${ZONE}`;

/** A minimal image manifest; `layer` makes each version's bytes, and so its digest, its own. */
const manifest = (layer: string) => JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 7023, digest: `sha256:${'c'.repeat(64)}` },
  layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 32654, digest: `sha256:${layer.repeat(64)}` }],
});

const decode = (base64: string | undefined) => Buffer.from(base64 ?? '', 'base64').toString('utf8');

describe('a rollback against an AWS API restores the recorded release', { skip }, () => {
  let emulator: Emulator;
  let ecr: ECRClient;
  let s3: S3Client;
  const digests: Record<string, string> = {};
  const run = (inputs: Record<string, string>): Promise<ActionRun> =>
    runAction({ awsEndpoint: emulator.endpoint, inputs: { 'application-name': APPLICATION, 'hosted-zone': ZONE, 'verify-url': 'false', ...inputs } });
  const parameters = async (stack: string) => Object.fromEntries(((await describeStack(emulator, stack))?.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? '']));

  before(async () => {
    emulator = await prepareEmulator();
    ecr = new ECRClient({ endpoint: emulator.endpoint, region: REGION, credentials: CREDENTIALS });
    s3 = new S3Client({ endpoint: emulator.endpoint, region: REGION, credentials: CREDENTIALS, forcePathStyle: true });
    await ecr.send(new CreateRepositoryCommand({ repositoryName: APPLICATION }));
    for (const [version, layer] of [['v1', 'd'], ['v2', 'e']] as const) {
      const put = await ecr.send(new PutImageCommand({ repositoryName: APPLICATION, imageTag: version, imageManifest: manifest(layer) }));
      digests[version] = put.image?.imageId?.imageDigest ?? '';
    }
  });
  after(() => {
    ecr?.destroy();
    s3?.destroy();
    emulator?.close();
  });

  test('v1 with variables and secrets, v2 with others, v1 stack gone, then a rollback naming only the release: the stack holds v1 again', async (t) => {
    const first = await run({ strategy: 'blue-green', version: 'v1', 'application-port': '3000', 'environment-variables': 'GREETING=hello from v1\nFEATURE=on', secrets: 'DATABASE_PASSWORD=database-password' });
    assert.equal(first.exitCode, 0, first.stdout + first.stderr);
    // No wait between canary steps: the release's own alarms would be read, and the emulator's
    // CloudWatch answers DescribeAlarms with an error page (unit tests show the watch).
    const second = await run({ strategy: 'blue-green', version: 'v2', 'step-wait': '0', 'environment-variables': 'GREETING=hello from v2', secrets: 'API_KEY=api-key' });
    assert.equal(second.exitCode, 0, second.stdout + second.stderr);
    assert.equal(decode((await parameters(V2)).EnvironmentVariables), 'GREETING=hello from v2\n');
    // v1's stack is gone, as cleanup removes it once its time has come: out of the rule, then deleted.
    await leaveRule(emulator, loadBalancerStack(APPLICATION, 'staging'), HOST, V1);
    await emulator.cloudformation.send(new DeleteStackCommand({ StackName: V1 }));
    assert.equal((await describeStack(emulator, V1))?.StackStatus ?? 'DELETE_COMPLETE', 'DELETE_COMPLETE');

    // The README's rollback workflow: application, zone, environment, strategy and version only.
    const back = await run({ command: 'rollback', environment: 'staging', strategy: 'blue-green', version: 'v1' });
    assert.equal(back.exitCode, 0, back.stdout + back.stderr);

    const now = await parameters(V1);
    assert.equal(decode(now.EnvironmentVariables), 'GREETING=hello from v1\nFEATURE=on\n');
    assert.equal(decode(now.Secrets), `DATABASE_PASSWORD=/${APPLICATION}/staging/database-password\n`);
    assert.equal(now.ImageUri, `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${APPLICATION}@${digests.v1}`);
    assert.deepEqual(await ruleWeightsOf(emulator, loadBalancerStack(APPLICATION, 'staging'), HOST), { [V1]: 100, [V2]: 0 }, 'v1 serves all traffic again; v2 stays warm');
    t.diagnostic(`after the rollback: ${V1} ImageUri ${now.ImageUri}; variables ${JSON.stringify(decode(now.EnvironmentVariables))}; secrets ${JSON.stringify(decode(now.Secrets))}`);
  });

  test('the record of v1 is a JSON object in the storage bucket, outside every instance prefix', async (t) => {
    const bucket = outputsOf(await describeStack(emulator, 'wimpy-base')).StorageBucketName!;
    const key = releaseRecordKey(APPLICATION, 'staging', 'v1');
    const record = JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString()) as { image: { digest: string }; inputs: { port: number } };
    assert.equal(record.image.digest, digests.v1);
    assert.equal(record.inputs.port, 3000);
    t.diagnostic(`s3://${bucket}/${key}`);
  });

  test('a rollback to a version with no record fails and says what it would need', async () => {
    await ecr.send(new PutImageCommand({ repositoryName: APPLICATION, imageTag: 'v9', imageManifest: manifest('f') }));
    const refused = await run({ command: 'rollback', environment: 'staging', strategy: 'blue-green', version: 'v9' });
    assert.notEqual(refused.exitCode, 0);
    assert.match(refused.stdout + refused.stderr, /Release v9 cannot be restored: no stack of version v9 remains, and it has no release record/);
  });
});
