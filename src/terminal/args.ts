import { parseArgs } from 'node:util';
import { COMMAND_SPECS } from '../config/commands.js';
import { INPUTS, type InputSpec } from '../config/inputs.js';
import { COMMANDS, type Command } from '../config/types.js';

/**
 * The terminal's words and flags. The flags are the action's inputs (`wimpy plan
 * --application-name shop` is the step `with: { command: plan, application-name: shop }`); the
 * command is a word, anywhere on the line. Everything comes from the tables of inputs and
 * commands, so this module never changes when they grow.
 */
export type Invocation =
  | {
      readonly kind: 'run';
      readonly command: Command;
      readonly inputs: Readonly<Record<string, string>>;
      readonly json: boolean;
      /** `logs --follow`: new lines until interrupted. */
      readonly follow: boolean;
      /** `exec -- words`: the command to run in the container. */
      readonly rest: readonly string[];
    }
  | { readonly kind: 'help'; readonly command?: Command }
  | { readonly kind: 'version' }
  /** Wrong usage: the problems, and the command when one was understood (for its help). */
  | { readonly kind: 'usage'; readonly problems: readonly string[]; readonly command?: Command };

/** Flags of the terminal itself, beside the inputs. */
const TOOL_FLAGS: Readonly<Record<string, 'help' | 'json' | 'version' | 'follow'>> = { '--help': 'help', '-h': 'help', '--json': 'json', '-V': 'version', '--follow': 'follow' };
/** The commands that take the words after `--`, and the one that follows. */
const TAKES_REST: readonly Command[] = ['exec'];
const FOLLOWS: readonly Command[] = ['logs'];

const isCommand = (word: string): word is Command => (COMMANDS as readonly string[]).includes(word);
const inputNamed = (name: string) => INPUTS.find((input) => input.name === name);

/** The inputs a command takes as flags: not `command` (a word here), not secrets (environment only). */
export function flagsOf(command: Command): InputSpec[] {
  return INPUTS.filter((input) => input.name !== 'command' && !input.secret && (!input.commands || input.commands.includes(command)));
}

/** Secrets come from these environment variables, never from flags. */
export function secretVariables(): InputSpec[] {
  return INPUTS.filter((input) => input.secret && input.env);
}

export function parseArgv(argv: readonly string[]): Invocation {
  // Non-strict: every token comes back, and the messages below name the input and what is allowed.
  const { tokens } = parseArgs({
    args: [...argv],
    options: Object.fromEntries([
      ...INPUTS.map((input) => [input.name, { type: 'string' as const }]),
      ['help', { type: 'boolean' as const, short: 'h' }],
      ['json', { type: 'boolean' as const }],
      ['follow', { type: 'boolean' as const }],
    ]),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const problems: string[] = [];
  const words: string[] = [];
  const given: Record<string, string> = {};
  let help = false;
  let json = false;
  let follow = false;
  let version = false;
  const rest: string[] = [];
  let afterTerminator = false;
  for (const token of tokens) {
    if (token.kind === 'option-terminator') {
      afterTerminator = true;
      continue;
    }
    if (token.kind === 'positional') {
      (afterTerminator ? rest : words).push(token.value);
      continue;
    }
    if (token.kind !== 'option') continue;
    const { name, rawName, value, inlineValue } = token;
    const toolFlag = TOOL_FLAGS[rawName];
    if (toolFlag) {
      if (value !== undefined) problems.push(`${rawName} takes no value`);
      if (toolFlag === 'help') help = true;
      else if (toolFlag === 'json') json = true;
      else if (toolFlag === 'follow') follow = true;
      else version = true;
      continue;
    }
    const input = rawName.startsWith('--') ? inputNamed(name) : undefined;
    if (!input) {
      problems.push(`${rawName} is not a flag: the flags are the action's inputs, listed by wimpy help <command>`);
    } else if (input.name === 'command') {
      problems.push('--command is not a flag in a terminal: the command is a word, as in wimpy deploy --application-name shop');
    } else if (input.secret) {
      problems.push(`--${name} is a secret, and a shell's history keeps every flag: set ${input.env ?? 'it'} in the environment instead`);
    } else if (value === undefined || (!inlineValue && value.startsWith('--'))) {
      problems.push(`--${name} needs a value${value === undefined ? '' : ` (write --${name}=${value} if that is the value)`}`);
    } else if (given[name] !== undefined) {
      problems.push(`--${name} is given twice`);
    } else {
      given[name] = value;
    }
  }

  if (words[0] === 'version' && words.length === 1) version = true;
  if (version && words.filter((word) => word !== 'version').length === 0 && Object.keys(given).length === 0 && problems.length === 0) return { kind: 'version' };
  if (words[0] === 'help') {
    help = true;
    words.shift();
  }
  const [word, ...extra] = words;
  let command: Command | undefined;
  if (word === undefined) {
    if (!help) problems.unshift(`no command: give one of ${COMMANDS.join(', ')}`);
  } else if (isCommand(word)) {
    command = word;
  } else {
    problems.unshift(`${word} is not a command: give one of ${COMMANDS.join(', ')}${word === 'version' ? ', or wimpy version alone' : ''}`);
  }
  for (const word of extra) problems.push(`${word} is not understood: wimpy takes one command${command ? ` (${command} was given)` : ''}; values follow their --flag`);
  if (help && problems.length === 0) return command ? { kind: 'help', command } : { kind: 'help' };
  if (command) {
    const allowed = new Set(flagsOf(command).map((input) => input.name));
    for (const name of Object.keys(given)) {
      if (!allowed.has(name)) problems.push(`--${name} is not a flag of wimpy ${command}: see wimpy help ${command}`);
    }
    if (json && !COMMAND_SPECS[command].outputs) problems.push(`--json: wimpy ${command} has no outputs to print`);
    if (follow && !FOLLOWS.includes(command)) problems.push(`--follow is only for wimpy ${FOLLOWS.join(', ')}`);
    if (rest.length > 0 && !TAKES_REST.includes(command)) problems.push(`${rest.join(' ')}: words after -- are only for wimpy ${TAKES_REST.join(', ')}`);
  }
  if (problems.length > 0 || !command) return { kind: 'usage', problems, ...(command ? { command } : {}) };
  return { kind: 'run', command, inputs: { ...given, command }, json, follow, rest };
}

/** An action's default that only means something in a workflow (`${{ github.token }}`) is not shown. */
const shownDefault = (input: InputSpec) =>
  input.required ? ' (required)' : input.default && !input.default.includes('${{') ? ` (default ${input.default})` : '';

function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`);
}

function environmentLines(): string[] {
  return [
    'Environment:',
    ...table([
      ...secretVariables().map((input) => [input.env!, `${input.description} Never a flag.`] as const),
      ['AWS_PROFILE, AWS_REGION, ...', 'AWS credentials and region, found as the AWS CLI finds them (environment, profiles, SSO, instance roles).'],
    ]),
  ];
}

/** `wimpy help`: the commands. */
export function usage(): string {
  return [
    'Usage: wimpy <command> [--flag value ...] [--json]',
    '       wimpy help [<command>]',
    '       wimpy version | -V',
    '',
    'Commands:',
    ...table(COMMANDS.map((command) => [command, COMMAND_SPECS[command].summary] as const)),
    '',
    "The flags are the action's inputs, in any order around the command; wimpy help <command> lists",
    "a command's own. --version is the release to deploy or return to, not this tool's version.",
    '',
    ...environmentLines(),
  ].join('\n');
}

/** `wimpy help <command>` and `wimpy <command> --help`: that command's flags only. */
export function commandUsage(command: Command): string {
  const spec = COMMAND_SPECS[command];
  return [
    `Usage: wimpy ${command} [--flag value ...]${spec.outputs ? ' [--json]' : ''}${FOLLOWS.includes(command) ? ' [--follow]' : ''}${TAKES_REST.includes(command) ? ' [-- command ...]' : ''}`,
    '',
    spec.summary,
    '',
    'Flags:',
    ...table([
      ...flagsOf(command).map((input) => [`--${input.name}`, `${input.description}${shownDefault(input)}`] as const),
      ...(spec.outputs ? [['--json', spec.json ?? 'Print the outputs (url, version, image, ...) as one JSON object on stdout; the log goes to stderr.'] as const] : []),
      ...(FOLLOWS.includes(command) ? [['--follow', 'Keep printing new lines, asking every two seconds, until Ctrl-C.'] as const] : []),
      ...(TAKES_REST.includes(command) ? [['-- command ...', 'Run this command in the container instead of a shell.'] as const] : []),
      ['--help, -h', 'This help.'],
    ]),
    '',
    ...environmentLines(),
  ].join('\n');
}
