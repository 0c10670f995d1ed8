/**
 * `npm run bench:lock`: what the deploy lock adds to a run that finds it free, against an
 * AWS-compatible endpoint (AWS_ENDPOINT_URL, or the moto emulator on 127.0.0.1:5000) through the
 * counting proxy with a fixed latency on every request (BENCH_LATENCY_MS, 50 ms unless given).
 * The run waits for the take; the release is sent while the run reports (see engine/lock.ts), so
 * the time the run waits is the take's. Target: one round trip.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createLocks } from '../src/aws/locks.js';
import { startAwsProxy } from '../test/support/aws-proxy.js';

const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 50);
const target = process.env.AWS_ENDPOINT_URL || 'http://127.0.0.1:5000';
const ROUNDS = 20;

const proxy = await startAwsProxy({ target, latencyMs });
const client = new DynamoDBClient({ endpoint: proxy.url, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
const table = `wimpy-locks-bench-${randomUUID().slice(0, 8)}`;
const locks = createLocks(client, table);
const claim = () => ({ token: randomUUID(), holder: 'bench@localhost (terminal)', command: 'deploy', version: 'v1', since: Date.now() });

// The table's creation is paid once per account and region, by the first run: measured apart.
const firstStart = performance.now();
const first = claim();
await locks.take('bench/first', first, Date.now() + 180_000, Date.now());
await locks.release('bench/first', first.token);
const firstMs = performance.now() - firstStart;

proxy.resetStats();
const takes: number[] = [];
for (let round = 0; round < ROUNDS; round += 1) {
  const mine = claim();
  const start = performance.now();
  const answer = await locks.take(`bench/app${round}`, mine, Date.now() + 180_000, Date.now());
  takes.push(performance.now() - start);
  if (!answer.taken) throw new Error('the lock was not free');
  await locks.release(`bench/app${round}`, mine.token);
}
const stats = proxy.stats();
await proxy.close();
client.destroy();

takes.sort((a, b) => a - b);
const median = takes[Math.floor(takes.length / 2)]!;
const requestsPerTake = (stats.byApi['dynamodb:UpdateItem'] ?? 0) / ROUNDS / 2;
process.stdout.write(
  [
    `lock on a free environment, ${ROUNDS} runs, ${latencyMs} ms latency per request:`,
    `  time the run waits for the lock: median ${median.toFixed(1)} ms${latencyMs > 0 ? ` (${(median / latencyMs).toFixed(2)} times the latency)` : ""}, max ${takes.at(-1)!.toFixed(1)} ms`,
    `  requests per take: ${requestsPerTake} (UpdateItem); the release (one UpdateItem) is sent while the run reports`,
    `  the first run in an account and region also creates the table: ${firstMs.toFixed(0)} ms once`,
    `  all requests: ${JSON.stringify(stats.byApi)}`,
    '',
  ].join('\n'),
);
