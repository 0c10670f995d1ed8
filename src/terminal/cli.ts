import { execFileSync } from 'node:child_process';
import packageJson from '../../package.json' with { type: 'json' };
import { ConfigurationError, formatError, readConfig } from '../config/read-config.js';
import { commandUsage, parseArgv, secretVariables, usage } from './args.js';
import { terminalLog } from './log.js';
import { guardedSink, type Sink } from './output.js';
import { runEngine } from '../wiring.js';

/**
 * The terminal's entry: `wimpy <command> --input value ...`, the same engine as the action,
 * flags named like its inputs. Wimpy began as a PaaS you run from your terminal.
 *
 * Exit codes: 0 done, 1 the run failed, 2 the command line is wrong (nothing was done).
 */

export interface TerminalIo {
  readonly out: Sink;
  readonly err: Sink;
}

export const toolVersion: string = packageJson.version;

/** The commit to deploy by default: the checkout's HEAD, asked of git without a shell. */
function headCommit(env: NodeJS.ProcessEnv): string {
  if (env.GITHUB_SHA) return env.GITHUB_SHA;
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

export async function cli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  io: TerminalIo = { out: guardedSink(process.stdout), err: guardedSink(process.stderr) },
): Promise<number> {
  const args = parseArgv(argv);
  switch (args.kind) {
    case 'version':
      io.out(`wimpy ${toolVersion}\n`);
      return 0;
    case 'help':
      io.out(`${args.command ? commandUsage(args.command) : usage()}\n`);
      return 0;
    case 'usage':
      for (const problem of args.problems) io.err(`error: ${problem}\n`);
      io.err(`\n${args.command ? commandUsage(args.command) : usage()}\n`);
      return 2;
  }
  // Secrets come from the environment, never from a flag in shell history.
  const inputs: Record<string, string> = { ...args.inputs };
  for (const secret of secretVariables()) inputs[secret.name] = env[secret.env!] ?? '';
  const sha = headCommit(env);
  let config;
  try {
    config = readConfig((name) => inputs[name], { sha, intent: { kind: 'as-configured' } });
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    io.err(`The configuration has ${error.errors.length} problem(s):\n${error.errors.map((e) => `  --${formatError(e)}`).join('\n')}\n`);
    return 2;
  }
  // With --json, stdout carries the one JSON object and nothing else.
  const say = args.json ? io.err : io.out;
  const cancel = new AbortController();
  const onSignal = () => cancel.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const outcome = await runEngine(config, {
      env,
      log: terminalLog(say, io.err),
      intent: { kind: 'as-configured' },
      sha: sha || config.version,
      ...(env.GITHUB_REPOSITORY ? { repository: env.GITHUB_REPOSITORY } : {}),
      ...(inputs['github-token'] ? { githubToken: inputs['github-token'] } : {}),
      signal: cancel.signal,
      print: (text) => say(`${text}\n`),
      follow: args.follow,
      execCommand: args.rest,
    });
    if (args.json) io.out(`${JSON.stringify(outcome.document ?? outcome.outputs, null, outcome.document ? 2 : undefined)}\n`);
    if (outcome.failure) {
      io.err(`error: ${outcome.failure}\n`);
      return outcome.exitCode ?? 1;
    }
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
