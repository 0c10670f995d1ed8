import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readTraffic } from '../../../src/config/sections/traffic.js';
import { readerOf, refusals } from '../../support/config.js';

describe('the traffic section', () => {
  test('reads canary steps, and alarm names one a line when they hold commas', () => {
    const traffic = readTraffic(readerOf({ 'canary-steps': '10, 50', 'alarm-names': 'p99, api\nerrors' }));
    assert.deepEqual([traffic.canarySteps, traffic.alarmNames], [[10, 50], ['p99, api', 'errors']]);
  });

  test('refuses steps that do not rise', () => {
    const reader = readerOf({ 'canary-steps': '50,10' });
    readTraffic(reader);
    assert.deepEqual(refusals(reader), ['canary-steps: is not allowed: use ascending percentages from 1 to 100, e.g. 10,50,100 (stop below 100 to leave a canary)']);
  });
});
