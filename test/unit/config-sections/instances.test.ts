import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readInstances } from '../../../src/config/sections/instances.js';
import { readerOf, refusals } from '../../support/config.js';

describe('the instances section', () => {
  test('a preview runs one instance whatever the sizes say', () => {
    const { capacity } = readInstances(readerOf({ 'min-size': '2', 'desired-size': '3', 'max-size': '4' }), 7);
    assert.deepEqual([capacity.minSize, capacity.desiredSize, capacity.maxSize], [1, 1, 1]);
  });

  test('blames the size the user set when the order breaks', () => {
    const reader = readerOf({ 'desired-size': '5', 'max-size': '3' });
    readInstances(reader, undefined);
    assert.deepEqual(refusals(reader), ['desired-size: is not allowed with min-size 1, desired-size 5, max-size 3: min-size <= desired-size <= max-size']);
  });
});
