import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient, GetLifecyclePolicyCommand, PutImageCommand } from '@aws-sdk/client-ecr';
import { EcrRegistry, keepTag } from '../../src/aws/ecr.js';
import { ACCOUNT, APPLICATION, CREDENTIALS, REGION, ZONE, describeStack, prepareEmulator, skip, type Emulator } from '../support/emulator.js';
import { logLines, runAction } from '../support/run-action.js';

// Issue 5: the ECR paths against an AWS API, and a release already in the registry is never built again.

/** A minimal image manifest, as docker pushes it. */
const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 7023, digest: `sha256:${'c'.repeat(64)}` },
  layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 32654, digest: `sha256:${'d'.repeat(64)}` }],
});

describe('the registry of releases against an AWS API', { skip }, () => {
  let emulator: Emulator;
  let ecr: ECRClient;
  let registry: EcrRegistry;
  /** The digest the registry gave the manifest it was sent (moto hashes its own serialisation of it). */
  let digest = '';
  before(async () => {
    emulator = await prepareEmulator();
    ecr = new ECRClient({ endpoint: emulator.endpoint, region: REGION, credentials: CREDENTIALS });
    registry = new EcrRegistry({ application: APPLICATION, keepImages: 30, client: ecr });
  });
  after(() => {
    ecr?.destroy();
    emulator?.close();
  });

  test('creates the repository on demand with scan on push, immutable versions and a lifecycle policy', async () => {
    const uri = await registry.ensureRepository(APPLICATION);
    assert.equal(uri, `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${APPLICATION}`);
    const [repository] = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [APPLICATION] }))).repositories ?? [];
    assert.equal(repository?.imageScanningConfiguration?.scanOnPush, true);
    assert.match(repository?.imageTagMutability ?? '', /^IMMUTABLE/);
    const policy = JSON.parse((await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: APPLICATION }))).lifecyclePolicyText ?? '{}') as { rules: { selection: { tagPrefixList?: string[] } }[] };
    assert.equal(policy.rules.length, 3);
    assert.deepEqual(policy.rules[0]?.selection.tagPrefixList, ['wimpy-keep.'], 'the keep tags are matched first: no later rule expires them');
    assert.equal(await registry.ensureRepository(APPLICATION), uri, 'the second call finds it and changes nothing');
  });

  test('gives docker a login from the authorization token', async () => {
    const login = await registry.credentials();
    assert.equal(login?.username, 'AWS');
    assert.ok(login?.password);
    assert.match(login?.server ?? '', /\.dkr\.ecr\.us-east-1\.amazonaws\.com$/);
  });

  test('finds a version by its tag, with the digest of its manifest', async () => {
    const uri = await registry.ensureRepository(APPLICATION);
    assert.equal(await registry.find(uri, 'v7'), undefined);
    const put = await ecr.send(new PutImageCommand({ repositoryName: APPLICATION, imageTag: 'v7', imageManifest: MANIFEST }));
    digest = put.image?.imageId?.imageDigest ?? '';
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(await registry.find(uri, 'v7'), digest);
  });

  test('a deploy of all three phases whose version is already in the registry builds nothing and deploys it by digest', async (t) => {
    const run = await runAction({
      awsEndpoint: emulator.endpoint,
      inputs: { 'application-name': APPLICATION, 'hosted-zone': ZONE, version: 'v7', steps: 'environment,build,deploy', 'verify-url': 'false' },
    });
    assert.equal(run.exitCode, 0, run.stdout + run.stderr);
    assert.equal(run.outputs.image, `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${APPLICATION}@${digest}`);
    const [line] = logLines(run, 'is already in the registry: not building again');
    assert.ok(line, 'the log says the build was skipped');
    assert.equal(logLines(run, /^Building /).length, 0);
    const parameters = (await describeStack(emulator, `${APPLICATION}-staging`))?.Parameters ?? [];
    assert.equal(parameters.find((parameter) => parameter.ParameterKey === 'ImageUri')?.ParameterValue, run.outputs.image);
    assert.deepEqual((await tagsOf('v7')).sort(), ['v7', keepTag('staging', 'v7')], "the serving release's image carries the keep tag of staging");
    t.diagnostic(line);
  });

  test('keep tags move in the repository: added to the image needed now, removed from the one no release needs, never from another environment', async () => {
    await ecr.send(new PutImageCommand({ repositoryName: APPLICATION, imageTag: 'v8', imageManifest: MANIFEST.replace('32654', '32655') }));
    await registry.protect(APPLICATION, 'production', ['v7'], false);
    await registry.protect(APPLICATION, 'production', ['v8'], true);

    assert.deepEqual((await tagsOf('v8')).sort(), ['v8', keepTag('production', 'v8')]);
    assert.deepEqual((await tagsOf('v7')).sort(), ['v7', keepTag('staging', 'v7')], 'production gave up v7; staging still keeps it');
  });

  async function tagsOf(version: string): Promise<string[]> {
    const images = await ecr.send(new DescribeImagesCommand({ repositoryName: APPLICATION, imageIds: [{ imageTag: version }] }));
    return images.imageDetails?.[0]?.imageTags ?? [];
  }
});
