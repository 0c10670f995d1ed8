// Loaded with `node --import` by the benchmarks: on exit, writes the process's peak memory
// (resident set, kilobytes) to the file WIMPY_BENCH_RSS_FILE names.
import { appendFileSync } from 'node:fs';

const file = process.env.WIMPY_BENCH_RSS_FILE;
if (file) process.on('exit', () => appendFileSync(file, `${process.resourceUsage().maxRSS}\n`));
