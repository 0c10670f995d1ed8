import { execFileSync } from 'node:child_process';
import { ConfigurationError, formatError, readConfig } from '../config/read-config.js';
import { parseArgs, usage } from '../terminal/args.js';
import { terminalLog } from '../terminal/log.js';
import { runEngine } from '../wiring.js';

/**
 * The terminal's entry: `wimpy <command> --input value ...`, the same engine as the action,
 * flags named like its inputs. Wimpy began as a PaaS you run from your terminal.
 */

/** The commit to deploy by default: the checkout's HEAD, asked of git without a shell. */
function headCommit(env: NodeJS.ProcessEnv): string {
  if (env.GITHUB_SHA) return env.GITHUB_SHA;
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

export async function cli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const args = parseArgs(argv);
  if (args.help || argv.length === 0) {
    process.stdout.write(`${usage()}\n`);
    return args.help ? 0 : 2;
  }
  if (args.problems.length > 0) {
    for (const problem of args.problems) process.stderr.write(`error: ${problem}\n`);
    return 2;
  }
  // In a terminal, the token comes from the environment, never from a flag in shell history.
  const inputs: Record<string, string> = { 'github-token': env.GITHUB_TOKEN ?? '', ...args.inputs };
  let config;
  try {
    config = readConfig((name) => inputs[name], { sha: headCommit(env), intent: { kind: 'as-configured' } });
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    process.stderr.write(`The configuration has ${error.errors.length} problem(s):\n${error.errors.map((e) => `  --${formatError(e)}`).join('\n')}\n`);
    return 2;
  }
  const cancel = new AbortController();
  process.once('SIGINT', () => cancel.abort());
  process.once('SIGTERM', () => cancel.abort());
  const outcome = await runEngine(config, {
    env,
    log: terminalLog(),
    intent: { kind: 'as-configured' },
    sha: headCommit(env) || config.version,
    ...(env.GITHUB_REPOSITORY ? { repository: env.GITHUB_REPOSITORY } : {}),
    ...(inputs['github-token'] ? { githubToken: inputs['github-token'] } : {}),
    signal: cancel.signal,
    print: (text) => process.stdout.write(`${text}\n`),
    follow: args.switches.has('follow'),
    json: args.switches.has('json'),
    execCommand: args.rest,
  });
  if (outcome.failure) {
    process.stderr.write(`error: ${outcome.failure}\n`);
    return outcome.exitCode ?? 1;
  }
  return 0;
}

