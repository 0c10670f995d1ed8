/**
 * The `schedules` input: one `EXPRESSION COMMAND` per line, the expression in EventBridge
 * Scheduler's own syntax (`rate(...)` or `cron(...)`), checked here as AWS checks it, so that a
 * schedule AWS would refuse is refused before anything changes, with the line that is wrong.
 */

export interface ScheduleConfig {
  /** As AWS takes it: `rate(1 day)`, `cron(0 3 * * ? *)`. */
  readonly expression: string;
  /** Run through /bin/sh in the serving release's image. */
  readonly command: string;
}

/** A line's problem, to be said naming the input; undefined when the line is right. */
export type ScheduleProblem = string;

export const MAX_SCHEDULES = 20;
const MAX_COMMAND = 4096;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/;
const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** One cron field: its range, the names it takes for numbers, and the special characters AWS allows in it. */
interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** `?`, `L`, `W`, `#` where AWS allows them; `, - * /` everywhere. */
  readonly extra: RegExp;
}

const FIELDS: readonly Field[] = [
  { name: 'minutes', min: 0, max: 59, extra: /^$/ },
  { name: 'hours', min: 0, max: 23, extra: /^$/ },
  { name: 'day-of-month', min: 1, max: 31, extra: /^(\?|L|(\d{1,2})?W|LW)$/ },
  { name: 'month', min: 1, max: 12, names: MONTHS, extra: /^$/ },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, extra: /^(\?|L|[1-7]L|[A-Z]{3}L|[1-7]#[1-5]|[A-Z]{3}#[1-5])$/ },
  { name: 'year', min: 1970, max: 2199, extra: /^$/ },
];

/** A value of a field: a number in its range, or one of its names. */
function valueOk(field: Field, value: string): boolean {
  if (field.names?.includes(value.toUpperCase())) return true;
  if (!/^\d+$/.test(value)) return false;
  const number = Number(value);
  return number >= field.min && number <= field.max;
}

/** One item of a comma-separated field: `*`, `V`, `V-V`, with an optional `/step`. */
function itemOk(field: Field, item: string): boolean {
  if (field.extra.test(item.toUpperCase())) {
    const dayW = /^(\d{1,2})W$/.exec(item.toUpperCase());
    if (dayW) return valueOk(field, dayW[1]!);
    const weekday = /^(\w+)(L|#[1-5])$/.exec(item.toUpperCase());
    return weekday ? valueOk(field, weekday[1]!) : true;
  }
  const [range = '', step, more] = item.split('/');
  if (more !== undefined) return false;
  if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1)) return false;
  if (range === '*') return true;
  const [from = '', to, beyond] = range.split('-');
  if (beyond !== undefined) return false;
  return valueOk(field, from) && (to === undefined || valueOk(field, to));
}

/** What is wrong with a cron expression's six fields, as AWS reads them; undefined when nothing. */
function cronProblem(body: string): ScheduleProblem | undefined {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) return `has ${fields.length} fields in cron(...): AWS takes six, minutes hours day-of-month month day-of-week year, e.g. cron(0 3 * * ? *)`;
  for (const [index, field] of FIELDS.entries()) {
    const value = fields[index]!;
    if (!value.split(',').every((item) => item !== '' && itemOk(field, item))) return `has ${value} as its ${field.name} field, which AWS refuses: allowed are (${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names.at(-1)}` : ''}, with , - * /${field.name === 'day-of-month' ? ' ? L W' : field.name === 'day-of-week' ? ' ? L #' : ''})`;
  }
  const [dayOfMonth, dayOfWeek] = [fields[2]!, fields[4]!];
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) return 'needs a ? in exactly one of day-of-month and day-of-week, as AWS does: e.g. cron(0 3 * * ? *) daily, cron(0 3 ? * MON *) on Mondays';
  return undefined;
}

/** What is wrong with an expression; undefined when AWS takes it. */
export function expressionProblem(expression: string): ScheduleProblem | undefined {
  if (expression.startsWith('rate(')) {
    const rate = RATE.exec(expression);
    if (!rate) return 'is not a rate AWS takes: rate(VALUE UNIT) with a whole number and minute(s), hour(s) or day(s), e.g. rate(15 minutes)';
    const value = Number(rate[1]);
    const plural = rate[2]!.endsWith('s');
    if (value < 1) return 'has a rate of 0: use a value of at least 1';
    if (value === 1 && plural) return `says rate(1 ${rate[2]}): AWS takes the singular for 1, rate(1 ${rate[2]!.slice(0, -1)}): use that`;
    if (value > 1 && !plural) return `says rate(${value} ${rate[2]}): AWS takes the plural above 1, rate(${value} ${rate[2]}s): use that`;
    return undefined;
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron) return cronProblem(cron[1]!);
  if (expression.startsWith('at(')) return 'is a one-time at(...) schedule: schedules run again and again; use rate(...) or cron(...)';
  return 'does not start with rate( or cron(: use e.g. rate(1 hour) or cron(0 3 * * ? *)';
}

/** The expression at the start of a line: up to the parenthesis that closes it. */
function split(line: string): { expression: string; command: string } | undefined {
  const match = /^((?:rate|cron|at)\([^)]*\))\s+(.*)$/.exec(line);
  if (match) return { expression: match[1]!, command: match[2]!.trim() };
  const bare = /^((?:rate|cron|at)\([^)]*\))$/.exec(line);
  return bare ? { expression: bare[1]!, command: '' } : undefined;
}

/**
 * Reads the input's text: each line's schedule, and each problem as `line N (TEXT) ...`, so that
 * the message names the line. Blank lines are skipped.
 */
export function parseSchedules(text: string): { readonly schedules: readonly ScheduleConfig[]; readonly problems: readonly string[]; readonly wrong: readonly WrongLine[] } {
  const schedules: ScheduleConfig[] = [];
  const wrong: WrongLine[] = [];
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  for (const [index, line] of lines.entries()) {
    if (line === '') continue;
    const at = { line: index + 1, text: line.length > 80 ? `${line.slice(0, 79)}…` : line };
    const parts = split(line);
    if (!parts) {
      wrong.push({ ...at, problem: 'does not start with a schedule: write EXPRESSION COMMAND, e.g. cron(0 3 * * ? *) python manage.py clearsessions' });
      continue;
    }
    const problem = expressionProblem(parts.expression);
    if (problem) wrong.push({ ...at, problem });
    else if (parts.command === '') wrong.push({ ...at, problem: 'has no command after its expression: write EXPRESSION COMMAND, e.g. rate(1 day) ./bin/nightly' });
    else if (CONTROL.test(parts.command) || parts.command.length > MAX_COMMAND) wrong.push({ ...at, problem: `has a command that is not one line of at most ${MAX_COMMAND} printable characters` });
    else schedules.push({ expression: parts.expression, command: parts.command });
  }
  if (schedules.length > MAX_SCHEDULES) wrong.push({ problem: `has ${schedules.length} schedules: at most ${MAX_SCHEDULES}; run several steps from one script in the image` });
  const problems = wrong.map((one) => (one.line === undefined ? one.problem : `line ${one.line} (${one.text}) ${one.problem}`));
  return { schedules, problems, wrong };
}

/** A problem of the input: of one line (its number and text), or of the whole (too many). */
export interface WrongLine {
  readonly line?: number;
  readonly text?: string;
  readonly problem: ScheduleProblem;
}
