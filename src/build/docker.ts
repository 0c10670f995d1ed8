import { getExecOutput, type ExecOptions, type ExecOutput } from '@actions/exec';
import type { Writable } from 'node:stream';
import { ImageFailure, type BuildRequest, type Docker, type RegistryCredentials } from '../engine/publish-image.js';

/**
 * The Docker port over the docker client. Every argument goes as an array element, never
 * through a shell, so build-arg values and paths arrive exactly as written.
 */

export type Exec = (command: string, args: string[], options: ExecOptions) => Promise<ExecOutput>;

export interface DockerDeps {
  /** Hides a secret from the log (core.setSecret on a runner); called before the secret is used. */
  readonly mask: (secret: string) => void;
  readonly exec?: Exec;
  /** Where docker's output is streamed: the job log by default. */
  readonly stdout?: Writable;
  readonly stderr?: Writable;
  /** A DOCKER_CONFIG directory of its own, so that no login lands in the user's ~/.docker. */
  readonly configDir?: string;
}

/** How many of docker's last lines an error carries: enough for the failing step and its message. */
const TAIL_LINES = 25;

type Builder = 'buildx' | 'classic';

export class DockerCli implements Docker {
  private builder?: Promise<Builder>;

  constructor(private readonly deps: DockerDeps) {}

  async login(credentials: RegistryCredentials): Promise<void> {
    this.deps.mask(credentials.password);
    const result = await this.run(['login', '--username', credentials.username, '--password-stdin', credentials.server], {
      input: Buffer.from(credentials.password),
    });
    if (result.exitCode !== 0) {
      throw new ImageFailure(`docker could not log in to ${credentials.server}: check the registry credentials.`, result.tail);
    }
  }

  async logout(server: string): Promise<void> {
    const result = await this.run(['logout', server]);
    if (result.exitCode !== 0) throw new ImageFailure(`docker could not log out of ${server}.`, result.tail);
  }

  async buildAndPush(request: BuildRequest): Promise<void> {
    if ((await this.detectBuilder()) === 'buildx') {
      const result = await this.run(buildxArguments(request));
      // buildx builds and pushes in one command: only its words tell which step failed.
      if (result.exitCode !== 0) throw failure(request, result.tail, /\bpush/i.test(result.tail));
      return;
    }
    const built = await this.run(classicArguments(request));
    if (built.exitCode !== 0) throw failure(request, built.tail, false);
    const pushed = await this.run(['push', request.image]);
    if (pushed.exitCode !== 0) throw failure(request, pushed.tail, true);
  }

  /** buildx where the client has it (GitHub's runners); the classic builder elsewhere. */
  private detectBuilder(): Promise<Builder> {
    this.builder ??= this.run(['buildx', 'version'], { quiet: true }).then((result) => (result.exitCode === 0 ? 'buildx' : 'classic'));
    return this.builder;
  }

  private async run(args: string[], options: { input?: Buffer; quiet?: boolean } = {}): Promise<{ exitCode: number; tail: string }> {
    const exec = this.deps.exec ?? getExecOutput;
    const tail: string[] = [];
    const keep = (line: string): void => {
      if (line.trim() === '') return;
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    };
    let result: ExecOutput;
    try {
      result = await exec('docker', args, {
        ignoreReturnCode: true,
        silent: options.quiet ?? false,
        ...(options.input ? { input: options.input } : {}),
        ...(this.deps.stdout ? { outStream: this.deps.stdout } : {}),
        ...(this.deps.stderr ? { errStream: this.deps.stderr } : {}),
        ...(this.deps.configDir ? { env: { ...definedEnvironment(), DOCKER_CONFIG: this.deps.configDir } } : {}),
        listeners: { stdline: keep, errline: keep },
      });
    } catch (error) {
      throw new ImageFailure('docker could not be started: the build phase needs the docker client and a running Docker engine.', (error as Error).message);
    }
    return { exitCode: result.exitCode, tail: tail.join('\n') };
  }
}

function definedEnvironment(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function commonArguments(request: BuildRequest): string[] {
  return [
    '--file', request.dockerfile,
    '--tag', request.image,
    ...Object.entries(request.labels).flatMap(([name, value]) => ['--label', `${name}=${value}`]),
    ...request.buildArgs.flatMap(({ name, value }) => ['--build-arg', `${name}=${value}`]),
    ...(request.target ? ['--target', request.target] : []),
    ...(request.platform ? ['--platform', request.platform] : []),
  ];
}

/**
 * Pushed straight from BuildKit (`--push`): nothing is exported into the local image store,
 * and multi-platform builds work. The cache is inline, carried by the image tagged `cache`:
 * the default `docker` driver of a runner exports no other kind, and that tag shares its
 * manifest with the newest release, so it costs the registry nothing. Provenance is off so
 * that a version is one image manifest, which instances pull and the lifecycle policy counts.
 */
function buildxArguments(request: BuildRequest): string[] {
  return [
    'buildx', 'build',
    ...commonArguments(request),
    '--tag', request.cache,
    '--cache-from', `type=registry,ref=${request.cache}`,
    '--cache-to', 'type=inline',
    '--provenance=false',
    '--push',
    request.context,
  ];
}

/**
 * The legacy builder keeps its layer cache on the machine; it has no registry cache to share.
 * `--force-rm`: a failed step leaves no stopped container behind on the user's machine.
 */
function classicArguments(request: BuildRequest): string[] {
  return ['build', ...commonArguments(request), '--force-rm', request.context];
}

const IMMUTABLE = /tag invalid|immutable/i;
const DENIED = /denied|unauthorized|authentication required|no basic auth credentials|\b40[13]\b/i;

function failure(request: BuildRequest, tail: string, pushing: boolean): ImageFailure {
  if (pushing && IMMUTABLE.test(tail)) {
    const cacheTag = request.cache.slice(request.cache.lastIndexOf(':') + 1);
    if (tail.includes(`'${cacheTag}'`)) {
      return new ImageFailure(
        `The registry refused to update the build cache tag ${request.cache}: every tag of the repository is immutable. ` +
          `Exclude "${cacheTag}" from tag immutability (ECR: image tag mutability IMMUTABLE_WITH_EXCLUSION, wildcard filter "${cacheTag}").`,
        tail,
      );
    }
    return new ImageFailure(
      `${request.image} already exists in the registry with other content, and its tags are immutable: release this change under a new version.`,
      tail,
    );
  }
  if (pushing && DENIED.test(tail)) {
    return new ImageFailure(
      `The registry refused the push of ${request.image}: check the credentials. For ECR, the role needs ecr:GetAuthorizationToken, and ` +
        'ecr:BatchCheckLayerAvailability, ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload and ecr:PutImage on the repository; ' +
        'for another registry, check registry-username and registry-password and that they may push there.',
      tail,
    );
  }
  if (pushing) return new ImageFailure(`docker could not push ${request.image}; docker says:`, tail);
  return new ImageFailure(`docker could not build ${request.image}; docker says:`, tail);
}
