import { logGroupName, parseLogStream } from '../config/names.js';
import type { Config } from '../config/types.js';
import { pause } from './context.js';
import type { BootLogReport } from './run-report.js';
import type { Clock, LogEvent, LogQuery, Logs } from './ports.js';

/**
 * `logs`: the container and boot logs of an environment, newest last, each line with the
 * release and instance its stream names. `follow` polls FilterLogEvents rather than opening a
 * StartLiveTail session: polling needs no HTTP/2 event stream, costs nothing while idle beyond
 * the requests, has no three-hour session limit, and reads the same filter pattern as the
 * one-off read, so a followed line looks exactly like a read one.
 */

export interface LogLine {
  readonly time: Date;
  readonly release: string;
  readonly instance: string;
  /** The process (web) or `boot`. */
  readonly source: string;
  readonly message: string;
}

export interface LogsDeps {
  readonly logs: Logs;
  readonly clock: Clock;
}

export interface LogsOptions {
  /** Keep reading new lines until the signal is aborted. */
  readonly follow?: boolean;
  readonly signal?: AbortSignal;
  /** Called for every line, in order. */
  readonly onLine: (line: LogLine) => void;
}

export interface LogsResult {
  readonly group: string;
  readonly count: number;
  /** The newest lines, for a summary. */
  readonly last: readonly LogLine[];
}

/** How often `follow` asks for new lines. */
export const FOLLOW_INTERVAL_MS = 2_000;
/** Lines a summary shows. */
const LAST_LINES = 50;
const SHORT_SHA = /^[0-9a-f]{7,39}$/;

/** The log group of the environment: previews write to their network's (staging's) group. */
export function logGroupOf(config: Pick<Config, 'application' | 'networkEnvironment'>): string {
  return logGroupName(config.application, config.networkEnvironment);
}

/** Whether a stream's version is the release asked for: a short commit SHA names its full one. */
function isRelease(version: string, asked: string): boolean {
  return version === asked || (SHORT_SHA.test(asked) && version.startsWith(asked));
}

/** The query of a configuration at a time: the environment's streams, the release's when one is asked. */
export function logQuery(config: Config, now: number): LogQuery {
  const { sinceMs, sinceAt, release, filter } = config.logs;
  return {
    group: logGroupOf(config),
    // Without a slash after a short SHA, so that it matches its full version's streams too.
    streamPrefix: `${config.environment}/${release ? (SHORT_SHA.test(release) ? release : `${release}/`) : ''}`,
    start: sinceAt ?? now - (sinceMs ?? 0),
    ...(filter ? { filter } : {}),
  };
}

/** The line of an event, or undefined when its stream is not one the query asked for. */
export function lineOf(event: LogEvent, config: Config): LogLine | undefined {
  const stream = parseLogStream(event.stream);
  if (!stream || stream.environment !== config.environment) return undefined;
  if (config.logs.release && !isRelease(stream.version, config.logs.release)) return undefined;
  if (config.logs.process && stream.source !== config.logs.process) return undefined;
  return { time: new Date(event.timestamp), release: stream.version, instance: stream.instance, source: stream.source, message: event.message.replace(/\r?\n$/, '') };
}

/** One line as a terminal and the action's log print it. */
export function formatLogLine(line: LogLine): string {
  return `${line.time.toISOString()} ${line.release} ${line.instance} ${line.source} | ${line.message}`;
}

export async function readLogs(config: Config, deps: LogsDeps, options: LogsOptions): Promise<LogsResult> {
  let query = logQuery(config, deps.clock.now());
  const last: LogLine[] = [];
  let count = 0;
  // Events already printed at the newest timestamp: the next poll starts at that millisecond again.
  let seen = new Set<string>();
  for (;;) {
    const events = await deps.logs.read(query, options.signal);
    let newest = query.start;
    const atNewest = new Set<string>();
    for (const event of events) {
      if (seen.has(event.id)) continue;
      if (event.timestamp > newest) {
        newest = event.timestamp;
        atNewest.clear();
      }
      if (event.timestamp === newest) atNewest.add(event.id);
      const line = lineOf(event, config);
      if (!line) continue;
      count += 1;
      options.onLine(line);
      last.push(line);
      if (last.length > LAST_LINES) last.shift();
    }
    if (!options.follow || options.signal?.aborted) break;
    seen = newest === query.start ? new Set([...seen, ...atNewest]) : atNewest;
    query = { ...query, start: newest };
    await pause(deps.clock, FOLLOW_INTERVAL_MS, options.signal);
    if (options.signal?.aborted) break;
  }
  return { group: query.group, count, last };
}

/** Lines of each failing instance shown where a failed deploy is reported. */
export const BOOT_LOG_LINES = 20;
/** Instances shown: the first few say why; the rest usually say the same. */
const BOOT_LOG_INSTANCES = 2;

/** The terminal command that reads a release's logs from a given time on. */
export function logsCommand(config: Config, release: string, since: number): string {
  const environment = config.preview !== undefined ? '' : ` --environment ${config.environment}`;
  return `wimpy logs --application-name ${config.application} --hosted-zone ${config.hostedZone}${environment} --release ${release} --since ${new Date(since).toISOString()}`;
}

/**
 * The end of the boot and container logs of a release's instances since `since`: what a
 * failed deploy shows, so that nobody has to find an instance that is already terminated.
 */
export async function failedBootLogs(config: Config, release: string, logs: Logs, since: number): Promise<BootLogReport[]> {
  const forRelease: Config = { ...config, logs: { release } };
  const events = await logs.read({ ...logQuery(forRelease, since), start: since });
  const byInstance = new Map<string, LogLine[]>();
  for (const event of events) {
    const line = lineOf(event, forRelease);
    if (line) byInstance.set(line.instance, [...(byInstance.get(line.instance) ?? []), line]);
  }
  return [...byInstance.entries()].slice(0, BOOT_LOG_INSTANCES).map(([instance, lines]) => ({
    instance,
    release,
    lines: lines.slice(-BOOT_LOG_LINES).map((line) => `${line.time.toISOString().slice(11, 19)} ${line.source} | ${line.message}`),
    command: logsCommand(config, release, since),
  }));
}
