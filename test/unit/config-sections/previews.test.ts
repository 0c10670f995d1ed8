import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readPreviews } from '../../../src/config/sections/previews.js';
import { readerOf, refusals } from '../../support/config.js';

describe('the previews section', () => {
  test('reads a lifetime in days or hours; 0 is never', () => {
    assert.deepEqual([readPreviews(readerOf({ 'preview-ttl': '7d' })), readPreviews(readerOf({ 'preview-ttl': '0' }))], [{ previewTtlHours: 168 }, { previewTtlHours: 0 }]);
  });

  test('refuses a lifetime in weeks', () => {
    const reader = readerOf({ 'preview-ttl': '2w' });
    readPreviews(reader);
    assert.deepEqual(refusals(reader), ['preview-ttl: is not allowed: use hours or days such as 48h or 7d, or 0 for never']);
  });
});
