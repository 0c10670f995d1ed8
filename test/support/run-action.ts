import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INPUTS } from '../../src/config/inputs.js';
import { COMMIT } from './config.js';
import { CREDENTIALS, REGION } from './emulator.js';
import { repositoryFile } from './github-stand-in.js';

/**
 * Runs the bundled action, dist/index.js, the way a GitHub runner does: a fresh Node 24
 * process whose only configuration is its environment (INPUT_* for the inputs, GITHUB_* for
 * the run and its event, the files of the runner's file commands), then reads back what the
 * runner would: the exit code, the log, the outputs, the job summary and the saved state.
 * With `post`, it runs the post step too, with that state as STATE_* variables.
 */

export interface GitHubRepository {
  /** GITHUB_API_URL: where octokit sends its requests. */
  readonly apiUrl: string;
  readonly token: string;
  /** owner/repo */
  readonly repository: string;
}

export interface RunActionOptions {
  /** Inputs by their action.yml names; the others get action.yml's defaults, as the runner gives them. */
  readonly inputs: Readonly<Record<string, string>>;
  /** GITHUB_EVENT_NAME and the webhook payload; default: a push to main. */
  readonly event?: { readonly name: string; readonly payload: unknown };
  /** GITHUB_SHA: the commit of the run (for pull_request, GitHub's merge commit). */
  readonly sha?: string;
  /** The endpoint the SDK clients are pointed at (AWS_ENDPOINT_URL). */
  readonly awsEndpoint: string;
  /** Run as a workflow without configure-aws-credentials: no AWS keys in the environment. */
  readonly withoutCredentials?: boolean;
  /** The repository and GitHub's API; without it, github-token stays empty as in a terminal. */
  readonly github?: GitHubRepository;
  /** Also run the post step, as action.yml asks (`post-if: always()`). */
  readonly post?: boolean;
  /** A step that takes longer is killed and reported as such. Default 4 minutes. */
  readonly timeoutMs?: number;
  /** The bundle to run: another version's dist/index.js; default this repository's. */
  readonly bundle?: string;
}

export interface StepResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ActionRun extends StepResult {
  readonly outputs: Readonly<Record<string, string>>;
  readonly summary: string;
  /** What the step saved for its post step (core.saveState). */
  readonly state: Readonly<Record<string, string>>;
  readonly post?: StepResult;
}

/** The commit of a push run: the default version. */
export const PUSH_SHA = COMMIT;

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples/api.github.com/index.json') as Array<{ name: string; examples: Array<Record<string, unknown>> }>;

/** A copy of the payload GitHub sends for `event` and `action`, as GitHub publishes it. */
export function examplePayload<T = Record<string, unknown>>(event: string, action: string): T {
  const example = examples.find((e) => e.name === event)?.examples.find((payload) => payload.action === action);
  if (!example) throw new Error(`GitHub publishes no ${event} ${action} example`);
  return structuredClone(example) as T;
}

/**
 * Reads a file written by file commands (GITHUB_OUTPUT, GITHUB_STATE): `name<<DELIMITER`,
 * the value's lines, `DELIMITER`; or, the older form, `name=value` on one line.
 */
export function parseFileCommands(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const end = lines.indexOf(delimiter!, i + 1);
      if (end < 0) throw new Error(`${name}: no closing delimiter ${delimiter}`);
      result[name!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      result[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return result;
}

/** The runner's name for an input's variable: spaces become _, hyphens stay. */
export const inputVariable = (name: string) => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;

/** The Node that runners use for `using: node24`; the package ships it. */
function node24(): string {
  const bundled = repositoryFile('node_modules', '.bin', 'node');
  return existsSync(bundled) ? bundled : process.execPath;
}

function spawnStep(env: NodeJS.ProcessEnv, cwd: string, timeoutMs: number, bundle = repositoryFile('dist', 'index.js')): Promise<StepResult> {
  return new Promise((resolve, reject) => {
    // Asynchronous on purpose: the stand-ins the step talks to live in this process.
    const child = spawn(node24(), [bundle], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const killed = signal ? `\n[killed by ${signal} after ${timeoutMs} ms]` : '';
      resolve({ exitCode: code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') + killed });
    });
  });
}

/** A runner's workspace for one step: its file-command files, and the environment a runner gives the step. */
export interface RunnerWorkspace {
  readonly dir: string;
  readonly files: { readonly output: string; readonly summary: string; readonly state: string; readonly event: string };
  readonly env: NodeJS.ProcessEnv;
}

/** Makes the workspace and the environment a runner gives a step: nothing of this process's own leaks in. */
export async function prepareRunner(options: Omit<RunActionOptions, 'post' | 'timeoutMs'>): Promise<RunnerWorkspace> {
  const dir = await mkdtemp(join(tmpdir(), 'wimpy-e2e-'));
  const files = {
    output: join(dir, 'output'),
    summary: join(dir, 'summary.md'),
    state: join(dir, 'state'),
    event: join(dir, 'event.json'),
  };
  const event = options.event ?? { name: 'push', payload: { ref: 'refs/heads/main', after: options.sha ?? PUSH_SHA } };
  await Promise.all([writeFile(files.output, ''), writeFile(files.summary, ''), writeFile(files.state, ''), writeFile(files.event, JSON.stringify(event.payload))]);

  // The runner sets every input: the workflow's value, else action.yml's default, its
  // expressions evaluated (`${{ github.token }}` is the job's token, none outside GitHub).
  const defaults = INPUTS.filter((input) => input.default !== undefined).map((input) => [input.name, input.name === 'github-token' ? (options.github?.token ?? '') : input.default!] as const);
  const inputs = { ...Object.fromEntries(defaults), ...options.inputs };
  const inputEnv = Object.fromEntries(Object.entries(inputs).map(([name, value]) => [inputVariable(name), value]));

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    RUNNER_TEMP: dir,
    GITHUB_WORKSPACE: dir,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_STATE: files.state,
    GITHUB_EVENT_NAME: event.name,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_SHA: options.sha ?? PUSH_SHA,
    GITHUB_REF: event.name.startsWith('pull_request') ? `refs/pull/${String((event.payload as { number?: number }).number ?? 0)}/merge` : 'refs/heads/main',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_NUMBER: '7',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SERVER_URL: 'https://github.com',
    ...(options.github ? { GITHUB_REPOSITORY: options.github.repository, GITHUB_API_URL: options.github.apiUrl } : {}),
    AWS_ENDPOINT_URL: options.awsEndpoint,
    AWS_REGION: REGION,
    ...(options.withoutCredentials ? {} : { AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey }),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...inputEnv,
  };
  return { dir, files, env };
}

export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const { dir, files, env } = await prepareRunner(options);
  try {
    const timeoutMs = options.timeoutMs ?? 240_000;
    const main = await spawnStep(env, dir, timeoutMs, options.bundle);
    const [outputText, summary, stateText] = await Promise.all([readFile(files.output, 'utf8'), readFile(files.summary, 'utf8'), readFile(files.state, 'utf8')]);
    const state = parseFileCommands(stateText);
    if (!options.post) return { ...main, outputs: parseFileCommands(outputText), summary, state };

    // The runner hands the saved state to the post step as STATE_<name>.
    const stateEnv = Object.fromEntries(Object.entries(state).map(([name, value]) => [`STATE_${name}`, value]));
    await writeFile(files.state, '');
    const post = await spawnStep({ ...env, ...stateEnv }, dir, timeoutMs, options.bundle);
    return { ...main, outputs: parseFileCommands(outputText), summary, state, post };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The lines of a step's log that carry `marker`, for quoting what the action printed. */
export function logLines(step: StepResult, marker: string | RegExp): string[] {
  return step.stdout.split(/\r?\n/).filter((line) => (typeof marker === 'string' ? line.includes(marker) : marker.test(line)));
}
