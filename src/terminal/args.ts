import { INPUTS } from '../config/inputs.js';
import { COMMANDS } from '../config/types.js';

/**
 * The terminal's flags are the action's inputs: `wimpy plan --application-name shop` is the
 * step `with: { command: plan, application-name: shop }`.
 */
export interface ParsedArgs {
  readonly help: boolean;
  readonly inputs: Readonly<Record<string, string>>;
  readonly problems: readonly string[];
  /** Terminal-only switches: `--follow` (logs), `--json` (status). */
  readonly switches: ReadonlySet<string>;
  /** Everything after `--`: the command `exec` runs. */
  readonly rest: readonly string[];
}

/** Switches that only a terminal has: they take no value. */
export const SWITCHES = ['follow', 'json'] as const;

const KNOWN = new Set(INPUTS.map((input) => input.name));

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const inputs: Record<string, string> = {};
  const problems: string[] = [];
  let help = false;
  const switches = new Set<string>();
  const end = argv.indexOf('--');
  const rest = end < 0 ? [] : argv.slice(end + 1);
  for (let i = 0; i < (end < 0 ? argv.length : end); i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h' || arg === 'help') {
      help = true;
    } else if ((SWITCHES as readonly string[]).includes(arg.slice(2)) && arg.startsWith('--')) {
      switches.add(arg.slice(2));
    } else if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
      if (!KNOWN.has(name)) problems.push(`--${name} is not a flag: use one of the inputs listed by --help`);
      else if (value === undefined) problems.push(`--${name} needs a value`);
      else inputs[name] = value;
    } else if (i === 0 && inputs.command === undefined) {
      inputs.command = arg;
    } else {
      problems.push(`${arg} is not understood: give a command first (${COMMANDS.join(', ')}), then --flags`);
    }
  }
  return { help, inputs, problems, switches, rest };
}

export function usage(): string {
  const width = Math.max(...INPUTS.map((input) => input.name.length)) + 4;
  const lines = [
    'Usage: wimpy <command> [--input value ...]   (logs --follow, status --json, exec [-- command ...])',
    '',
    `Commands: ${COMMANDS.join(', ')}. The flags are the action's inputs:`,
    '',
  ];
  for (const input of INPUTS) {
    if (input.name === 'command') continue;
    const shown = input.required ? ' (required)' : input.default ? ` (default ${input.default})` : '';
    lines.push(`  --${input.name.padEnd(width)}${input.description}${shown}`);
  }
  return lines.join('\n');
}
