import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  ECRClient,
  ImageAlreadyExistsException,
  ListImagesCommand,
  PutImageCommand,
  type ImageIdentifier,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { EcrRegistry, keepTag, lifecyclePolicy } from '../../src/aws/ecr.js';
import { configOf, COMMIT } from '../support/config.js';
import { expiredBy, type RepositoryImage } from '../support/ecr-lifecycle.js';
import { blueGreen, FakeAws, V1, V2, V3 } from '../support/fake-aws.js';
import { rollingStack } from '../../src/config/names.js';

/**
 * Images that releases need are never expired by the repository's lifecycle policy, whatever
 * previews push: the product moves keep tags, and the policy's first rule never expires them.
 */

const REPOSITORY = 'awesome-application';
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 30);
const metadata = { $metadata: {} };

/** A repository as ECR holds it: images with their tags, manifests and push times. */
class EcrRepository {
  readonly images: { digest: string; tags: Set<string>; pushedAt: number; manifest: string }[] = [];

  push(tag: string, pushedAt: number): string {
    const digest = `sha256:${Buffer.from(tag).toString('hex').padEnd(64, '0').slice(0, 64)}`;
    this.images.push({ digest, tags: new Set([tag]), pushedAt, manifest: JSON.stringify({ schemaVersion: 2, tag }) });
    return digest;
  }

  digestOf(tag: string): string {
    return this.images.find((image) => image.tags.has(tag))!.digest;
  }

  /** What the lifecycle policy sees. */
  get view(): RepositoryImage[] {
    return this.images.map((image) => ({ digest: image.digest, tags: [...image.tags], pushedAt: image.pushedAt }));
  }

  /** Answers the ECR calls that protect makes, the way ECR does; ListImages in pages of 25. */
  serve(ecr: ReturnType<typeof mockClient>): void {
    ecr.on(ListImagesCommand).callsFake((input: { nextToken?: string }) => {
      const ids: ImageIdentifier[] = this.images.flatMap((image) => [...image.tags].map((imageTag) => ({ imageDigest: image.digest, imageTag })));
      const from = Number(input.nextToken ?? 0);
      return { imageIds: ids.slice(from, from + 25), ...(from + 25 < ids.length ? { nextToken: String(from + 25) } : {}) };
    });
    ecr.on(BatchGetImageCommand).callsFake((input: { imageIds: ImageIdentifier[] }) => {
      const tag = input.imageIds[0]!.imageTag!;
      const image = this.images.find((held) => held.tags.has(tag));
      if (!image) return { images: [], failures: [{ imageId: { imageTag: tag }, failureCode: 'ImageNotFound' }] };
      return { images: [{ imageId: { imageDigest: image.digest, imageTag: tag }, imageManifest: image.manifest, imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json' }] };
    });
    ecr.on(PutImageCommand).callsFake((input: { imageManifest: string; imageTag: string; imageDigest: string }) => {
      const image = this.images.find((held) => held.digest === input.imageDigest && held.manifest === input.imageManifest);
      if (!image) throw new Error('PutImage of a manifest the repository does not hold');
      if (image.tags.has(input.imageTag)) throw new ImageAlreadyExistsException({ message: 'already tagged', ...metadata });
      image.tags.add(input.imageTag);
      return { image: { imageId: { imageDigest: image.digest, imageTag: input.imageTag } } };
    });
    ecr.on(BatchDeleteImageCommand).callsFake((input: { imageIds: ImageIdentifier[] }) => {
      for (const { imageTag } of input.imageIds) {
        const image = this.images.find((held) => held.tags.has(imageTag!));
        image?.tags.delete(imageTag!);
        // A tag that was the image's last takes the image with it.
        if (image && image.tags.size === 0) this.images.splice(this.images.indexOf(image), 1);
      }
      return { imageIds: input.imageIds, failures: [] };
    });
  }
}

const client = new ECRClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const ecr = mockClient(client);
/** One run's registry: it remembers the keep tags it read and moved. */
const runRegistry = () => new EcrRegistry({ application: REPOSITORY, keepImages: 30, client });
let registry = runRegistry();

beforeEach(() => {
  ecr.reset();
  registry = runRegistry();
});

describe('the lifecycle policy and the keep tags', () => {
  test("with 40 preview images pushed after production's, production's image, the warm release's and the last good one are kept; an older one that no release needs expires", async () => {
    const repository = new EcrRepository();
    repository.serve(ecr);
    // Production's releases, oldest first; each deploy protects the image it needs, and the last
    // one's cleanup judged: serving v3, last good v2, v1 warm within keep-releases, v0 gone.
    const [old, warm, lastGood, serving] = ['v0', 'v1', 'v2', 'v3'].map((version, i) => {
      const digest = repository.push(version, NOW - (50 - i) * DAY);
      return { version, digest };
    });
    for (const release of [old!, warm!, lastGood!, serving!]) await registry.protect(REPOSITORY, 'production', [release.version], false);
    await registry.protect(REPOSITORY, 'production', [serving!.version, lastGood!.version, warm!.version], true);
    const previews = Array.from({ length: 40 }, (_, i) => repository.push(`${i.toString(16).padStart(2, '0')}${'c'.repeat(38)}`, NOW - (40 - i) * 3_600_000));

    const expired = expiredBy(lifecyclePolicy(30), repository.view, NOW);

    for (const kept of [serving!, lastGood!, warm!]) assert.ok(!expired.has(kept.digest), `${kept.version} is kept`);
    assert.ok(expired.has(old!.digest), 'the release no one needs any more expires as the count says');
    assert.deepEqual([...expired].filter((digest) => previews.includes(digest)).sort(), previews.slice(0, 10).sort(), 'the ten oldest previews expire: the newest 30 images stay');
  });

  test('without its keep tag, the serving image would be expired by the same pushes: the protection is what keeps it', () => {
    const repository = new EcrRepository();
    const serving = repository.push('v3', NOW - 10 * DAY);
    for (let i = 0; i < 40; i += 1) repository.push(`preview-${i}`, NOW - (40 - i) * 3_600_000);

    assert.ok(expiredBy(lifecyclePolicy(30), repository.view, NOW).has(serving));
  });

  test('the keep rule comes first, and the rule on any tag last, as ECR requires', () => {
    const rules = (JSON.parse(lifecyclePolicy(30)) as { rules: { rulePriority: number; selection: { tagStatus: string; tagPrefixList?: string[] } }[] }).rules;
    assert.deepEqual(rules.map((rule) => [rule.rulePriority, rule.selection.tagStatus, rule.selection.tagPrefixList ?? []]), [
      [1, 'tagged', ['wimpy-keep.']],
      [2, 'untagged', []],
      [3, 'any', []],
    ]);
  });
});

describe('moving the keep tags in ECR', () => {
  test("a release's image gets its environment's keep tag by putting its manifest under the new tag, digest unchanged", async () => {
    const repository = new EcrRepository();
    repository.serve(ecr);
    const digest = repository.push(V1, NOW);

    await registry.protect(REPOSITORY, 'production', [V1], false);

    const put = ecr.commandCalls(PutImageCommand).map((call) => call.args[0].input);
    assert.deepEqual(put, [{
      repositoryName: REPOSITORY,
      imageManifest: JSON.stringify({ schemaVersion: 2, tag: V1 }),
      imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      imageDigest: digest,
      imageTag: 'wimpy-keep.production.1111111',
    }]);
    assert.deepEqual([...repository.images[0]!.tags], [V1, keepTag('production', V1)]);
  });

  test('with only, the tags of releases no longer needed are removed after the new ones are added; the images keep their versions', async () => {
    const repository = new EcrRepository();
    repository.serve(ecr);
    repository.push(V1, NOW - 2 * DAY);
    repository.push(V2, NOW - DAY);
    await registry.protect(REPOSITORY, 'production', [V1], false);
    ecr.resetHistory();

    await registry.protect(REPOSITORY, 'production', [V2], true);

    const order = ecr.calls().map((call) => call.args[0].constructor.name).filter((name) => name !== 'ListImagesCommand');
    assert.deepEqual(order, ['BatchGetImageCommand', 'PutImageCommand', 'BatchDeleteImageCommand'], 'added before removed: never a moment unprotected');
    assert.deepEqual(ecr.commandCalls(BatchDeleteImageCommand)[0]?.args[0].input, { repositoryName: REPOSITORY, imageIds: [{ imageTag: keepTag('production', V1) }] });
    assert.deepEqual(repository.images.map((image) => [...image.tags]), [[V1], [V2, keepTag('production', V2)]]);
  });

  test("one environment's move never touches another's tags, even one whose name starts the same", async () => {
    const repository = new EcrRepository();
    repository.serve(ecr);
    repository.push(V1, NOW - DAY);
    repository.push(V2, NOW);
    await registry.protect(REPOSITORY, 'staging-eu', [V1], false);

    await registry.protect(REPOSITORY, 'staging', [V2], true);

    assert.deepEqual(repository.images.map((image) => [...image.tags]), [[V1, keepTag('staging-eu', V1)], [V2, keepTag('staging', V2)]]);
  });

  test('a version the repository does not hold (a prebuilt image kept elsewhere) is skipped; a tag another run just added is success', async () => {
    const repository = new EcrRepository();
    repository.serve(ecr);
    repository.push(V2, NOW);
    ecr.on(ListImagesCommand).resolves({ imageIds: [{ imageTag: V2 }] });

    await registry.protect(REPOSITORY, 'production', [V1, V2], false);
    await runRegistry().protect(REPOSITORY, 'production', [V2], false);

    assert.deepEqual(ecr.commandCalls(PutImageCommand).map((call) => call.args[0].input.imageTag), [keepTag('production', V2), keepTag('production', V2)]);
    assert.deepEqual([...repository.images[0]!.tags], [V2, keepTag('production', V2)]);
  });

  test("a run reads the repository's keep tags once, however often it protects: what it added and removed is known", async () => {
    const repository = new EcrRepository();
    repository.serve(ecr);
    repository.push(V1, NOW - 2 * DAY);
    repository.push(V2, NOW - DAY);
    await runRegistry().protect(REPOSITORY, 'production', [V1], true);
    ecr.resetHistory();

    await registry.protect(REPOSITORY, 'production', [V2], false);
    await registry.protect(REPOSITORY, 'production', [V2], true);
    await registry.protect(REPOSITORY, 'production', [V1, V2], true);

    assert.equal(ecr.commandCalls(ListImagesCommand).length, 1);
    assert.deepEqual(ecr.commandCalls(BatchDeleteImageCommand).map((call) => call.args[0].input.imageIds), [[{ imageTag: keepTag('production', V1) }]]);
    assert.deepEqual(repository.images.map((image) => [...image.tags]), [[V1, keepTag('production', V1)], [V2, keepTag('production', V2)]], 'the tag it removed is added again when needed again');
  });

  test('a move that failed half way leaves the next one to read the repository again', async () => {
    const repository = new EcrRepository();
    repository.serve(ecr);
    repository.push(V1, NOW);
    ecr.on(PutImageCommand).rejectsOnce(new Error('throttled'));

    await assert.rejects(registry.protect(REPOSITORY, 'production', [V1], false), /throttled/);
    repository.serve(ecr);
    await registry.protect(REPOSITORY, 'production', [V1], false);

    assert.equal(ecr.commandCalls(ListImagesCommand).length, 2);
    assert.deepEqual([...repository.images[0]!.tags], [V1, keepTag('production', V1)]);
  });
});

describe('which images the engine protects', () => {
  const production = (version: string, inputs: Record<string, string> = {}) => blueGreen(version, { environment: 'production', 'keep-releases': '2', ...inputs });

  test('blue-green: the serving release, the last good one and those kept warm; a release that is removed loses its protection', async () => {
    const aws = new FakeAws();
    const V4 = '4444444ddddddddddddddddddddddddddddddddd';
    const V5 = '5555555eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee';
    for (const version of [V1, V2, V3, V4, V5]) {
      await aws.run(production(version));
      aws.clock.advance(3600_000);
    }

    assert.deepEqual(aws.stacks.removed.sort(), ['awesome-application-production-1111111', 'awesome-application-production-2222222']);
    assert.deepEqual([...(aws.images.kept.get('production') ?? [])].sort(), [V3, V4, V5], 'serving V5; V4, the last good one, and V3 warm (keep-releases 2)');
    assert.ok(aws.journal.indexOf(`images.protect production ${V5}`) < aws.journal.indexOf(`stacks.apply awesome-application-production-5555555`), 'protected before its instances pull it');
  });

  test('rolling: the serving release and the one it replaced, which a rollback deploys again', async () => {
    const aws = new FakeAws();
    for (const version of [V1, V2, V3]) await aws.run(configOf({ environment: 'production', version }));

    assert.deepEqual([...(aws.images.kept.get('production') ?? [])].sort(), [V2, V3]);
  });

  test('rolling again while the rolling stack of an earlier release is being deleted: that stack is not the release that served before', async () => {
    const aws = new FakeAws();
    const V4 = '4444444ddddddddddddddddddddddddddddddddd';
    const rolling = (version: string) => configOf({ environment: 'production', version, 'keep-releases': '0' });
    await aws.run(rolling(V1));
    await aws.run(production(V2, { 'keep-releases': '0' }));
    await aws.run(production(V3, { 'keep-releases': '0' }));
    assert.equal(aws.stacks.get(rollingStack('awesome-application', 'production'))?.status, 'DELETE_IN_PROGRESS');

    const { report } = await aws.run(rolling(V4));

    assert.equal(report.status, 'success', report.message);
    assert.ok(!aws.images.kept.get('production')?.has(V1), `${V1} served before the blue-green releases, not before this deploy`);
  });

  test('a canary left at 10 % protects its image and takes no protection away', async () => {
    const aws = new FakeAws();
    await aws.run(production(V1));
    await aws.run(production(V2));
    await aws.run(production(V3, { 'canary-steps': '10' }));

    assert.deepEqual([...(aws.images.kept.get('production') ?? [])].sort(), [V1, V2, V3]);
  });

  test('previews protect nothing: they live for days, and a protection a forgotten preview left would keep its image for ever', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({}, { sha: COMMIT, intent: { kind: 'preview-deploy', pullRequest: 7 } }));

    assert.ok(!aws.journal.some((entry) => entry.startsWith('images.protect')));
  });

  test('destroy takes the protection of every image of the environment', async () => {
    const aws = new FakeAws();
    await aws.run(production(V1));
    await aws.run(configOf({ environment: 'production', strategy: 'blue-green', command: 'destroy' }));

    assert.deepEqual([...(aws.images.kept.get('production') ?? [])], []);
  });

  test('a registry that cannot protect is a warning, not a failed deploy: the release is live', async () => {
    const aws = new FakeAws();
    aws.images.protect = async () => {
      throw new Error('AccessDeniedException: not authorized to perform ecr:PutImage');
    };
    const { report } = await aws.run(production(V1));

    assert.equal(report.status, 'success');
  });
});
