import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerCli, runConfigDir, spawnExec, userDockerConfig, type Exec, type ExecOptions } from '../../src/build/docker.js';
import { ImageFailure, publishImage, type BuildRequest, type PublishRequest } from '../../src/engine/publish-image.js';
import { publishHarness, requireDockerServices, startRegistry, type PublishHarness, type TestRegistry } from '../support/registry.js';

const APPLICATION = 'awesome-application';
const REVISION = '0123456789abcdef0123456789abcdef01234567';
const CREATED = Date.parse('2026-03-01T12:00:00.000Z');
/** A build-arg value that a shell would mangle: it must reach the image exactly. */
const GREETING = `a, "quoted" value=with $dollar and 'single' quotes`;

const MANIFEST_TYPES = 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json';

describe('publishing with the real docker engine to a registry that demands a login', () => {
  let registry: TestRegistry;
  let work: string;
  const projects = new Map<string, string>();

  /** A project folder with this Dockerfile; the context is the folder. */
  function project(name: string, dockerfile: string): string {
    const dir = join(work, name);
    if (!projects.has(name)) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'Dockerfile'), dockerfile);
      projects.set(name, dir);
    }
    return dir;
  }

  function request(version: string, dir: string): PublishRequest {
    return {
      application: APPLICATION,
      version,
      build: { dockerfile: join(dir, 'Dockerfile'), context: dir, buildArgs: [{ name: 'GREETING', value: GREETING }], keepImages: 30 },
      source: 'https://github.com/armesto/awesome-application',
      revision: REVISION,
    };
  }

  const working = (): string =>
    project('working', ['FROM localhost/busybox:latest', 'ARG GREETING', 'RUN echo "$GREETING" > /greeting', 'LABEL example.greeting="$GREETING"', 'CMD ["cat", "/greeting"]', ''].join('\n'));

  function harness(user = mkdtempSync(join(work, 'user-docker-'))): PublishHarness {
    return publishHarness(registry, user, CREATED);
  }

  async function registryGet(path: string, accept = MANIFEST_TYPES): Promise<Response> {
    return fetch(`http://${registry.host}/v2/wimpy/${APPLICATION}/${path}`, { headers: { Authorization: registry.authorization, Accept: accept } });
  }

  before(async () => {
    requireDockerServices();
    registry = await startRegistry();
    work = mkdtempSync(join(tmpdir(), 'publish-'));
  });

  after(async () => {
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('a Dockerfile with a RUN step is built, pushed, and named by the digest the registry serves', async () => {
    const { ports } = harness();

    const image = await publishImage(request('v1.0.0', working()), ports);

    assert.equal(image.repository, `${registry.host}/wimpy/${APPLICATION}`);
    assert.equal(image.tag, 'v1.0.0');
    const response = await registryGet('manifests/v1.0.0');
    assert.equal(response.status, 200);
    const body = Buffer.from(await response.arrayBuffer());
    assert.equal(image.digest, response.headers.get('docker-content-digest'));
    assert.equal(image.digest, `sha256:${createHash('sha256').update(body).digest('hex')}`);
  });

  test('the pushed image carries the OCI labels, and build-arg values arrive exactly as written', async () => {
    const { ports } = harness();
    await publishImage(request('v1.1.0', working()), ports);

    const manifest = (await (await registryGet('manifests/v1.1.0')).json()) as { config: { digest: string } };
    const config = (await (await registryGet(`blobs/${manifest.config.digest}`, '*/*')).json()) as {
      config: { Labels: Record<string, string> };
      history: { created_by?: string }[];
    };

    assert.deepEqual(config.config.Labels, {
      'example.greeting': GREETING,
      'org.opencontainers.image.source': 'https://github.com/armesto/awesome-application',
      'org.opencontainers.image.revision': REVISION,
      'org.opencontainers.image.created': '2026-03-01T12:00:00.000Z',
      'org.opencontainers.image.version': 'v1.1.0',
    });
    assert.ok(
      config.history.some((step) => step.created_by?.includes('echo "$GREETING" > /greeting')),
      'the RUN step is in the image history',
    );
  });

  test('a second publish of the same version builds nothing and returns the same digest', async () => {
    const first = await publishImage(request('v1.2.0', working()), harness().ports);
    const again = harness();

    const second = await publishImage(request('v1.2.0', working()), again.ports);

    assert.deepEqual(second, first);
    assert.deepEqual(again.journal, [], 'no docker command at all: no login, no build, no push');
    assert.ok(again.log.lines.includes(`v1.2.0 is already in the registry: not building again (${first.repository}@${first.digest})`), again.log.lines.join('\n'));
  });

  test('the password is masked before the login, goes only through stdin, and appears nowhere in the output', async () => {
    const recorded = harness();

    await publishImage(request('v1.3.0', working()), recorded.ports);

    const login = recorded.journal.findIndex((entry) => entry.startsWith('docker login'));
    assert.ok(login > 0 && recorded.journal.indexOf('mask') === login - 1, recorded.journal.join('\n'));
    const loginExec = recorded.execs.find((exec) => exec.args[0] === 'login');
    assert.equal(loginExec?.input, registry.password);
    assert.equal(loginExec?.exitCode, 0);
    assert.ok(recorded.journal.some((entry) => entry.startsWith('docker logout')), 'docker logs out');
    const everything = [recorded.printed(), ...recorded.execs.flatMap((exec) => [exec.args.join(' '), exec.stdout, exec.stderr]), ...recorded.log.lines].join('\n');
    assert.ok(everything.includes('Login Succeeded'), 'the captured output is docker’s real output');
    assert.equal(everything.includes(registry.password), false);
  });

  test('the login lands in the run’s own docker configuration, never in the user’s, and goes with it when the run ends', async () => {
    const user = mkdtempSync(join(work, 'user-docker-'));
    writeFileSync(join(user, 'config.json'), '{ "auths": {} }\n');
    const recorded = harness(user);
    await recorded.docker.login({ server: registry.host, username: registry.username, password: registry.password });
    const own = await recorded.docker.configDir();

    assert.ok(Object.keys((JSON.parse(readFileSync(join(own, 'config.json'), 'utf8')) as { auths: object }).auths).includes(registry.host));
    assert.equal(readFileSync(join(user, 'config.json'), 'utf8'), '{ "auths": {} }\n');
    await recorded.docker.close();
    assert.equal(existsSync(own), false);
  });

  test('docker buildx answers in the run’s own configuration as it does in the user’s, on a machine with it or without it', async () => {
    const user = userDockerConfig();
    const own = await runConfigDir(user, work);
    const buildx = async (config: string) => (await spawnExec('docker', ['buildx', 'version'], { silent: true, env: { ...process.env, DOCKER_CONFIG: config } as Record<string, string> })).exitCode;
    assert.equal(await buildx(own), await buildx(user));
  });

  test('a failing Dockerfile raises an error that carries docker’s own message, and nothing is pushed', async () => {
    const broken = project('broken', ['FROM localhost/busybox:latest', 'RUN echo "the build broke here" && exit 3', ''].join('\n'));
    const recorded = harness();

    await assert.rejects(publishImage(request('v1.4.0', broken), recorded.ports), (error: Error) => {
      assert.ok(error instanceof ImageFailure);
      assert.match(error.message, /the build broke here/);
      assert.match(error.detail, /returned a non-zero code: 3|exit code: 3/);
      return true;
    });
    assert.equal((await registryGet('manifests/v1.4.0')).status, 404);
    assert.ok(recorded.journal.at(-1)?.startsWith('docker logout'), recorded.journal.join('\n'));
  });

  test('a push without a login is refused, and the error says to check the credentials', async () => {
    const docker = harness().docker;
    const repository = `${registry.host}/wimpy/${APPLICATION}`;

    await assert.rejects(
      docker.buildAndPush({ dockerfile: join(working(), 'Dockerfile'), context: working(), buildArgs: [], image: `${repository}:v1.5.0`, cache: `${repository}:buildcache`, labels: {} }),
      /The registry refused the push of .*: check the credentials/,
    );
  });

  test('a wrong password fails the login with a message that does not repeat it', async () => {
    const recorded = harness();
    const wrong = `not-${registry.password}`;

    await assert.rejects(recorded.docker.login({ server: registry.host, username: registry.username, password: wrong }), (error: Error) => {
      assert.match(error.message, new RegExp(`docker could not log in to ${registry.host.replace(/\./g, '\\.')}: check the registry credentials`));
      assert.equal(error.message.includes(wrong), false);
      return true;
    });
    assert.equal(recorded.printed().includes(wrong), false);
  });
});

/** A docker client that answers from a script: for paths this machine cannot take for real. */
function scriptedDocker(answer: (args: readonly string[]) => { exitCode: number; stderr?: string }, userConfigDir?: string) {
  const calls: string[][] = [];
  const configs: (string | undefined)[] = [];
  const exec: Exec = async (_command, args, options: ExecOptions) => {
    calls.push(args);
    configs.push(options.env?.DOCKER_CONFIG);
    const { exitCode, stderr = '' } = answer(args);
    for (const line of stderr.split('\n')) options.onLine?.(line);
    return { exitCode, stdout: '', stderr };
  };
  return { calls, configs, docker: new DockerCli({ mask: () => undefined, exec, ...(userConfigDir ? { userConfigDir } : {}) }) };
}

describe('the docker configuration of a run', () => {
  /** A user's docker configuration as a runner has it: buildx in cli-plugins, a builder, a login. */
  function userConfig(): string {
    const user = mkdtempSync(join(tmpdir(), 'user-docker-'));
    mkdirSync(join(user, 'cli-plugins'));
    writeFileSync(join(user, 'cli-plugins', 'docker-buildx'), '#!/bin/sh\n', { mode: 0o755 });
    mkdirSync(join(user, 'buildx'));
    writeFileSync(join(user, 'config.json'), JSON.stringify({ auths: { 'ghcr.io': { auth: 'dXNlcjpzZWNyZXQ=' } }, currentContext: 'remote' }));
    return user;
  }

  test('every docker call runs in one directory of the run’s own, which links the user’s plugins and builders and holds no login', async () => {
    const user = userConfig();
    const { configs, docker } = scriptedDocker(() => ({ exitCode: 0 }), user);
    await docker.buildAndPush(BUILD);

    const own = configs[0]!;
    assert.ok(own && own !== user && configs.every((config) => config === own), configs.join(', '));
    assert.equal(realpathSync(join(own, 'cli-plugins')), realpathSync(join(user, 'cli-plugins')));
    assert.ok(existsSync(join(own, 'cli-plugins', 'docker-buildx')));
    assert.equal(realpathSync(join(own, 'buildx')), realpathSync(join(user, 'buildx')));
    assert.deepEqual(JSON.parse(readFileSync(join(own, 'config.json'), 'utf8')), { currentContext: 'remote' });
    assert.equal(statSync(own).mode & 0o777, 0o700);

    await docker.close();
    assert.equal(existsSync(own), false);
    assert.ok(existsSync(join(user, 'cli-plugins', 'docker-buildx')), 'the user’s plugin stays');
    rmSync(user, { recursive: true, force: true });
  });

  test('the user’s configuration is DOCKER_CONFIG when it is set, else ~/.docker', () => {
    assert.equal(userDockerConfig({ DOCKER_CONFIG: '/opt/docker-config' }), '/opt/docker-config');
    assert.equal(userDockerConfig({}), join(homedir(), '.docker'));
  });

  test('a user without a docker configuration gets an empty one of the run’s own', async () => {
    const own = await runConfigDir(join(tmpdir(), 'no-such-docker-config'));
    assert.deepEqual(readdirSync(own), ['config.json']);
    rmSync(own, { recursive: true, force: true });
  });
});

const ECR_IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/awesome-application';
const BUILD: BuildRequest = {
  dockerfile: 'docker/Dockerfile',
  context: 'app',
  buildArgs: [{ name: 'GREETING', value: GREETING }],
  target: 'runtime',
  platform: 'linux/arm64',
  image: `${ECR_IMAGE}:v1.4.2`,
  cache: `${ECR_IMAGE}:buildcache`,
  labels: { 'org.opencontainers.image.version': 'v1.4.2' },
};

/** What both builders are told, in this order; build-arg values as single arguments, never quoted. */
const BOTH_BUILDERS = [
  '--file', 'docker/Dockerfile',
  '--tag', `${ECR_IMAGE}:v1.4.2`,
  '--label', 'org.opencontainers.image.version=v1.4.2',
  '--build-arg', `GREETING=${GREETING}`,
  '--target', 'runtime',
  '--platform', 'linux/arm64',
];

describe('the docker arguments of each builder', () => {
  test('with buildx, one command builds and pushes, with an inline cache under the cache tag', async () => {
    const { calls, docker } = scriptedDocker(() => ({ exitCode: 0 }));

    await docker.buildAndPush(BUILD);

    assert.deepEqual(calls, [
      ['buildx', 'version'],
      [
        'buildx', 'build',
        ...BOTH_BUILDERS,
        '--tag', `${ECR_IMAGE}:buildcache`,
        '--cache-from', `type=registry,ref=${ECR_IMAGE}:buildcache`,
        '--cache-to', 'type=inline',
        '--provenance=false',
        '--push',
        'app',
      ],
    ]);
  });

  test('without buildx, the classic builder builds, then docker pushes the version tag', async () => {
    const { calls, docker } = scriptedDocker((args) => ({ exitCode: args[0] === 'buildx' ? 1 : 0 }));

    await docker.buildAndPush(BUILD);

    assert.deepEqual(calls.slice(1), [
      [
        'build',
        ...BOTH_BUILDERS,
        '--force-rm',
        'app',
      ],
      ['push', `${ECR_IMAGE}:v1.4.2`],
    ]);
  });
});

describe('what a refused push tells the user', () => {
  const refusing = (stderr: string) => scriptedDocker((args) => ({ exitCode: args[0] === 'buildx' && args[1] === 'build' ? 1 : 0, stderr }));

  test('an immutable tag that holds other content: use a new version', async () => {
    const { docker } = refusing(
      `ERROR: failed to solve: failed to push ${ECR_IMAGE}:v1.4.2: tag invalid: The image tag 'v1.4.2' already exists in the 'awesome-application' repository and cannot be overwritten because the repository is immutable.`,
    );

    await assert.rejects(docker.buildAndPush(BUILD), /already exists in the registry with other content, and its tags are immutable: release this change under a new version/);
  });

  test('an immutable build cache tag: exclude it from immutability', async () => {
    const { docker } = refusing(
      `ERROR: failed to solve: failed to push ${ECR_IMAGE}:buildcache: tag invalid: The image tag 'buildcache' already exists in the 'awesome-application' repository and cannot be overwritten because the repository is immutable.`,
    );

    await assert.rejects(docker.buildAndPush(BUILD), /Exclude "buildcache" from tag immutability/);
  });

  test('a denied push: the credentials, or the role’s ECR permissions', async () => {
    const { docker } = refusing(
      `ERROR: failed to solve: failed to push ${ECR_IMAGE}:v1.4.2: denied: User: arn:aws:sts::123456789012:assumed-role/deploy/run is not authorized to perform: ecr:InitiateLayerUpload`,
    );

    await assert.rejects(docker.buildAndPush(BUILD), /refused the push .* check the credentials\. For ECR, the role needs .*ecr:InitiateLayerUpload/);
  });

  test('a base image the build may not pull is a build failure, not a refused push', async () => {
    const { docker } = refusing('ERROR: failed to solve: private/base:1: pull access denied, repository does not exist or may require authorization');

    await assert.rejects(docker.buildAndPush(BUILD), (error: Error) => /docker could not build .*pull access denied/s.test(error.message));
  });
});

describe('a cancelled build', () => {
  test('the run\'s signal kills docker mid-build: the build rejects once the process has ended, and no docker process outlives it', { timeout: 20_000 }, async () => {
    const cancel = new AbortController();
    let pid = 0;
    // A docker whose build never ends by itself: it prints its pid, then waits.
    const exec: Exec = (_command, args, options) => {
      if (args[0] === 'buildx' && args[1] === 'version') return Promise.resolve({ exitCode: 0, stdout: '', stderr: '' });
      return spawnExec('sh', ['-c', 'echo $$; exec sleep 60'], {
        ...options,
        silent: true,
        onLine: (line) => {
          pid = Number(line);
          cancel.abort();
        },
      });
    };
    const docker = new DockerCli({ mask: () => undefined, exec, configDir: mkdtempSync(join(tmpdir(), 'docker-config-')) });

    await assert.rejects(docker.buildAndPush(BUILD, cancel.signal), { name: 'AbortError' });

    assert.ok(pid > 0, 'the build started');
    assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'the docker process is gone');
  });
});
