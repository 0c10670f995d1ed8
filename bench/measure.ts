import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Shared by the benchmarks: run one of the bundles as a child and measure it. */

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const repositoryFile = (...parts: string[]) => join(root, ...parts);

/** The Node that runners use for `using: node24`; the package ships it. */
export function node24(): string {
  const bundled = repositoryFile('node_modules', '.bin', 'node');
  return existsSync(bundled) ? bundled : process.execPath;
}

export interface Measured {
  readonly exitCode: number | null;
  readonly wallMs: number;
  /** Peak resident memory of the child, in megabytes. */
  readonly peakMb: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node <script> ...args` with the given environment; wall time from spawn to exit. */
export async function measure(script: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Measured> {
  const dir = await mkdtemp(join(tmpdir(), 'wimpy-bench-'));
  const rssFile = join(dir, 'rss');
  try {
    const started = performance.now();
    const result = await new Promise<Omit<Measured, 'peakMb' | 'wallMs'>>((resolve, reject) => {
      const child = spawn(node24(), ['--import', repositoryFile('bench', 'rss-preload.mjs'), script, ...args], {
        env: { ...env, WIMPY_BENCH_RSS_FILE: rssFile },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.on('error', reject);
      child.on('close', (exitCode) => resolve({ exitCode, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    });
    const wallMs = performance.now() - started;
    const rss = (await readFile(rssFile, 'utf8').catch(() => '0')).trim().split('\n').map(Number);
    return { ...result, wallMs, peakMb: Math.max(...rss) / 1024 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
