import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseImageReference } from '../../src/config/image-reference.js';
import type { BuildConfig } from '../../src/config/types.js';
import {
  CACHE_TAG,
  ImageFailure,
  publishImage,
  type BuildRequest,
  type Docker,
  type PublishRequest,
  type Registry,
  type RegistryCredentials,
} from '../../src/engine/publish-image.js';
import { RecordingLog } from '../support/recording-log.js';

const REPOSITORY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/awesome-application';
const PUSHED_DIGEST = `sha256:${'b'.repeat(64)}`;
const EXISTING_DIGEST = `sha256:${'a'.repeat(64)}`;
const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const CREDENTIALS: RegistryCredentials = { server: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', username: 'AWS', password: 'token-password' };

/** One journal for every port, so that tests can assert the order of what happened. */
type Journal = string[];

class FakeRegistry implements Registry {
  readonly images = new Map<string, string>();
  constructor(
    private readonly journal: Journal,
    /** undefined: a registry that needs no login. */
    private readonly login: RegistryCredentials | undefined,
  ) {}
  async locate(name: string): Promise<string> {
    this.journal.push(`locate ${name}`);
    return REPOSITORY;
  }

  async ensureRepository(name: string): Promise<string> {
    this.journal.push(`ensureRepository ${name}`);
    return `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${name}`;
  }
  async find(repository: string, tag: string): Promise<string | undefined> {
    this.journal.push(`find ${repository}:${tag}`);
    return this.images.get(`${repository}:${tag}`);
  }
  async credentials(): Promise<RegistryCredentials | undefined> {
    this.journal.push('credentials');
    return this.login;
  }
}

class FakeDocker implements Docker {
  readonly builds: BuildRequest[] = [];
  constructor(
    private readonly journal: Journal,
    /** What the push leaves in the registry; undefined: the push vanishes. */
    private readonly registry: FakeRegistry | undefined,
    private readonly failure?: Error,
  ) {}
  async login(credentials: RegistryCredentials): Promise<void> {
    this.journal.push(`login ${credentials.server} ${credentials.username}`);
  }
  async logout(server: string): Promise<void> {
    this.journal.push(`logout ${server}`);
  }
  async buildAndPush(request: BuildRequest): Promise<void> {
    this.journal.push(`buildAndPush ${request.image}`);
    this.builds.push(request);
    if (this.failure) throw this.failure;
    this.registry?.images.set(request.image, PUSHED_DIGEST);
  }
}

const clock = { now: () => NOW, sleep: async () => undefined };

function buildConfig(overrides: Partial<BuildConfig> = {}): BuildConfig {
  return {
    dockerfile: 'docker/Dockerfile',
    context: 'app',
    buildArgs: [
      { name: 'NODE_ENV', value: 'production' },
      { name: 'GREETING', value: 'a, "quoted" value=with equals' },
    ],
    keepImages: 30,
    ...overrides,
  };
}

function request(overrides: Partial<PublishRequest> = {}): PublishRequest {
  return {
    application: 'awesome-application',
    version: 'v1.4.2',
    build: buildConfig(),
    source: 'https://github.com/armesto/awesome-application',
    revision: '0123456789abcdef0123456789abcdef01234567',
    ...overrides,
  };
}

function setup(options: { credentials?: RegistryCredentials | undefined; failure?: Error; pushVanishes?: boolean } = {}) {
  const journal: Journal = [];
  const registry = new FakeRegistry(journal, 'credentials' in options ? options.credentials : CREDENTIALS);
  const docker = new FakeDocker(journal, options.pushVanishes ? undefined : registry, options.failure);
  const log = new RecordingLog();
  return { journal, registry, docker, log, ports: { registry, docker, log, clock } };
}

describe('publishing the image of a release', () => {
  test('a version already in the registry is not built again, and no login happens', async () => {
    const { journal, registry, log, ports } = setup();
    registry.images.set(`${REPOSITORY}:v1.4.2`, EXISTING_DIGEST);

    const image = await publishImage(request(), ports);

    assert.deepEqual(image, { repository: REPOSITORY, tag: 'v1.4.2', digest: EXISTING_DIGEST });
    assert.deepEqual(journal, ['ensureRepository awesome-application', `find ${REPOSITORY}:v1.4.2`]);
    assert.ok(log.lines.some((line) => line.startsWith('v1.4.2 is already in the registry: not building again')), log.lines.join('\n'));
  });

  test('a new version is built after logging in, read back from the registry, and docker logs out', async () => {
    const { journal, ports } = setup();

    const image = await publishImage(request(), ports);

    assert.deepEqual(image, { repository: REPOSITORY, tag: 'v1.4.2', digest: PUSHED_DIGEST });
    assert.deepEqual(journal, [
      'ensureRepository awesome-application',
      `find ${REPOSITORY}:v1.4.2`,
      'credentials',
      `login ${CREDENTIALS.server} AWS`,
      `buildAndPush ${REPOSITORY}:v1.4.2`,
      `find ${REPOSITORY}:v1.4.2`,
      `logout ${CREDENTIALS.server}`,
    ]);
  });

  test('the build gets the Dockerfile, context, build args, target, platform, cache and OCI labels', async () => {
    const { docker, ports } = setup();

    await publishImage(request({ build: buildConfig({ target: 'runtime', platform: 'linux/arm64' }) }), ports);

    assert.deepEqual(docker.builds, [
      {
        dockerfile: 'docker/Dockerfile',
        context: 'app',
        buildArgs: [
          { name: 'NODE_ENV', value: 'production' },
          { name: 'GREETING', value: 'a, "quoted" value=with equals' },
        ],
        target: 'runtime',
        platform: 'linux/arm64',
        image: `${REPOSITORY}:v1.4.2`,
        cache: `${REPOSITORY}:${CACHE_TAG}`,
        labels: {
          'org.opencontainers.image.source': 'https://github.com/armesto/awesome-application',
          'org.opencontainers.image.revision': '0123456789abcdef0123456789abcdef01234567',
          'org.opencontainers.image.created': '2026-03-01T12:00:00.000Z',
          'org.opencontainers.image.version': 'v1.4.2',
        },
      },
    ]);
  });

  test('a failed build raises its error, logs docker out, and reads no digest for anyone to deploy', async () => {
    const broken = new ImageFailure('docker could not build the image; docker says:', 'The command returned a non-zero code: 3');
    const { journal, ports } = setup({ failure: broken });

    await assert.rejects(publishImage(request(), ports), broken);

    assert.deepEqual(journal.slice(-2), [`buildAndPush ${REPOSITORY}:v1.4.2`, `logout ${CREDENTIALS.server}`]);
    assert.equal(journal.filter((entry) => entry.startsWith('find')).length, 1);
  });

  test('a failed logout is a warning that does not hide the build error', async () => {
    const broken = new ImageFailure('docker could not build the image');
    const { ports, log } = setup({ failure: broken });
    ports.docker.logout = async () => {
      throw new Error('no such server');
    };

    await assert.rejects(publishImage(request(), ports), broken);

    assert.ok(log.lines.includes(`warning: docker logout ${CREDENTIALS.server} failed: no such server`), log.lines.join('\n'));
  });

  test('a registry that needs no login gets no login and no logout', async () => {
    const { journal, ports } = setup({ credentials: undefined });

    await publishImage(request(), ports);

    assert.equal(journal.some((entry) => entry.startsWith('login') || entry.startsWith('logout')), false, journal.join('\n'));
  });

  test('a push the registry does not list afterwards is a failure, not a release without digest', async () => {
    const { ports } = setup({ pushVanishes: true });

    await assert.rejects(publishImage(request(), ports), (error: Error) => error instanceof ImageFailure && /the registry does not list it/.test(error.message));
  });

  test('the build cache tag cannot be a version, since it is the one tag that moves', async () => {
    const { journal, ports } = setup();

    await assert.rejects(publishImage(request({ version: CACHE_TAG }), ports), /reserved for the build cache/);
    assert.deepEqual(journal, []);
  });
});

describe('deploying a prebuilt image', () => {
  test('an image pinned by digest is used as it is, without asking the registry', async () => {
    const { journal, docker, ports } = setup();
    const digest = `sha256:${'c'.repeat(64)}`;

    const image = await publishImage(request({ build: buildConfig({ image: `ghcr.io/armesto/app:v2@${digest}` }) }), ports);

    assert.deepEqual(image, { repository: 'ghcr.io/armesto/app', tag: 'v2', digest });
    assert.deepEqual(journal, []);
    assert.deepEqual(docker.builds, []);
  });

  const named: [string, string, string, string][] = [
    ['an image named by tag is pinned to the digest its registry holds now, with no build', 'ghcr.io/armesto/app:v2', 'ghcr.io/armesto/app', 'v2'],
    ['an image named without a tag means its latest tag, as docker reads it', 'localhost:5000/app', 'localhost:5000/app', 'latest'],
  ];
  for (const [name, reference, repository, tag] of named) {
    test(name, async () => {
      const { journal, registry, docker, ports } = setup();
      registry.images.set(`${repository}:${tag}`, EXISTING_DIGEST);

      const image = await publishImage(request({ build: buildConfig({ image: reference }) }), ports);

      assert.deepEqual(image, { repository, tag, digest: EXISTING_DIGEST });
      assert.deepEqual(journal, [`find ${repository}:${tag}`]);
      assert.deepEqual(docker.builds, []);
    });
  }

  test('an image its registry does not hold is a failure that says so', async () => {
    const { ports } = setup();

    await assert.rejects(publishImage(request({ build: buildConfig({ image: 'ghcr.io/armesto/app:v9' }) }), ports), /ghcr\.io\/armesto\/app:v9 is not in its registry/);
  });
});

describe('reading an image reference', () => {
  const cases: [string, ReturnType<typeof parseImageReference>][] = [
    ['nginx', { repository: 'nginx' }],
    ['ghcr.io/org/app:v1.4.2', { repository: 'ghcr.io/org/app', tag: 'v1.4.2' }],
    ['localhost:5000/app', { repository: 'localhost:5000/app' }],
    ['localhost:5000/team/app:1.0', { repository: 'localhost:5000/team/app', tag: '1.0' }],
    [`app@sha256:${'d'.repeat(64)}`, { repository: 'app', digest: `sha256:${'d'.repeat(64)}` }],
  ];
  for (const [reference, expected] of cases) {
    test(`${reference} is read as a registry would read it`, () => {
      assert.deepEqual(parseImageReference(reference), expected);
    });
  }
});
