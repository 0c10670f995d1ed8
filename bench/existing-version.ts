import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { publishImage, type PublishRequest } from '../src/engine/publish-image.js';
import { publishHarness, requireDockerServices, startRegistry } from '../test/support/registry.js';

/**
 * How long the build phase takes for a version the registry already holds (a redeploy or a
 * rollback): the real adapters against a real registry that demands a login. The promise is
 * "instant": under 2 s, with no docker command at all.
 */

const TARGET_MS = 2000;

export interface BenchResult {
  readonly name: string;
  readonly runsMs: readonly number[];
  readonly medianMs: number;
  readonly targetMs: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export async function benchExistingVersion(runs = 9): Promise<BenchResult> {
  requireDockerServices();
  const registry = await startRegistry();
  const work = mkdtempSync(join(tmpdir(), 'bench-publish-'));
  try {
    writeFileSync(join(work, 'Dockerfile'), 'FROM localhost/busybox:latest\nRUN echo ready > /ready\n');
    const request: PublishRequest = {
      application: 'bench-application',
      version: 'v1.0.0',
      build: { dockerfile: join(work, 'Dockerfile'), context: work, buildArgs: [], keepImages: 30 },
      source: 'https://github.com/wimpy/bench-application',
      revision: '0123456789abcdef0123456789abcdef01234567',
    };
    const first = await publishImage(request, publishHarness(registry, mkdtempSync(join(work, 'config-'))).ports);
    const runsMs: number[] = [];
    for (let run = 0; run < runs; run++) {
      const harness = publishHarness(registry, mkdtempSync(join(work, 'config-')));
      const started = performance.now();
      const image = await publishImage(request, harness.ports);
      runsMs.push(performance.now() - started);
      if (image.digest !== first.digest) throw new Error(`run ${run}: digest ${image.digest} is not the pushed ${first.digest}`);
      if (harness.journal.length > 0) throw new Error(`run ${run}: docker was called for a version already in the registry: ${harness.journal.join('; ')}`);
    }
    return { name: 'publish an existing version', runsMs, medianMs: median(runsMs), targetMs: TARGET_MS };
  } finally {
    await registry.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await benchExistingVersion();
  const verdict = result.medianMs < result.targetMs ? 'within' : 'OVER';
  console.log(`${result.name}: median ${result.medianMs.toFixed(1)} ms over ${result.runsMs.length} runs (${verdict} the ${result.targetMs} ms target, no build)`);
  console.log(`runs (ms): ${result.runsMs.map((ms) => ms.toFixed(1)).join(', ')}`);
  if (result.medianMs >= result.targetMs) process.exitCode = 1;
}
