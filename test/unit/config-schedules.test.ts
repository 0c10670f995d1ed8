import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expressionProblem, parseSchedules } from '../../src/config/schedules.js';

/** The schedules input: EventBridge Scheduler's expressions, checked as AWS checks them, before anything changes. */

describe('the schedules input', () => {
  test('reads one EXPRESSION COMMAND a line, skipping blank lines', () => {
    const { schedules, problems } = parseSchedules('cron(0 3 * * ? *) python manage.py clearsessions\n\nrate(15 minutes)   ./bin/send-reminders --batch 50\n');
    assert.deepEqual(problems, []);
    assert.deepEqual(schedules, [
      { expression: 'cron(0 3 * * ? *)', command: 'python manage.py clearsessions' },
      { expression: 'rate(15 minutes)', command: './bin/send-reminders --batch 50' },
    ]);
  });

  test('takes the rates and crons AWS takes', () => {
    for (const expression of ['rate(1 minute)', 'rate(2 hours)', 'rate(1 day)', 'cron(0/15 * * * ? *)', 'cron(0 9 ? * MON-FRI *)', 'cron(30 2 L * ? *)', 'cron(0 12 15W * ? 2030)', 'cron(0 8 ? JAN,JUL 2#1 *)', 'cron(0 18 ? * 6L *)', 'cron(5,35 14 * * ? *)']) {
      assert.equal(expressionProblem(expression), undefined, expression);
    }
  });

  test('refuses a rate AWS would refuse, saying why', () => {
    assert.match(expressionProblem('rate(1 hours)')!, /singular for 1, rate\(1 hour\)/);
    assert.match(expressionProblem('rate(5 hour)')!, /plural above 1, rate\(5 hours\)/);
    assert.match(expressionProblem('rate(0 minutes)')!, /at least 1/);
    assert.match(expressionProblem('rate(10 seconds)')!, /minute\(s\), hour\(s\) or day\(s\)/);
  });

  test('refuses a cron AWS would refuse, naming the field', () => {
    assert.match(expressionProblem('cron(0 3 * * *)')!, /5 fields .* six/);
    assert.match(expressionProblem('cron(0 3 * * * *)')!, /exactly one of day-of-month and day-of-week/);
    assert.match(expressionProblem('cron(0 3 ? * ? *)')!, /exactly one of day-of-month and day-of-week/);
    assert.match(expressionProblem('cron(60 3 * * ? *)')!, /60 as its minutes field/);
    assert.match(expressionProblem('cron(0 24 * * ? *)')!, /24 as its hours field/);
    assert.match(expressionProblem('cron(0 3 * 13 ? *)')!, /13 as its month field/);
    assert.match(expressionProblem('cron(0 3 ? * FUN *)')!, /FUN as its day-of-week field/);
    assert.match(expressionProblem('cron(0 3 * * ? 1969)')!, /1969 as its year field/);
    assert.match(expressionProblem('cron(? 3 * * ? *)')!, /\? as its minutes field/);
  });

  test('refuses what is no repeating schedule', () => {
    assert.match(expressionProblem('at(2030-01-01T00:00:00)')!, /one-time/);
    assert.match(expressionProblem('0 3 * * *')!, /rate\( or cron\(/);
  });

  test('names the line that is wrong: no expression, no command, a bad expression', () => {
    const { schedules, problems } = parseSchedules('0 3 * * * ./nightly\ncron(0 3 * * ? *)\nrate(1 hours) ./hourly\nrate(1 hour) ./fine');
    assert.deepEqual(schedules, [{ expression: 'rate(1 hour)', command: './fine' }]);
    assert.equal(problems.length, 3);
    assert.match(problems[0]!, /^line 1 \(0 3 \* \* \* \.\/nightly\) does not start with a schedule/);
    assert.match(problems[1]!, /^line 2 \(cron\(0 3 \* \* \? \*\)\) has no command/);
    assert.match(problems[2]!, /^line 3 \(rate\(1 hours\) \.\/hourly\) says rate\(1 hours\)/);
  });

  test('refuses more than twenty schedules', () => {
    const { problems } = parseSchedules(Array.from({ length: 21 }, (_, i) => `rate(${i + 2} hours) ./job ${i}`).join('\n'));
    assert.match(problems.at(-1)!, /has 21 schedules: at most 20/);
  });
});
