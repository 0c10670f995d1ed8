import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { environmentStack, logGroupName, resourcesStack } from '../../src/config/names.js';
import { KEEPS_LOG_GROUP } from '../../src/templates/resources.js';
import { configOf } from '../support/config.js';
import { APP, FakeAws, V1, V2, blueGreen } from '../support/fake-aws.js';

/** The environment's topic hears of every deploy, rollback and promote; logs outlive their stacks unless asked. */

const ALERTS = 'arn:aws:sns:eu-west-1:123456789012:alerts';
const topicOf = (aws: FakeAws, environment: string) => aws.stacks.get(environmentStack(environment))!.outputs.NotificationTopicArn!;

describe('notifications of deploys, rollbacks and promotes', () => {
  test("a deploy tells the environment's topic and the user's own topics its outcome, version and URL", async () => {
    const aws = new FakeAws();
    await aws.run(configOf({ version: V1, notify: `oncall@example.com\n${ALERTS}` }));

    assert.deepEqual(aws.notifications.published.map((message) => message.topicArn), [topicOf(aws, 'staging'), ALERTS]);
    const { notification } = aws.notifications.published[0]!;
    assert.equal(notification.subject, `[wimpy] ${APP} staging: deploy of ${V1} succeeded`);
    assert.match(notification.text, new RegExp(`^Outcome: succeeded\nApplication: ${APP}\nEnvironment: staging\nCommand: deploy\nVersion: ${V1}\nURL: https://${APP}-staging.armesto.net\n`));
    assert.deepEqual(notification.attributes, { application: APP, environment: 'staging', command: 'deploy', status: 'success' });
    const chatbot = JSON.parse(notification.structured) as { version: string; source: string; content: { title: string; description: string } };
    assert.deepEqual([chatbot.version, chatbot.source, chatbot.content.title], ['1.0', 'custom', `${APP} staging: deploy of ${V1} succeeded`]);
    assert.match(chatbot.content.description, /\*URL\*: https:\/\//);
  });

  test('a failed deploy says it failed, and why', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({ version: V1 }));
    aws.stacks.failApply(`${APP}-staging`, { logicalId: 'AutoScalingGroup', type: 'AWS::AutoScaling::AutoScalingGroup', reason: 'Received 0 SUCCESS signal(s) out of 1' });
    await aws.run(configOf({ version: V2 }));

    const last = aws.notifications.published.at(-1)!.notification;
    assert.equal(last.subject, `[wimpy] ${APP} staging: deploy of ${V2} FAILED`);
    assert.match(last.text, /Why: .*AutoScalingGroup .*Received 0 SUCCESS signal\(s\) out of 1/);
    assert.equal(last.attributes.status, 'failure');
  });

  test('a rollback and a promote each send one message', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1));
    await aws.run(blueGreen(V2, { 'canary-steps': '10' }));
    await aws.run(blueGreen('', { command: 'promote', 'canary-steps': '10,100' }));
    await aws.run(blueGreen('', { command: 'rollback' }));

    assert.deepEqual(aws.notifications.published.map((message) => message.notification.attributes.command), ['deploy', 'deploy', 'promote', 'rollback']);
    assert.match(aws.notifications.published[2]!.notification.subject, /promote of 2222222b+ succeeded$/);
    assert.match(aws.notifications.published[3]!.notification.subject, /rollback of 1111111a+ succeeded$/);
  });

  test('a topic that refuses the message is a warning, not a failed deploy', async () => {
    const aws = new FakeAws();
    aws.notifications.failing.add(ALERTS);
    const { report } = await aws.run(configOf({ version: V1, notify: ALERTS }));

    assert.equal(report.status, 'success');
    assert.equal(aws.notifications.published.length, 1);
    assert.ok(aws.log.lines.some((line) => line.startsWith(`warning: No notification reached ${ALERTS}: AuthorizationError`)), aws.log.lines.join('\n'));
  });

  test('a run in an account that allowed-account-ids refuses tells no one', async () => {
    const aws = new FakeAws();
    aws.identity.account = '999999999999';
    await aws.run(configOf({ version: V1, notify: ALERTS, 'allowed-account-ids': '123456789012' }));
    assert.deepEqual(aws.notifications.published, []);
  });

  test('a run that deploys nothing (steps without deploy) and a destroy send no message', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({ version: V1, steps: 'environment' }));
    await aws.run(configOf({ version: V1, command: 'destroy' }));
    assert.deepEqual(aws.notifications.published, []);
  });
});

describe('log groups kept beyond their stacks', () => {
  test('destroy keeps the log group unless destroy-logs asks for it', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({ version: V1 }));
    const kept = await aws.run(configOf({ version: V1, command: 'destroy' }));
    assert.deepEqual(aws.logGroups.removed, []);
    assert.ok(aws.log.lines.includes(`Kept the log group ${logGroupName(APP, 'staging')}: destroy-logs: true deletes it.`));
    assert.ok(!kept.report.stacks.some((stack) => stack.name === logGroupName(APP, 'staging')));

    await aws.run(configOf({ version: V1 }));
    const { report } = await aws.run(configOf({ version: V1, command: 'destroy', 'destroy-logs': 'true' }));
    assert.deepEqual(aws.logGroups.removed, [logGroupName(APP, 'staging')]);
    assert.equal(report.stacks.at(-1)!.name, logGroupName(APP, 'staging'));
  });

  test('a new resources stack adopts the log group an earlier one left, and keeps saying so', async () => {
    const aws = new FakeAws();
    aws.logGroups.groups.add(logGroupName(APP, 'staging'));
    await aws.run(configOf({ version: V1 }));
    assert.equal(aws.stacks.get(resourcesStack(APP, 'staging'))!.parameters[KEEPS_LOG_GROUP], 'true');

    // The stack keeps what it was created with, whatever CloudWatch Logs says later.
    aws.logGroups.groups.clear();
    const mark = aws.journal.length;
    await aws.run(configOf({ version: V1 }));
    assert.equal(aws.stacks.get(resourcesStack(APP, 'staging'))!.parameters[KEEPS_LOG_GROUP], 'true');
    assert.ok(!aws.since(mark).some((entry) => entry.startsWith('logGroups.')));
  });

  test('a first deploy with no log group left creates it with the stack', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({ version: V1 }));
    assert.equal(aws.stacks.get(resourcesStack(APP, 'staging'))!.parameters[KEEPS_LOG_GROUP], 'false');
  });
});
