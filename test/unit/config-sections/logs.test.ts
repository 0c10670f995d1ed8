import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readLogsSection } from '../../../src/config/sections/logs.js';
import { readerOf, refusals } from '../../support/config.js';

describe('the logs section', () => {
  test('reads a window as an age, and the retention CloudWatch Logs takes', () => {
    const section = readLogsSection(readerOf({ since: '2h', 'log-retention-days': '30' }));
    assert.deepEqual([section.logs.sinceMs, section.logRetentionDays], [7_200_000, 30]);
  });

  test('refuses a retention CloudWatch Logs does not offer', () => {
    const reader = readerOf({ 'log-retention-days': '31' });
    readLogsSection(reader);
    assert.match(refusals(reader).join('\n'), /^log-retention-days: is not allowed: CloudWatch Logs keeps events for one of 1, 3, 5/);
  });
});
