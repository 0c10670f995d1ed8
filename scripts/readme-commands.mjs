#!/usr/bin/env node
/**
 * Prints the commands of the README's "Try it" section, the ones a newcomer types first, so
 * that CI runs them word for word and they cannot drift from what the README says. Plain
 * JavaScript without dependencies: it runs before `npm ci`, on any Node.
 *
 * Usage: node scripts/readme-commands.mjs N   (the Nth command, from 1)
 *        bash -euo pipefail -c "$(node scripts/readme-commands.mjs 1)"
 */
import { readFileSync } from 'node:fs';

/** The ```sh blocks between "## Try it" and the next section. */
export function tryItCommands(readme) {
  const start = readme.indexOf('\n## Try it\n');
  if (start < 0) throw new Error('README.md has no "## Try it" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((match) => match[1].trim());
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const commands = tryItCommands(readFileSync(new URL('../README.md', import.meta.url), 'utf8'));
  const n = Number(process.argv[2]);
  if (!Number.isInteger(n) || n < 1 || n > commands.length) {
    console.error(`usage: readme-commands.mjs N, with N from 1 to ${commands.length} (the README's "Try it" has ${commands.length} command(s))`);
    process.exit(2);
  }
  console.log(commands[n - 1]);
}
