import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configOf } from '../support/config.js';
import { APP, blueGreen, FakeAws, STAGING_HOST, stagingRelease, V1, V2 } from '../support/fake-aws.js';
import { SERVING_TASK_DEFINITION } from '../../src/templates/schedules.js';
import { summaryMarkdown } from '../../src/report/summary.js';
import { commentBody } from '../../src/report/comment.js';
import { planRun } from '../../src/engine/plan.js';
import { planMarkdown, planText } from '../../src/report/plan.js';

/** The schedules follow the release that serves: applied once a deploy's traffic moved, moved by a promote or a rollback after theirs. */

const NIGHTLY = 'cron(0 3 * * ? *) python manage.py clearsessions';
const SCHEDULES = `${APP}-staging-schedules`;
const ALARM = `${APP}-staging-schedules-failed`;
const withSchedules = (version: string, inputs: Record<string, string> = {}) => blueGreen(version, { schedules: NIGHTLY, 'step-wait': '0', ...inputs });
const serving = (aws: FakeAws) => aws.stacks.get(SCHEDULES)?.parameters[SERVING_TASK_DEFINITION];
const definitionOf = (aws: FakeAws, version: string) => aws.records.records.get(`releases/${APP}/staging/${version}.json`)?.scheduleTaskDefinition ?? [...aws.records.records.values()].find((record) => record.version === version)?.scheduleTaskDefinition;

describe('schedules', () => {
  test("a deploy registers the release's task definition for them and applies their stack once the traffic moved", async () => {
    const aws = new FakeAws();
    const { report } = await aws.run(withSchedules(V1));

    assert.equal(report.status, 'success', report.message);
    const [spec] = aws.releaseTasks.registered;
    assert.equal(spec!.container, 'schedule');
    assert.equal(spec!.family, `${APP}-staging-release`);
    // Exec form: the scheduler's override gives the command as the shell's one argument.
    assert.deepEqual(spec!.command, ['/bin/sh', '-c', 'exec /bin/sh -c "$1"', 'schedule']);
    assert.equal(definitionOf(aws, V1), `arn:aws:ecs:eu-west-1:123456789012:task-definition/${APP}-staging-release:1`);
    assert.equal(serving(aws), definitionOf(aws, V1));
    const calls = aws.journal;
    assert.ok(calls.lastIndexOf(`listeners.forward ${STAGING_HOST}`) < calls.indexOf(`stacks.apply ${SCHEDULES}`), 'after the traffic change');
  });

  test('with a database, the shell builds DATABASE_URL before it runs the command', async () => {
    const aws = new FakeAws();
    await aws.run(withSchedules(V1, { database: 'postgres' }));
    assert.deepEqual(aws.releaseTasks.registered[0]!.command, ['/bin/sh', '-c', 'export DATABASE_URL="postgres://$DATABASE_USER:$DATABASE_PASSWORD@$DATABASE_HOST:$DATABASE_PORT/$DATABASE_NAME"; exec /bin/sh -c "$1"', 'schedule']);
  });

  test('a second release moves them; the same release deployed again changes nothing', async () => {
    const aws = new FakeAws();
    await aws.run(withSchedules(V1));
    await aws.run(withSchedules(V2));
    assert.equal(serving(aws), definitionOf(aws, V2));
    assert.notEqual(definitionOf(aws, V1), definitionOf(aws, V2));

    const registered = aws.releaseTasks.registered.length;
    const { report } = await aws.run(withSchedules(V2));
    assert.equal(aws.releaseTasks.registered.length, registered, 'the recorded task definition is reused');
    assert.equal(report.schedules?.outcome, 'unchanged');
  });

  test('a rollback moves them back after its traffic change, with no request before it', async () => {
    const aws = new FakeAws();
    await aws.run(withSchedules(V1));
    await aws.run(withSchedules(V2));
    const mark = aws.journal.length;

    const { report } = await aws.run(blueGreen(V1, { command: 'rollback' }));

    assert.equal(report.status, 'success', report.message);
    assert.deepEqual(aws.weightsOf(STAGING_HOST), { [stagingRelease(V1)]: 100, [stagingRelease(V2)]: 0 });
    assert.equal(serving(aws), definitionOf(aws, V1));
    const calls = aws.since(mark);
    const change = calls.indexOf(`listeners.forward ${STAGING_HOST}`);
    assert.ok(change >= 0);
    assert.deepEqual(calls.slice(0, change).filter((call) => call.includes('schedules') || call.startsWith('records.') || call.startsWith('releaseTasks.')), [], 'nothing of the schedules before the traffic change');
    assert.equal(report.schedules?.outcome, 'moved');
    assert.equal(report.schedules?.version, V1);
    assert.deepEqual(report.schedules?.schedules, [{ expression: 'cron(0 3 * * ? *)', command: 'python manage.py clearsessions', state: 'ENABLED' }]);
  });

  test("a rollback whose run names no schedules keeps the schedules' lines and moves only the release they run", async () => {
    const aws = new FakeAws();
    await aws.run(withSchedules(V1));
    await aws.run(withSchedules(V2));
    const template = aws.stacks.get(SCHEDULES)!.template;

    await aws.run(blueGreen(V1, { command: 'rollback' }));

    assert.deepEqual(aws.stacks.get(SCHEDULES)!.template, template);
    assert.equal(serving(aws), definitionOf(aws, V1));
  });

  test('while a canary holds part of the traffic they run the release that served; promote moves them', async () => {
    const aws = new FakeAws();
    await aws.run(withSchedules(V1));
    await aws.run(withSchedules(V2, { 'canary-steps': '10' }));
    assert.equal(serving(aws), definitionOf(aws, V1));

    const { report } = await aws.run(configOf({ strategy: 'blue-green', command: 'promote', 'step-wait': '0' }));

    assert.equal(report.status, 'success', report.message);
    assert.equal(serving(aws), definitionOf(aws, V2));
  });

  test('a release deployed before it had schedules registers its task definition from its record when a rollback returns to it', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1));
    await aws.run(withSchedules(V2));
    assert.equal(definitionOf(aws, V1), undefined);

    await aws.run(blueGreen(V1, { command: 'rollback' }));

    const last = aws.releaseTasks.registered.at(-1)!;
    assert.match(last.image, /@sha256:/);
    assert.equal(serving(aws), `arn:aws:ecs:eu-west-1:123456789012:task-definition/${APP}-staging-release:${aws.releaseTasks.registered.length}`);
  });

  test('a deploy without schedules removes their stack; destroy removes it too', async () => {
    const aws = new FakeAws();
    await aws.run(withSchedules(V1));
    const { report } = await aws.run(blueGreen(V2, { 'step-wait': '0' }));
    assert.equal(report.status, 'success', report.message);
    assert.equal(aws.stacks.get(SCHEDULES), undefined);
    assert.equal(report.schedules?.outcome, 'removed');

    await aws.run(withSchedules(V2));
    assert.ok(aws.stacks.get(SCHEDULES));
    const destroyed = await aws.run(configOf({ command: 'destroy', strategy: 'blue-green' }));
    assert.equal(destroyed.report.status, 'success', destroyed.report.message);
    assert.equal(aws.stacks.get(SCHEDULES), undefined);
    assert.ok(aws.stacks.removed.indexOf(SCHEDULES) < aws.stacks.removed.indexOf(stagingRelease(V2)), 'before the release whose task definition it names');
  });

  test('an application without schedules has no schedules stack, and its deploy asks nothing about it: its listing of the environment shows none', async () => {
    const aws = new FakeAws();
    const { report } = await aws.run(blueGreen(V1));
    assert.equal(aws.stacks.get(SCHEDULES), undefined);
    assert.equal(report.schedules, undefined);
    assert.equal(aws.journal.filter((call) => call.includes(SCHEDULES)).length, 0);
  });

  test('the summary and the pull request comment name each schedule, its state, the release it runs and the alarm', async () => {
    const aws = new FakeAws();
    const { report } = await aws.run(withSchedules(V1));
    for (const markdown of [summaryMarkdown(report), commentBody(report)]) {
      assert.ok(markdown.includes(`**Schedules** — <code>${SCHEDULES}</code>: applied, running <code>${V1.slice(0, 7)}</code>. Failures alarm <code>${ALARM}</code> (not in alarm).`));
      assert.ok(markdown.includes('| <code>cron(0 3 &#42; &#42; ? &#42;)</code> | <code>python manage.py clearsessions</code> | ENABLED |'));
    }
  });

  test('plan names the schedules stack, each schedule with its state, and the alarm', () => {
    const plan = planRun(withSchedules(V1));
    const text = planText(plan, false);
    assert.match(text, new RegExp(`Schedules \\(${SCHEDULES}, UTC; failures alarm ${ALARM}\\):\\n  cron\\(0 3 \\* \\* \\? \\*\\) +python manage.py clearsessions  \\[ENABLED\\]`));
    assert.ok(plan.stacks.some((stack) => stack.name === SCHEDULES && stack.dependsOn.includes(stagingRelease(V1))));
    assert.ok(planMarkdown(plan).includes(`**Schedules** — <code>${SCHEDULES}</code> (would be applied), running <code>${V1.slice(0, 7)}</code>. Failures alarm <code>${ALARM}</code>.`));
  });
});
