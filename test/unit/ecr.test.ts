import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  GetLifecyclePolicyCommand,
  LifecyclePolicyNotFoundException,
  ImageNotFoundException,
  PutLifecyclePolicyCommand,
  RepositoryAlreadyExistsException,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { EcrRegistry, lifecyclePolicy } from '../../src/aws/ecr.js';

const URI = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/awesome-application';
const DIGEST = `sha256:${'e'.repeat(64)}`;
const metadata = { $metadata: {} };

const client = new ECRClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const ecr = mockClient(client);
const registry = new EcrRegistry({ application: 'awesome-application', keepImages: 12, client });

beforeEach(() => ecr.reset());

describe('the ECR repository of an application', () => {
  test('a missing repository is created scanned on push, with immutable versions, KMS encryption, the application tag and a lifecycle policy', async () => {
    ecr.on(DescribeRepositoriesCommand).rejects(new RepositoryNotFoundException({ message: 'not found', ...metadata }));
    ecr.on(CreateRepositoryCommand).resolves({ repository: { repositoryName: 'awesome-application', repositoryUri: URI } });
    ecr.on(PutLifecyclePolicyCommand).resolves({});

    assert.equal(await registry.ensureRepository('awesome-application'), URI);

    assert.deepEqual(ecr.commandCalls(DescribeRepositoriesCommand).map((call) => call.args[0].input), [{ repositoryNames: ['awesome-application'] }]);
    assert.deepEqual(ecr.commandCalls(CreateRepositoryCommand).map((call) => call.args[0].input), [
      {
        repositoryName: 'awesome-application',
        imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'buildcache' }],
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: { encryptionType: 'KMS' },
        tags: [{ Key: 'wimpy:application', Value: 'awesome-application' }],
      },
    ]);
    const [policyCall] = ecr.commandCalls(PutLifecyclePolicyCommand).map((call) => call.args[0].input);
    assert.equal(policyCall?.repositoryName, 'awesome-application');
    assert.deepEqual(JSON.parse(policyCall?.lifecyclePolicyText ?? '{}'), {
      rules: [
        {
          rulePriority: 1,
          description: 'Never expire the images of releases that serve, are kept warm or are the last good one',
          selection: { tagStatus: 'tagged', tagPrefixList: ['wimpy-keep.'], countType: 'imageCountMoreThan', countNumber: 9999 },
          action: { type: 'expire' },
        },
        {
          rulePriority: 2,
          description: 'Expire untagged images after 1 day',
          selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 },
          action: { type: 'expire' },
        },
        {
          rulePriority: 3,
          description: 'Keep the last 12 images',
          selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 12 },
          action: { type: 'expire' },
        },
      ],
    });
  });

  test('an existing repository is left untouched', async () => {
    ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [{ repositoryName: 'awesome-application', repositoryUri: URI, imageTagMutability: 'MUTABLE' }] });
    ecr.on(GetLifecyclePolicyCommand).resolves({ lifecyclePolicyText: lifecyclePolicy(12) });

    assert.equal(await registry.ensureRepository('awesome-application'), URI);

    assert.equal(ecr.commandCalls(CreateRepositoryCommand).length, 0);
    assert.equal(ecr.commandCalls(PutLifecyclePolicyCommand).length, 0);
  });

  test("a repository with an earlier version's policy, which could expire a serving image, gets the keep rule", async () => {
    const earlier = JSON.stringify({ rules: [
      { rulePriority: 1, description: 'Expire untagged images after 1 day', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }, action: { type: 'expire' } },
      { rulePriority: 2, description: 'Keep the last 30 images', selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 30 }, action: { type: 'expire' } },
    ] });
    ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [{ repositoryName: 'awesome-application', repositoryUri: URI }] });
    ecr.on(GetLifecyclePolicyCommand).resolves({ lifecyclePolicyText: earlier });

    await registry.ensureRepository('awesome-application');

    assert.deepEqual(ecr.commandCalls(PutLifecyclePolicyCommand).map((call) => call.args[0].input), [{ repositoryName: 'awesome-application', lifecyclePolicyText: lifecyclePolicy(12) }]);
  });

  test("a policy someone wrote, or none, is theirs: it is not replaced", async () => {
    ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [{ repositoryName: 'awesome-application', repositoryUri: URI }] });
    const own = JSON.stringify({ rules: [{ rulePriority: 1, description: 'Keep 500 images', selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 500 }, action: { type: 'expire' } }] });
    ecr.on(GetLifecyclePolicyCommand).resolvesOnce({ lifecyclePolicyText: own }).rejectsOnce(new LifecyclePolicyNotFoundException({ message: 'no policy', $metadata: {} }));

    await registry.ensureRepository('awesome-application');
    await registry.ensureRepository('awesome-application');

    assert.equal(ecr.commandCalls(PutLifecyclePolicyCommand).length, 0);
  });

  test('a repository another run created a moment before is success', async () => {
    ecr
      .on(DescribeRepositoriesCommand)
      .rejectsOnce(new RepositoryNotFoundException({ message: 'not found', ...metadata }))
      .resolves({ repositories: [{ repositoryName: 'awesome-application', repositoryUri: URI }] });
    ecr.on(CreateRepositoryCommand).rejects(new RepositoryAlreadyExistsException({ message: 'exists', ...metadata }));

    assert.equal(await registry.ensureRepository('awesome-application'), URI);

    assert.equal(ecr.commandCalls(PutLifecyclePolicyCommand).length, 0);
  });

  test('an error other than "not found" is not mistaken for a missing repository', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: ecr:DescribeRepositories'), { name: 'AccessDeniedException' });
    ecr.on(DescribeRepositoriesCommand).rejects(denied);

    await assert.rejects(registry.ensureRepository('awesome-application'), /not authorized/);
    assert.equal(ecr.commandCalls(CreateRepositoryCommand).length, 0);
  });
});

describe('images in ECR', () => {
  test('a tag the repository holds gives its digest', async () => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST, imageTags: ['v1.4.2'] }] });

    assert.equal(await registry.find('awesome-application', 'v1.4.2'), DIGEST);

    assert.deepEqual(ecr.commandCalls(DescribeImagesCommand).map((call) => call.args[0].input), [
      { repositoryName: 'awesome-application', imageIds: [{ imageTag: 'v1.4.2' }] },
    ]);
  });

  test('a repository URI is read as the name in its account', async () => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST }] });

    assert.equal(await registry.find('210987654321.dkr.ecr.us-east-1.amazonaws.com/team/app', 'v2'), DIGEST);

    assert.deepEqual(ecr.commandCalls(DescribeImagesCommand)[0]?.args[0].input, {
      repositoryName: 'team/app',
      registryId: '210987654321',
      imageIds: [{ imageTag: 'v2' }],
    });
  });

  test('a tag the repository does not hold is absent, not an error', async () => {
    ecr.on(DescribeImagesCommand).rejects(new ImageNotFoundException({ message: 'no image', ...metadata }));

    assert.equal(await registry.find('awesome-application', 'v1.4.3'), undefined);
  });

  test('a repository that does not exist holds no image', async () => {
    ecr.on(DescribeImagesCommand).rejects(new RepositoryNotFoundException({ message: 'no repository', ...metadata }));

    assert.equal(await registry.find('awesome-application', 'v1.4.3'), undefined);
  });
});

describe('the docker login for ECR', () => {
  test('the authorization token is decoded into user and password, and the server is the proxy endpoint without scheme', async () => {
    const password = 'eyJwYXlsb2FkIjoi:with-colon';
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [{ authorizationToken: Buffer.from(`AWS:${password}`).toString('base64'), proxyEndpoint: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com' }],
    });

    assert.deepEqual(await registry.credentials(), { server: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', username: 'AWS', password });
    assert.deepEqual(ecr.commandCalls(GetAuthorizationTokenCommand)[0]?.args[0].input, {});
  });

  test('an answer without a token is an error, not an empty login', async () => {
    ecr.on(GetAuthorizationTokenCommand).resolves({ authorizationData: [] });

    await assert.rejects(registry.credentials(), /no authorization token/);
  });
});

describe('locating the repository without creating it', () => {
  test('gives the URI of an existing repository', async () => {
    ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [{ repositoryName: 'awesome-application', repositoryUri: URI }] });
    assert.equal(await registry.locate('awesome-application'), URI);
  });

  test('gives nothing for a missing one, and creates nothing: plan and rollback only read', async () => {
    ecr.on(DescribeRepositoriesCommand).rejects(new RepositoryNotFoundException({ message: 'not found', ...metadata }));
    const registry = new EcrRegistry({ application: 'awesome-application', keepImages: 12, client });
    assert.equal(await registry.locate('awesome-application'), undefined);
    assert.equal(ecr.commandCalls(CreateRepositoryCommand).length, 0);
    assert.equal(ecr.commandCalls(PutLifecyclePolicyCommand).length, 0);
  });

  test("asks ECR once in a run, however often the run's images are protected", async () => {
    ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [{ repositoryName: 'awesome-application', repositoryUri: URI }] });
    const registry = new EcrRegistry({ application: 'awesome-application', keepImages: 12, client });
    assert.deepEqual(await Promise.all([registry.locate('awesome-application'), registry.locate('awesome-application')]), [URI, URI]);
    assert.equal(await registry.locate('awesome-application'), URI);
    assert.equal(ecr.commandCalls(DescribeRepositoriesCommand).length, 1);
  });

  test('knows the repository the run made, though it found none before', async () => {
    ecr.on(DescribeRepositoriesCommand).rejects(new RepositoryNotFoundException({ message: 'not found', ...metadata }));
    ecr.on(CreateRepositoryCommand).resolves({ repository: { repositoryName: 'awesome-application', repositoryUri: URI } });
    ecr.on(PutLifecyclePolicyCommand).resolves({});
    const registry = new EcrRegistry({ application: 'awesome-application', keepImages: 12, client });
    assert.equal(await registry.locate('awesome-application'), undefined);
    await registry.ensureRepository('awesome-application');
    assert.equal(await registry.locate('awesome-application'), URI);
    assert.equal(ecr.commandCalls(DescribeRepositoriesCommand).length, 2);
  });
});
