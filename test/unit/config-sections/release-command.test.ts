import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readReleaseCommand } from '../../../src/config/sections/release-command.js';
import { readerOf, refusals } from '../../support/config.js';

describe('the release command section', () => {
  test('none unless given; given, with its timeout', () => {
    assert.equal(readReleaseCommand(readerOf()), undefined);
    assert.deepEqual(readReleaseCommand(readerOf({ 'release-command': 'rails db:migrate', 'release-timeout-minutes': '5' })), { command: 'rails db:migrate', timeoutMinutes: 5 });
  });

  test('refuses a command on two lines', () => {
    const reader = readerOf({ 'release-command': 'migrate\nseed' });
    readReleaseCommand(reader);
    assert.match(refusals(reader).join('\n'), /^release-command: is not allowed: use one line of at most 4096 printable characters/);
  });
});
