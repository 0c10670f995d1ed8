import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { commentBody } from '../../src/report/comment.js';
import { summaryMarkdown } from '../../src/report/summary.js';
import { blueGreen, FakeAws, stagingRelease, V1, V2 } from '../support/fake-aws.js';

/** The summary and the pull request comment list the processes besides web: name, size, and whether they are healthy. */

const WORKERS = { processes: 'worker=celery -A shop worker\nmailer=./bin/mailer', 'processes-sizes': 'worker=1-4 t3.medium', 'step-wait': '0' };
const states = (processes: readonly { name: string; size: string; state: string }[] | undefined) => processes?.map((one) => `${one.name} ${one.size} ${one.state}`);

describe('the processes in the summary and the pull request comment', () => {
  test('a release that serves lists each process with its size, healthy', async () => {
    const { report } = await new FakeAws().run(blueGreen(V1, WORKERS));
    assert.equal(report.status, 'success', report.message);
    assert.deepEqual(states(report.processes), ['worker 1-4 × t3.medium healthy', 'mailer 1 × t3.small healthy']);
    for (const markdown of [summaryMarkdown(report), commentBody(report)]) {
      assert.ok(markdown.includes('**Processes**\n\n| Process | Size | State |\n| --- | --- | --- |\n| <code>worker</code> | 1-4 × t3.medium | healthy |\n| <code>mailer</code> | 1 × t3.small | healthy |'), markdown);
    }
  });

  test('a release whose worker never becomes healthy names it unhealthy, and the others as rolled back with the release', async () => {
    const aws = new FakeAws();
    aws.stacks.failApply(stagingRelease(V1), { logicalId: 'ProcessWorkerGroup', reason: 'Received 0 SUCCESS signal(s) out of 1' });
    const { report } = await aws.run(blueGreen(V1, WORKERS));
    assert.equal(report.status, 'failure');
    assert.deepEqual(states(report.processes), ['worker 1-4 × t3.medium unhealthy', 'mailer 1 × t3.small rolled back']);
  });

  test('a rollback lists the groups it handed over: started in the release that has the traffic again, stopped in the one that left it', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1, WORKERS));
    await aws.run(blueGreen(V2, WORKERS));

    const { report } = await aws.run(blueGreen(V1, { ...WORKERS, command: 'rollback' }));

    assert.equal(report.status, 'success', report.message);
    const handed = report.processes?.map((one) => `${one.name} ${one.size} ${one.state} ${one.release}`).sort();
    assert.deepEqual(handed, [
      `mailer 0 instances stopped ${stagingRelease(V2)}`,
      `mailer 1 instance started ${stagingRelease(V1)}`,
      `worker 0 instances stopped ${stagingRelease(V2)}`,
      `worker 1-4 instances started ${stagingRelease(V1)}`,
    ]);
    assert.ok(summaryMarkdown(report).includes(`| <code>worker</code> | 1-4 instances | started in <code>${stagingRelease(V1)}</code> |`), summaryMarkdown(report));
  });

  test('a promote lists the groups of the release it left stopped', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1, WORKERS));
    await aws.run(blueGreen(V2, { ...WORKERS, 'canary-steps': '10' }));

    const { report } = await aws.run(blueGreen(V2, { ...WORKERS, command: 'promote' }));

    assert.equal(report.status, 'success', report.message);
    assert.deepEqual(report.processes?.map((one) => `${one.name} ${one.state} ${one.release}`).sort(), [`mailer stopped ${stagingRelease(V1)}`, `worker stopped ${stagingRelease(V1)}`]);
  });

  test('destroy lists them as removed; an application without processes lists none', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1, WORKERS));
    const gone = await aws.run(blueGreen(V1, { ...WORKERS, command: 'destroy' }));
    assert.equal(gone.report.status, 'success', gone.report.message);
    assert.deepEqual(states(gone.report.processes), ['worker 1-4 × t3.medium removed', 'mailer 1 × t3.small removed']);
    const { report } = await new FakeAws().run(blueGreen(V1));
    assert.equal(report.processes, undefined);
    assert.ok(!summaryMarkdown(report).includes('**Processes**'));
  });
});
