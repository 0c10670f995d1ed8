import { spawn, spawnSync } from 'node:child_process';

/**
 * The user's own AWS CLI and Session Manager plugin: `exec` hands the terminal to them. Both
 * are run from an argument array, never through a shell.
 */
export type SessionTool = 'aws' | 'session-manager-plugin';

/** The tools that do not run here. The plugin answers `--version` too. */
export function missingTools(env: NodeJS.ProcessEnv): SessionTool[] {
  return (['aws', 'session-manager-plugin'] as const).filter((tool) => spawnSync(tool, ['--version'], { env, stdio: 'ignore', timeout: 10_000 }).error !== undefined);
}

/** Runs `aws <argv>` attached to this terminal; resolves with its exit code. */
export function startSession(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('aws', argv, { env, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
  });
}
