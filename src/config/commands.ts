import type { Command } from './types.js';

/**
 * The one table of commands, beside the inputs' table: the terminal's commands, their help and
 * their flags come from here and from INPUTS, so a new command or input needs no change to the
 * terminal's code. Typed by `Command`, so a command added to COMMANDS cannot lack its entry.
 */
export interface CommandSpec {
  /** One line for `wimpy help`. */
  readonly summary: string;
  /** The command reports the action's outputs (url, version, ...): `--json` prints them. */
  readonly outputs: boolean;
  /** What `--json` prints, where it is more than the outputs. */
  readonly json?: string;
}

export const COMMAND_SPECS: Readonly<Record<Command, CommandSpec>> = {
  plan: { summary: 'Print what a deploy would do; with AWS credentials, the change set of every stack. Changes nothing.', outputs: true },
  deploy: { summary: 'Build the image, apply the stacks and move traffic to the new release.', outputs: true },
  rollback: { summary: 'Return to a release (--version, default the last good one): a traffic change where it is still warm.', outputs: true },
  promote: { summary: 'blue-green: move all traffic to a canary left below 100 %.', outputs: true },
  destroy: { summary: "Remove the application's stacks in an environment (--destroy-environment: its network too).", outputs: true },
  logs: { summary: 'Print the container and boot logs of an environment, newest last (--since, --release, --process, --filter, --follow).', outputs: true },
  status: {
    summary: 'Show the URL, the releases with their traffic and health, the instances and the recent scaling. Changes nothing.',
    outputs: true,
    json: 'Print the status as one JSON document on stdout (its field names are listed in the README); the text goes to stderr.',
  },
  exec: { summary: 'Open a shell (or run the command after --) in the container of a serving instance, through Session Manager.', outputs: false },
};
