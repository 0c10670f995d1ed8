import type { ReleaseCommandConfig } from '../types.js';
import { CONTROL, type Reader } from './reader.js';

/** The release command section: what runs once per release, before any traffic moves to it. */

const MAX_RELEASE_COMMAND = 4096;

/** Printable text on one line, run as the container's command. */
export function readReleaseCommand(r: Reader): ReleaseCommandConfig | undefined {
  const command = r.text('release-command');
  const timeoutMinutes = r.integer('release-timeout-minutes', 1, 180);
  if (command === '') return undefined;
  if (CONTROL.test(command) || command.length > MAX_RELEASE_COMMAND) {
    r.fail('release-command', command, `is not allowed: use one line of at most ${MAX_RELEASE_COMMAND} printable characters, e.g. python manage.py migrate --noinput (chain steps with && or a script in the image)`);
    return undefined;
  }
  return { command, timeoutMinutes };
}
