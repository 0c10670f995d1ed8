import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { ImageFailure, type BuildRequest, type Docker, type RegistryCredentials } from '../engine/publish-image.js';

/**
 * The Docker port over the docker client. Every argument goes as an array element, never
 * through a shell, so build-arg values and paths arrive exactly as written.
 */

export interface ExecOptions {
  readonly env: Record<string, string>;
  /** Written to the process's stdin, then closed. */
  readonly input?: Buffer;
  /** Neither the command nor its output goes to the streams. */
  readonly silent?: boolean;
  readonly outStream?: Writable;
  readonly errStream?: Writable;
  /** Every line the process writes, on either stream. */
  readonly onLine?: (line: string) => void;
  /** Kills the process (SIGTERM, which docker passes on to the build), and the call rejects. */
  readonly signal?: AbortSignal;
}

export interface ExecOutput {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export type Exec = (command: string, args: string[], options: ExecOptions) => Promise<ExecOutput>;

/**
 * Runs a command with its arguments as they are (no shell), its output streamed to the job log
 * as it comes, line by line to `onLine`; a cancellation kills it.
 */
export const spawnExec: Exec = (command, args, options) =>
  new Promise((resolve, reject) => {
    const out = options.outStream ?? process.stdout;
    const err = options.errStream ?? process.stderr;
    if (!options.silent) out.write(`[command]${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, { env: options.env, stdio: ['pipe', 'pipe', 'pipe'], ...(options.signal ? { signal: options.signal } : {}) });
    const collected = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    const lines = (stream: 'stdout' | 'stderr', to: Writable) => {
      let rest = '';
      child[stream].on('data', (chunk: Buffer) => {
        collected[stream].push(chunk);
        if (!options.silent) to.write(chunk);
        const text = rest + chunk.toString('utf8');
        const complete = text.split(/\r?\n/);
        rest = complete.pop() ?? '';
        for (const line of complete) options.onLine?.(line);
      });
      child[stream].on('end', () => rest && options.onLine?.(rest));
    };
    lines('stdout', out);
    lines('stderr', err);
    // Killed by the signal: the call ends once the process has, so nothing of it outlives the run.
    let killed: Error | undefined;
    child.on('error', (error) => {
      if (options.signal?.aborted) killed = error;
      else reject(error);
    });
    child.on('close', (code) => {
      if (killed) reject(killed);
      else resolve({ exitCode: code ?? 1, stdout: Buffer.concat(collected.stdout).toString('utf8'), stderr: Buffer.concat(collected.stderr).toString('utf8') });
    });
    // A process that exits before reading its input must not fail the call with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input);
  });

export interface DockerDeps {
  /** Hides a secret from the log (core.setSecret on a runner); called before the secret is used. */
  readonly mask: (secret: string) => void;
  readonly exec?: Exec;
  /** Where docker's output is streamed: the job log by default. */
  readonly stdout?: Writable;
  readonly stderr?: Writable;
  /**
   * The DOCKER_CONFIG of every docker call. By default one of the run's own, made at the first
   * call (`runConfigDir`) and removed by `close` or when the process exits, so that no login
   * lands in the user's ~/.docker and none outlives the run.
   */
  readonly configDir?: string;
  /** The user's docker configuration, whose plugins the run's own links: DOCKER_CONFIG, else ~/.docker. */
  readonly userConfigDir?: string;
}

/**
 * What a run's docker configuration shares with the user's: the client plugins (buildx, which
 * a runner may have only in ~/.docker/cli-plugins, and compose), buildx's builders (those that
 * docker/setup-buildx-action creates) and the docker contexts. Never the credentials.
 */
const SHARED = ['cli-plugins', 'buildx', 'contexts'] as const;

/** The user's docker configuration directory, as the docker client finds it. */
export function userDockerConfig(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG || join(homedir(), '.docker');
}

/** The docker context the user chose (`docker context use`), the one setting of config.json a run keeps. */
function currentContext(user: string): string | undefined {
  try {
    const context = (JSON.parse(readFileSync(join(user, 'config.json'), 'utf8')) as { currentContext?: unknown }).currentContext;
    return typeof context === 'string' && context !== '' ? context : undefined;
  } catch {
    return undefined;
  }
}

/** Run directories not removed yet: a run that ends without `close` (a crash, a cancellation) removes them as it exits. */
const made = new Set<string>();
let removeOnExit = false;

function removeAtExit(): void {
  if (removeOnExit) return;
  removeOnExit = true;
  // Removing a link removes the link only: the user's plugins stay where they are.
  process.once('exit', () => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });
}

/** How many of docker's last lines an error carries: enough for the failing step and its message. */
const TAIL_LINES = 25;

type Builder = 'buildx' | 'classic';

/**
 * A docker configuration directory for one run (mode 0700, under the runner's temporary
 * directory): empty of credentials, with links to what it shares with the user's (`SHARED`),
 * so that `docker buildx` works as it does outside the run, wherever the plugin is installed.
 */
export async function runConfigDir(user: string, parent = process.env.RUNNER_TEMP || tmpdir()): Promise<string> {
  const dir = await mkdtemp(join(parent, 'wimpy-docker-'));
  removeAtExit();
  made.add(dir);
  for (const entry of SHARED) {
    const source = join(user, entry);
    if (existsSync(source)) await symlink(source, join(dir, entry), 'dir');
  }
  const context = currentContext(user);
  await writeFile(join(dir, 'config.json'), `${JSON.stringify(context ? { currentContext: context } : {})}\n`, { mode: 0o600 });
  return dir;
}

export class DockerCli implements Docker {
  private builder?: Promise<Builder>;
  private config?: Promise<string>;

  constructor(private readonly deps: DockerDeps) {}

  /** The DOCKER_CONFIG of every call: the given one, else the run's own, made once. */
  configDir(): Promise<string> {
    this.config ??= this.deps.configDir !== undefined ? Promise.resolve(this.deps.configDir) : runConfigDir(this.deps.userConfigDir ?? userDockerConfig());
    return this.config;
  }

  /** Removes the run's own configuration directory, its logins with it; a given one is the caller's. */
  async close(): Promise<void> {
    if (this.deps.configDir !== undefined || !this.config) return;
    const dir = await this.config;
    this.config = undefined;
    made.delete(dir);
    await rm(dir, { recursive: true, force: true });
  }

  async login(credentials: RegistryCredentials, signal?: AbortSignal): Promise<void> {
    this.deps.mask(credentials.password);
    const result = await this.run(['login', '--username', credentials.username, '--password-stdin', credentials.server], {
      input: Buffer.from(credentials.password),
      signal,
    });
    if (result.exitCode !== 0) {
      throw new ImageFailure(`docker could not log in to ${credentials.server}: check the registry credentials.`, result.tail);
    }
  }

  async logout(server: string): Promise<void> {
    const result = await this.run(['logout', server]);
    if (result.exitCode !== 0) throw new ImageFailure(`docker could not log out of ${server}.`, result.tail);
  }

  async buildAndPush(request: BuildRequest, signal?: AbortSignal): Promise<void> {
    if ((await this.detectBuilder()) === 'buildx') {
      const result = await this.run(buildxArguments(request), { signal });
      // buildx builds and pushes in one command: only its words tell which step failed.
      if (result.exitCode !== 0) throw failure(request, result.tail, /\bpush/i.test(result.tail));
      return;
    }
    const built = await this.run(classicArguments(request), { signal });
    if (built.exitCode !== 0) throw failure(request, built.tail, false);
    const pushed = await this.run(['push', request.image], { signal });
    if (pushed.exitCode !== 0) throw failure(request, pushed.tail, true);
  }

  /** buildx where the client has it (GitHub's runners); the classic builder elsewhere. */
  private detectBuilder(): Promise<Builder> {
    this.builder ??= this.run(['buildx', 'version'], { quiet: true }).then((result) => (result.exitCode === 0 ? 'buildx' : 'classic'));
    return this.builder;
  }

  private async run(args: string[], options: { input?: Buffer; quiet?: boolean; signal?: AbortSignal | undefined } = {}): Promise<{ exitCode: number; tail: string }> {
    const exec = this.deps.exec ?? spawnExec;
    const tail: string[] = [];
    const keep = (line: string): void => {
      if (line.trim() === '') return;
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    };
    const configDir = await this.configDir();
    let result: ExecOutput;
    try {
      result = await exec('docker', args, {
        silent: options.quiet ?? false,
        ...(options.input ? { input: options.input } : {}),
        ...(this.deps.stdout ? { outStream: this.deps.stdout } : {}),
        ...(this.deps.stderr ? { errStream: this.deps.stderr } : {}),
        env: { ...definedEnvironment(), DOCKER_CONFIG: configDir },
        onLine: keep,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      // Killed by the cancellation: the engine says so in the run's words.
      if (options.signal?.aborted) throw error;
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
