import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planRun, type Plan } from '../../src/engine/plan.js';
import type { Release } from '../../src/engine/releases.js';
import { commentBody } from '../../src/report/comment.js';
import { planMarkdown, releasesMarkdown } from '../../src/report/plan.js';
import { summaryMarkdown } from '../../src/report/summary.js';
import { configOf } from '../support/config.js';
import { APP, blueGreen, FakeAws, stagingRelease, V1, V2 } from '../support/fake-aws.js';
import { parseDiagram, type ParsedDiagram } from '../support/mermaid.js';
import { deployedReport } from '../support/run-reports.js';

// Issue 22: where each picture appears, drawn from the run's own data, beside its table.

const A = stagingRelease(V1);
const B = stagingRelease(V2);
const ALARM = 'awesome-application-5xx';

/** Every ```mermaid block of a Markdown body, parsed by Mermaid. */
async function diagramsIn(markdown: string): Promise<ParsedDiagram[]> {
  const blocks = markdown.match(/```mermaid\n[\s\S]*?\n```/g) ?? [];
  return Promise.all(blocks.map(parseDiagram));
}

/** The cost a stack's node shows: the plan's own estimate of it. */
const costOf = (plan: Plan, name: string) => `, ≈ ${plan.cost.stacks.find((stack) => stack.name === name)!.monthly.toFixed(2)} USD/month`;

const texts = (diagram: ParsedDiagram | undefined) => diagram?.nodes.map((node) => node.text) ?? [];

describe('the traffic over a blue-green run', () => {
  test('a canary of 10, 50 and 100: the summary draws each step with how long it was watched, then the same as a table', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1));
    const { report } = await aws.run(blueGreen(V2));
    const summary = summaryMarkdown(report);
    const [traffic] = await diagramsIn(summary);

    assert.deepEqual(texts(traffic), [
      `step 1\n${A} 90 %\n${B} 10 %\nwatched 1 min 0 s`,
      `step 2\n${A} 50 %\n${B} 50 %\nwatched 1 min 0 s`,
      `step 3\n${B} 100 %\n${A} 0 %`,
    ]);
    assert.ok(summary.includes(`| 1 | ${A} 90 %, ${B} 10 % | 1 min 0 s | held |`), 'the table says the same for screen readers');
  });

  test('a failed canary: the picture ends with the revert and the alarm that caused it', async () => {
    const aws = new FakeAws();
    aws.alarms.set(ALARM);
    await aws.run(blueGreen(V1, { 'alarm-names': ALARM }));
    aws.listeners.onChange((change) => {
      if (aws.namedWeights(change.targets)[B] === 10) aws.alarms.set(ALARM, 'ALARM', 'Threshold Crossed');
    });
    const { report } = await aws.run(blueGreen(V2, { 'alarm-names': ALARM }));
    const [traffic] = await diagramsIn(summaryMarkdown(report));

    assert.equal(report.status, 'failure');
    assert.deepEqual(texts(traffic), [`step 1\n${A} 90 %\n${B} 10 %\nwatched 0 s`, `all back\n${A} 100 %\n${B} 0 %`]);
    assert.deepEqual(traffic?.edges.map((edge) => edge.text), [`Alarm ${ALARM} is in ALARM: Threshold Crossed`]);
    assert.deepEqual(traffic?.nodes.at(-1)?.classes, ['reverted']);
  });

  test('a rolling run moves no traffic in steps and draws no traffic picture', async () => {
    const aws = new FakeAws();
    const { report } = await aws.run(configOf({ version: V1 }));
    assert.equal(report.trafficSteps, undefined);
    assert.ok(!summaryMarkdown(report).includes('Traffic over the run'));
  });
});

describe('the releases of a preview, in its pull request comment', () => {
  test('the hostname and the release that serves it', async () => {
    const [releases] = await diagramsIn(commentBody(deployedReport()));
    assert.equal(releases?.nodes[0]?.text, `${APP}-pr-2.armesto.net`);
    assert.deepEqual(releases?.nodes.slice(1).map((node) => [node.text, node.classes.join()]), [[`${APP}-pr-2-ec26c3e\nserving`, 'serving']]);
    assert.deepEqual(releases?.edges.map((edge) => edge.text), ['100 %']);
  });

  test('a canary left at 10 % is drawn as the canary beside the release that serves', async () => {
    const [releases] = await diagramsIn(commentBody(deployedReport({ traffic: [{ release: 'v1', weight: 90 }, { release: 'v2', weight: 10 }] })));
    assert.deepEqual(releases?.nodes.slice(1).map((node) => node.classes.join()), ['serving', 'canary']);
  });
});

describe('the plan', () => {
  test('draws every stack of the deploy in its wave; without the account, each is a stack to apply', async () => {
    const plan = planRun(configOf({ environment: 'production', strategy: 'blue-green', version: 'v142' }));
    const [stacks] = await diagramsIn(planMarkdown(plan));
    assert.deepEqual(stacks?.subgraphs.map((graph) => graph.title), [...new Set(plan.stacks.map((stack) => `wave ${stack.wave}`))]);
    assert.deepEqual(texts(stacks), plan.stacks.map((stack) => `${stack.name}\nto apply${costOf(plan, stack.name)}`));
  });

  test('with the account read, each stack says what will happen to it', async () => {
    const plan = planRun(configOf({ environment: 'production', strategy: 'blue-green', version: 'v142' }));
    const [base, network, balancer, resources, release] = plan.stacks.map((stack) => stack.name);
    const [stacks] = await diagramsIn(planMarkdown(plan, [
      { name: base!, outcome: 'unchanged', changes: [] },
      { name: network!, outcome: 'unchanged', changes: [] },
      { name: balancer!, outcome: 'unchanged', changes: [] },
      { name: resources!, outcome: 'planned', changes: [{ logicalId: 'Role', type: 'AWS::IAM::Role', action: 'Modify', replacement: 'True' }] },
      { name: release!, outcome: 'planned', changes: [{ logicalId: 'Fleet', type: 'AWS::AutoScaling::AutoScalingGroup', action: 'Add' }] },
    ]));
    assert.deepEqual(texts(stacks), [
      `${base}\nunchanged${costOf(plan, base!)}`,
      `${network}\nunchanged${costOf(plan, network!)}`,
      `${balancer}\nunchanged${costOf(plan, balancer!)}`,
      `${resources}\nupdate: 1 change, 1 replaced${costOf(plan, resources!)}`,
      `${release}\ncreate${costOf(plan, release!)}`,
    ]);
  });

  test('the release history read from the account: serving, canary, last good and old, with their ages', async () => {
    const now = new Date('2026-12-02T12:00:00Z');
    const release = (version: string, weight: number, health: Release['health'], hoursAgo: number): Release => ({
      version, stackName: `${APP}-production-${version}`, stackStatus: 'CREATE_COMPLETE', createdAt: new Date(now.getTime() - hoursAgo * 3_600_000),
      weight, hasRecord: true, ownLoadBalancer: false, health, reason: '', warm: true,
    });
    const markdown = releasesMarkdown([release('v4', 10, 'in-progress', 0.5), release('v3', 90, 'good', 30), release('v2', 0, 'good', 80), release('v1', 0, 'failed', 200)], `${APP}.armesto.net`, now);
    const [releases] = await diagramsIn(markdown);
    assert.deepEqual(texts(releases).slice(1), ['v4\ncanary, 30 min', 'v3\nserving, 30 h', 'v2\nlast good, 3 d', 'v1\nwarm, 8 d']);
    assert.ok(markdown.includes('| version | stack | status | weight | health | created |'), 'the table stays');
  });
});
