// Loaded with `node --import` by the benchmarks: on exit, writes the process's peak memory
// (resident set, kilobytes) to the file WIMPY_BENCH_RSS_FILE names. With
// WIMPY_BENCH_CLOCK_AHEAD_MS, Date.now runs that far ahead, so that stacks the bench made a
// moment ago look as old as that to the action (an emulator cannot age them); the emulator
// does not check the time its requests are signed at.
import { appendFileSync } from 'node:fs';

const file = process.env.WIMPY_BENCH_RSS_FILE;
if (file) process.on('exit', () => appendFileSync(file, `${process.resourceUsage().maxRSS}\n`));

const ahead = Number(process.env.WIMPY_BENCH_CLOCK_AHEAD_MS ?? 0);
if (ahead > 0) {
  const now = Date.now;
  Date.now = () => now() + ahead;
}
