import { PROCESS_NAME } from './processes.js';
import type { LogsQuery } from '../types.js';
import { CONTROL, IMAGE_TAG, type Reader } from './reader.js';

/** The logs section: how long the environment keeps its logs, and which of them `logs` reads. */

export interface LogsSection {
  readonly logRetentionDays: number;
  readonly logs: LogsQuery;
}

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
const AGE = /^(\d{1,6})(s|m|h|d)$/;
const AGE_UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const MAX_FILTER = 1024;

export function readLogsSection(r: Reader): LogsSection {
  const logRetentionText = r.text('log-retention-days');
  const logRetentionDays = Number(logRetentionText);
  if (!/^\d+$/.test(logRetentionText) || !(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
    r.fail('log-retention-days', logRetentionText, `is not allowed: CloudWatch Logs keeps events for one of ${LOG_RETENTION_DAYS.join(', ')} days`);
  }
  return { logRetentionDays, logs: readLogsQuery(r) };
}

/** The inputs of `logs`: read for every command, so that a wrong value is refused whatever runs. */
function readLogsQuery(r: Reader): LogsQuery {
  const since = r.text('since');
  const age = AGE.exec(since);
  let window: Pick<LogsQuery, 'sinceMs' | 'sinceAt'> = {};
  if (age) window = { sinceMs: Number(age[1]) * AGE_UNIT_MS[age[2] as keyof typeof AGE_UNIT_MS] };
  else if (TIMESTAMP.test(since) && !Number.isNaN(Date.parse(since))) window = { sinceAt: Date.parse(since) };
  else r.fail('since', since, 'is not allowed: use an age such as 30s, 10m, 2h or 7d, or a timestamp such as 2026-05-01T12:00:00Z');
  const release = r.text('release');
  if (release !== '' && !IMAGE_TAG.test(release)) r.fail('release', release, 'is not allowed: use a release version, an image tag of letters, digits, _, . and -');
  const process = r.text('process');
  // Any process a release ran, web or a worker: the logs of a release whose processes changed since are still read.
  if (process !== '' && !PROCESS_NAME.test(process)) r.fail('process', process, 'is not allowed: name web, boot, release (the release command), schedule (the schedules\' runs) or a process of processes (a DNS label)');
  const filter = r.text('filter');
  if (filter.length > MAX_FILTER || CONTROL.test(filter)) r.fail('filter', filter, `is not allowed: use a CloudWatch Logs filter pattern of at most ${MAX_FILTER} printable characters`);
  return { ...window, ...(release ? { release } : {}), ...(process ? { process } : {}), ...(filter ? { filter } : {}) };
}
