import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readNetwork } from '../../../src/config/sections/network.js';
import { readerOf, refusals } from '../../support/config.js';

describe('the network section', () => {
  test('named ports and ranges, HTTPS always among them', () => {
    assert.deepEqual(readNetwork(readerOf({ egress: 'http, 8000-8100' })).egress, [{ from: 443, to: 443 }, { from: 80, to: 80 }, { from: 8000, to: 8100 }]);
  });

  test('refuses a range that runs backwards', () => {
    const reader = readerOf({ egress: '9000-8000' });
    readNetwork(reader);
    assert.deepEqual(refusals(reader), ['egress: is not allowed: use all, or a comma-separated list of https, http, TCP ports (1 to 65535) and ranges such as 8000-8100']);
  });
});
