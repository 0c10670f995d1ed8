import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

// Plain JavaScript, run before `npm ci` by CI: imported by its path.
const { tryItCommands } = (await import(new URL('../../../scripts/readme-commands.mjs', import.meta.url).href)) as { tryItCommands: (readme: string) => string[] };
const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe("the README's first commands, as CI runs them", () => {
  test('are the two commands of "Try it", word for word', () => {
    const commands = tryItCommands(README);
    assert.equal(commands.length, 2);
    assert.match(commands[0]!, /^npm ci && npm run plan -- /);
    assert.equal(commands[1], 'npm test');
  });

  test('come from the "Try it" section only', () => {
    const readme = '# x\n\n## Try it\n\n```sh\nnpm ci\n```\n\n## Later\n\n```sh\nrm -rf /\n```\n';
    assert.deepEqual(tryItCommands(readme), ['npm ci']);
  });
});
