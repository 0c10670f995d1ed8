import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readSchedules } from '../../../src/config/sections/schedules.js';
import { ConfigurationError } from '../../../src/config/read-config.js';
import { configOf, PUSH, readerOf, refusals } from '../../support/config.js';

describe('the schedules section', () => {
  test('none unless given; given, one schedule a line', () => {
    assert.deepEqual(readSchedules(readerOf(), undefined), []);
    assert.deepEqual(readSchedules(readerOf({ schedules: 'cron(0 3 * * ? *) python manage.py clearsessions\nrate(15 minutes) ./bin/remind' }), undefined), [
      { expression: 'cron(0 3 * * ? *)', command: 'python manage.py clearsessions' },
      { expression: 'rate(15 minutes)', command: './bin/remind' },
    ]);
  });

  test('refuses an expression AWS would refuse, naming the input and the line', () => {
    const reader = readerOf({ schedules: 'cron(0 3 * * ? *) ./nightly\ncron(0 3 * * * *) ./daily' });
    assert.deepEqual(readSchedules(reader, undefined), []);
    assert.deepEqual(refusals(reader), ['schedules: (line 2) needs a ? in exactly one of day-of-month and day-of-week, as AWS does: e.g. cron(0 3 * * ? *) daily, cron(0 3 ? * MON *) on Mondays']);
  });

  test('refuses a command broken over two lines: its second line is no schedule', () => {
    const reader = readerOf({ schedules: 'rate(1 hour) ./export --to\ns3://bucket' });
    readSchedules(reader, undefined);
    assert.deepEqual(refusals(reader), ['schedules: (line 2) does not start with a schedule: write EXPRESSION COMMAND, e.g. cron(0 3 * * ? *) python manage.py clearsessions']);
  });

  test('refuses a command with a control character', () => {
    const reader = readerOf({ schedules: 'rate(1 hour) ./export \u001b[2J' });
    readSchedules(reader, undefined);
    assert.match(refusals(reader).join('\n'), /^schedules: \(line 1\) has a command that is not one line of at most 4096 printable characters$/);
  });

  test('refuses more schedules than the input allows', () => {
    const reader = readerOf({ schedules: Array.from({ length: 21 }, (_, index) => `rate(${index + 2} hours) ./job ${index}`).join('\n') });
    readSchedules(reader, undefined);
    assert.deepEqual(refusals(reader), ['schedules: has 21 schedules: at most 20; run several steps from one script in the image']);
  });

  test('a preview checks the lines but runs none of them', () => {
    assert.deepEqual(readSchedules(readerOf({ schedules: 'rate(1 day) ./nightly' }), 7), []);
    const reader = readerOf({ schedules: 'rate(1 days) ./nightly' });
    readSchedules(reader, 7);
    assert.equal(refusals(reader).length, 1);
  });

  test('a run with a wrong line stops before anything reaches AWS, saying the input', () => {
    assert.throws(() => configOf({ schedules: 'rate(1 days) ./nightly' }, PUSH), (error: unknown) => error instanceof ConfigurationError && /schedules: "rate\(1 days\) \.\/nightly" \(line 1\) says rate\(1 days\)/.test(error.message));
  });
});
