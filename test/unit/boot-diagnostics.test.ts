import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rollingStack } from '../../src/config/names.js';
import { commentBody } from '../../src/report/comment.js';
import { summaryMarkdown } from '../../src/report/summary.js';
import { configOf } from '../support/config.js';
import { APP, FakeAws, V1, V2 } from '../support/fake-aws.js';

/** A first failed deploy says why the instances never answered, after they are gone. */

const STACK = rollingStack(APP, 'staging');

async function failedBoot() {
  const aws = new FakeAws();
  await aws.run(configOf({ version: V1 }));
  const start = aws.clock.now();
  aws.stacks.failApply(STACK, { reason: 'Received 1 FAILURE signal(s) out of 1' });
  // What the failing instance sent before its signal, as user data sends it.
  const boot = Array.from({ length: 30 }, (_, i) => `boot line ${i + 1}`);
  aws.logs.write(`staging/${V2}/i-0bad/boot`, start + 1000, ...boot, 'Error response from daemon: manifest unknown');
  aws.logs.write(`staging/${V2}/i-0bad/web`, start + 2000, 'Traceback: KeyError DATABASE_URL');
  aws.logs.write(`staging/${V1}/i-0good/web`, start + 3000, 'the serving release is fine');
  const outcome = await aws.run(configOf({ version: V2 }));
  return { aws, ...outcome };
}

describe('a deploy whose instances did not become healthy', () => {
  test('reports the last 20 lines of the failing instance\'s boot and container logs, and the command to read more', async () => {
    const { report } = await failedBoot();
    assert.equal(report.status, 'failure');
    assert.equal(report.bootLogs?.length, 1);
    const [boot] = report.bootLogs!;
    assert.equal(boot!.instance, 'i-0bad');
    assert.equal(boot!.release, V2);
    assert.equal(boot!.lines.length, 20);
    assert.match(boot!.lines.at(-2)!, /boot \| Error response from daemon: manifest unknown$/);
    assert.match(boot!.lines.at(-1)!, /web \| Traceback: KeyError DATABASE_URL$/);
    assert.match(boot!.lines[0]!, /boot \| boot line 13$/);
    assert.match(boot!.command, new RegExp(`^wimpy logs --application-name ${APP} --hosted-zone armesto.net --environment staging --release ${V2} --since \\d{4}-`));
  });

  test('the job summary and the pull request comment carry those lines, and none of another release', async () => {
    const { report } = await failedBoot();
    for (const markdown of [summaryMarkdown(report), commentBody(report)]) {
      assert.match(markdown, /Boot and container log of <code>i-0bad<\/code>/);
      assert.match(markdown, /manifest unknown/);
      assert.match(markdown, /Traceback: KeyError DATABASE&#95;URL/);
      assert.match(markdown, /More: <code>wimpy logs --application-name/);
      assert.doesNotMatch(markdown, /the serving release is fine/);
      assert.match(markdown, /<code>\/wimpy\/staging\/awesome-application<\/code>/, 'the log group is named');
    }
  });

  test('a failure the logs cannot explain, or an unreadable log group, leaves the report as it was', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({ version: V1 }));
    aws.stacks.failApply(STACK);
    aws.logs.read = () => Promise.reject(new Error('AccessDeniedException'));
    const { report } = await aws.run(configOf({ version: V2 }));
    assert.equal(report.status, 'failure');
    assert.equal(report.bootLogs, undefined);
    assert.ok(aws.log.lines.some((line) => /^warning: The boot logs .* could not be read .*AccessDeniedException/.test(line)), aws.log.lines.join('\n'));
  });

  test('a successful deploy reads no log, and names the log group in its outputs', async () => {
    const aws = new FakeAws();
    const { outputs, report } = await aws.run(configOf({ version: V1 }));
    assert.equal(report.status, 'success');
    assert.deepEqual(aws.logs.queries, []);
    assert.equal(outputs['log-group'], '/wimpy/staging/awesome-application');
  });
});
