import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DockerCli, spawnExec, type Exec } from '../../src/build/docker.js';
import { HttpRegistry } from '../../src/build/registry-http.js';
import type { PublishPorts } from '../../src/engine/publish-image.js';
import { RecordingLog } from './recording-log.js';

/**
 * A real Docker registry (Debian's `docker-registry`, the reference implementation) on a free
 * loopback port, demanding a login as ECR does. Loopback registries are plain HTTP to dockerd,
 * so no certificate is needed.
 */
export interface TestRegistry {
  /** host:port, the way docker and image references spell it. */
  readonly host: string;
  readonly username: string;
  readonly password: string;
  /** Authorization header value for calls to the registry API. */
  readonly authorization: string;
  /** Stops the registry, and removes the local images tagged for it. */
  stop(): Promise<void>;
}

const SERVICES_HINT = 'run test/support/services.sh (as root) to install and start what the tests need';

/** Fails with what to do when docker or the registry tools are missing: never a silent skip. */
export function requireDockerServices(): void {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe', timeout: 20_000 });
  } catch (error) {
    throw new Error(`The Docker engine is not answering (${firstLine(error)}): ${SERVICES_HINT}`, { cause: error });
  }
  for (const [command, args] of [['docker-registry', ['--version']], ['htpasswd', ['-h']]] as const) {
    try {
      execFileSync(command, [...args], { stdio: 'pipe' });
    } catch (error) {
      // htpasswd -h exits 1 after printing its usage: only a missing program is a failure.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${command} is not installed: ${SERVICES_HINT}`, { cause: error });
    }
  }
  try {
    execFileSync('docker', ['image', 'inspect', 'localhost/busybox:latest'], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`The base image localhost/busybox:latest is missing: ${SERVICES_HINT}`, { cause: error });
  }
}

function firstLine(error: unknown): string {
  const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
  return (stderr || String(error)).split('\n')[0] ?? '';
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForChallenge(url: string, child: ChildProcess, deadline: number): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with code ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.status === 401) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the registry at ${url} did not answer 401 in time`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startRegistry(username = 'deployer', password = `pw-${Math.random().toString(36).slice(2)}-secret`): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'registry-'));
  const htpasswd = execFileSync('htpasswd', ['-Bbn', username, password]).toString();
  writeFileSync(join(dir, 'htpasswd'), htpasswd);
  const port = await freePort();
  const config = [
    'version: 0.1',
    'log: {level: warn}',
    `storage: {filesystem: {rootdirectory: ${join(dir, 'data')}}, delete: {enabled: true}}`,
    `http: {addr: 127.0.0.1:${port}}`,
    `auth: {htpasswd: {realm: test-registry, path: ${join(dir, 'htpasswd')}}}`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'config.yml'), config);
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await waitForChallenge(`http://127.0.0.1:${port}/v2/`, child, Date.now() + 15_000);
  } catch (error) {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n${stderr}`, { cause: error });
  }
  return {
    host: `127.0.0.1:${port}`,
    username,
    password,
    authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill();
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
      const images = execFileSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}']).toString().split('\n');
      const ours = images.filter((image) => image.startsWith(`127.0.0.1:${port}/`));
      if (ours.length > 0) execFileSync('docker', ['rmi', '--force', ...ours], { stdio: 'ignore' });
    },
  };
}

/** One docker command as the adapter ran it, and what it answered. */
export interface ExecRecord {
  readonly args: readonly string[];
  /** What went to docker's stdin. */
  readonly input?: string;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The real adapters wired to a test registry, with everything they run and print recorded. */
export interface PublishHarness {
  readonly ports: PublishPorts;
  readonly docker: DockerCli;
  readonly log: RecordingLog;
  /** Masks and commands in the order they happened: `mask`, then `docker login ...`. */
  readonly journal: string[];
  readonly execs: ExecRecord[];
  /** Everything docker streamed to the log, both streams. */
  printed(): string;
}

/** `userConfigDir` stands for the user's ~/.docker: the docker client makes the run's own configuration beside it. */
export function publishHarness(registry: TestRegistry, userConfigDir: string, at = Date.now()): PublishHarness {
  const journal: string[] = [];
  const execs: ExecRecord[] = [];
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const exec: Exec = async (command, args, options) => {
    journal.push(`${command} ${args.join(' ')}`);
    const result = await spawnExec(command, args, options);
    execs.push({ args, ...(options.input ? { input: options.input.toString() } : {}), ...result });
    return result;
  };
  const docker = new DockerCli({ mask: () => journal.push('mask'), exec, stdout: sink, stderr: sink, userConfigDir });
  const log = new RecordingLog();
  const ports: PublishPorts = {
    registry: new HttpRegistry({ registry: `${registry.host}/wimpy`, username: registry.username, password: registry.password }),
    docker,
    log,
    clock: { now: () => at, sleep: async () => undefined },
  };
  return { ports, docker, log, journal, execs, printed: () => chunks.join('') };
}
