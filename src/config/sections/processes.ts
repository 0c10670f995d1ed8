import { architectureOf } from '../architecture.js';
import { RELEASE_COMMAND_CONTAINER, SCHEDULE_CONTAINER } from '../names.js';
import type { CapacityConfig, ProcessConfig } from '../types.js';
import { CONTROL, type Reader } from './reader.js';
import { INSTANCE_TYPE } from './instances.js';

/**
 * The processes section: the application's other process types (workers), Procfile style. Each
 * runs the same image as web with its own command, on instances of its own, without a port or a
 * load balancer: `processes` names them and their commands, `processes-sizes` how many instances
 * of which type, `processes-health` a command that says one is healthy, and
 * `processes-grace-seconds` how long its container must stay up first.
 */

export interface ProcessesSection {
  readonly processes: readonly ProcessConfig[];
  readonly processGraceSeconds: number;
}

/** A DNS label that starts with a letter: it names log streams, resources and tags. */
export const PROCESS_NAME = /^[a-z](?:[a-z0-9-]{0,18}[a-z0-9])?$/;
/** Names the product gives its own streams and processes: the web process, the first boot, the release command and the schedules' runs. */
export const RESERVED_PROCESS_NAMES = ['web', 'boot', RELEASE_COMMAND_CONTAINER, SCHEDULE_CONTAINER] as const;
export const MAX_PROCESSES = 10;
/** Commands travel in the instances' user data, which EC2 caps at 16 KB. */
export const MAX_PROCESS_COMMAND = 1024;
const NAME_HELP = `name a process with a DNS label other than ${RESERVED_PROCESS_NAMES.join(', ')}: lowercase letters, digits and hyphens, starting with a letter, at most 20 characters`;
const ONE_LINE_HELP = `use one line of at most ${MAX_PROCESS_COMMAND} printable characters (a command cannot span lines: chain steps with && or put a script in the image)`;
const SIZE = /^(\d{1,3})(?:-(\d{1,3}))?(?:\s+(\S+))?$/;

interface Line {
  readonly name: string;
  readonly value: string;
  /** The value as written, before trimming: a control character around it is refused too. */
  readonly raw: string;
  readonly text: string;
}

/** NAME=VALUE lines of one input, each name a process name, none twice; comments and blank lines skipped. */
function namedLines(r: Reader, input: string): Line[] {
  const lines: Line[] = [];
  for (const text of r.lines(input).split(/\r?\n/)) {
    if (text.trim() === '' || text.trimStart().startsWith('#')) continue;
    const at = text.indexOf('=');
    const name = at < 0 ? '' : text.slice(0, at).trim();
    const value = at < 0 ? '' : text.slice(at + 1).trim();
    if (at < 0) r.fail(input, text, `is not a NAME=VALUE line: ${input === 'processes-sizes' ? 'use NAME=COUNT or NAME=MIN-MAX, e.g. worker=2' : `use NAME=COMMAND, one process a line; ${ONE_LINE_HELP}`}`);
    else if (!PROCESS_NAME.test(name) || (RESERVED_PROCESS_NAMES as readonly string[]).includes(name)) r.fail(input, text, `is not allowed: ${NAME_HELP}`);
    else if (lines.some((line) => line.name === name)) r.fail(input, text, `names ${name} twice: one line a process`);
    else lines.push({ name, value, raw: text.slice(at + 1), text });
  }
  return lines;
}

function command(r: Reader, input: string, line: Line): string | undefined {
  if (line.value === '') r.fail(input, line.text, `has no command after ${line.name}=: use NAME=COMMAND, e.g. worker=celery -A shop worker`);
  else if (CONTROL.test(line.raw) || line.value.length > MAX_PROCESS_COMMAND || line.value.endsWith('\\')) r.fail(input, line.text, `is not allowed: ${ONE_LINE_HELP}`);
  else return line.value;
  return undefined;
}

/** `COUNT` or `MIN-MAX`, then optionally an instance type of the web instances' architecture. */
function size(r: Reader, line: Line, web: CapacityConfig): CapacityConfig | undefined {
  const match = SIZE.exec(line.value);
  const min = Number(match?.[1]);
  const max = match?.[2] === undefined ? min : Number(match[2]);
  const instanceType = match?.[3] ?? web.instanceType;
  if (!match || min < 1 || max > 100 || min > max) {
    r.fail('processes-sizes', line.text, 'is not allowed: use NAME=COUNT (1 to 100) or NAME=MIN-MAX (1 <= MIN <= MAX <= 100), optionally followed by an instance type, e.g. worker=2 or worker=1-4 c7g.large');
    return undefined;
  }
  if (!INSTANCE_TYPE.test(instanceType)) {
    r.fail('processes-sizes', line.text, 'has an instance type that is not allowed: use an EC2 instance type such as t3.small or m7g.large');
    return undefined;
  }
  // The image is built for one platform: an instance of the other architecture could not run it.
  if (architectureOf(instanceType) !== architectureOf(web.instanceType)) {
    r.fail('processes-sizes', line.text, `has an instance type of another architecture (${architectureOf(instanceType)}) than instance-type ${web.instanceType}: use an ${architectureOf(web.instanceType)} instance type, since the image is built for one`);
    return undefined;
  }
  return { instanceType, minSize: min, desiredSize: min, maxSize: max, cpuTarget: web.cpuTarget };
}

/** `web` is the capacity of the web instances; a preview runs one instance of each process, of the web instances' type. */
export function readProcesses(r: Reader, web: CapacityConfig, preview: number | undefined, signalTimeoutMinutes: number): ProcessesSection {
  const processGraceSeconds = r.integer('processes-grace-seconds', 5, 600);
  if (processGraceSeconds >= signalTimeoutMinutes * 60) {
    r.fail('processes-grace-seconds', String(processGraceSeconds), `is not allowed with signal-timeout-minutes ${signalTimeoutMinutes}: a process must have time to stay up before the instance's signal is due`);
  }
  const lines = namedLines(r, 'processes');
  if (lines.length > MAX_PROCESSES) r.fail('processes', `${lines.length} processes`, `is not allowed: at most ${MAX_PROCESSES} processes`);
  const names = lines.map((line) => line.name);
  const unknown = (input: string) => (line: Line) => {
    if (names.includes(line.name)) return true;
    r.fail(input, line.text, `names ${line.name}, which is not in processes: use the name of one of processes (${names.join(', ') || 'none given'})`);
    return false;
  };
  const sizes = new Map(namedLines(r, 'processes-sizes').filter(unknown('processes-sizes')).map((line) => [line.name, size(r, line, web)] as const));
  const health = new Map(namedLines(r, 'processes-health').filter(unknown('processes-health')).map((line) => [line.name, command(r, 'processes-health', line)] as const));
  const fallback: CapacityConfig = { ...web, minSize: 1, desiredSize: 1, maxSize: 1 };
  const processes: ProcessConfig[] = [];
  for (const line of lines) {
    const run = command(r, 'processes', line);
    const check = health.get(line.name);
    if (run === undefined) continue;
    processes.push({
      name: line.name,
      command: run,
      ...(check ? { health: check } : {}),
      capacity: preview !== undefined ? fallback : (sizes.get(line.name) ?? fallback),
    });
  }
  return { processes, processGraceSeconds };
}

/** A process's size as plan, the summary and the PR comment say it: `2 × t3.small`, `1-4 × t3.medium`, `1 × t3.micro, Spot`. */
export function processSize(capacity: CapacityConfig): string {
  const count = capacity.minSize === capacity.maxSize ? `${capacity.minSize}` : `${capacity.minSize}-${capacity.maxSize}`;
  return `${count} × ${capacity.instanceType}${capacity.spot ? ', Spot' : ''}`;
}
