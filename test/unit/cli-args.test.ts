import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, usage } from '../../src/terminal/args.js';
import { INPUTS } from '../../src/config/inputs.js';

describe('the terminal flags', () => {
  test('are the inputs: the command first, then --input value or --input=value', () => {
    const args = parseArgs(['deploy', '--application-name', 'shop', '--hosted-zone=example.com', '--environment-variables', 'A=b=c']);
    assert.deepEqual(args.inputs, { command: 'deploy', 'application-name': 'shop', 'hosted-zone': 'example.com', 'environment-variables': 'A=b=c' });
    assert.deepEqual(args.problems, []);
  });

  test('refuse a flag that is not an input, naming it', () => {
    assert.deepEqual(parseArgs(['plan', '--app', 'shop']).problems, ['--app is not a flag: use one of the inputs listed by --help']);
  });

  test('refuse a flag without its value', () => {
    assert.deepEqual(parseArgs(['plan', '--hosted-zone']).problems, ['--hosted-zone needs a value']);
  });

  test('list every input in --help', () => {
    const text = usage();
    for (const input of INPUTS.filter((i) => i.name !== 'command')) assert.ok(text.includes(`--${input.name}`), input.name);
  });
});
