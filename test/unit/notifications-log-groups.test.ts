import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudWatchLogsClient, DeleteLogGroupCommand, DescribeLogGroupsCommand, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { createLogGroups } from '../../src/aws/log-groups.js';
import { createNotifications } from '../../src/aws/notifications.js';

const settings = { region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
const snsClient = new SNSClient(settings);
const sns = mockClient(snsClient);
const logsClient = new CloudWatchLogsClient(settings);
const logs = mockClient(logsClient);
beforeEach(() => {
  sns.reset();
  logs.reset();
});

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:wimpy-staging-notifications';

describe('publishing a notification to SNS', () => {
  test('sends the plain text to e-mail and the Chatbot JSON to every other endpoint, with the subject and filterable attributes', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    await createNotifications(snsClient).publish(TOPIC, { subject: '[wimpy] shop staging: deploy of v1 succeeded', text: 'Outcome: succeeded', structured: '{"version":"1.0"}', attributes: { application: 'shop', status: 'success' } });
    assert.deepEqual(sns.commandCalls(PublishCommand).map((call) => call.args[0].input), [{
      TopicArn: TOPIC,
      Subject: '[wimpy] shop staging: deploy of v1 succeeded',
      MessageStructure: 'json',
      Message: JSON.stringify({ default: '{"version":"1.0"}', email: 'Outcome: succeeded\n' }),
      MessageAttributes: { application: { DataType: 'String', StringValue: 'shop' }, status: { DataType: 'String', StringValue: 'success' } },
    }]);
  });
});

describe('log groups', () => {
  test('a log group exists only when CloudWatch Logs lists its exact name', async () => {
    logs.on(DescribeLogGroupsCommand, { logGroupNamePrefix: '/wimpy/staging/shop' }).resolves({ logGroups: [{ logGroupName: '/wimpy/staging/shop-api' }] });
    assert.equal(await createLogGroups(logsClient).exists('/wimpy/staging/shop'), false);
    logs.on(DescribeLogGroupsCommand, { logGroupNamePrefix: '/wimpy/staging/shop' }).resolves({ logGroups: [{ logGroupName: '/wimpy/staging/shop' }] });
    assert.equal(await createLogGroups(logsClient).exists('/wimpy/staging/shop'), true);
  });

  test('removing a log group that is already gone is no error; any other error is', async () => {
    logs.on(DeleteLogGroupCommand).rejects(new ResourceNotFoundException({ message: 'The specified log group does not exist.', $metadata: {} }));
    await createLogGroups(logsClient).remove('/wimpy/staging/shop');
    assert.deepEqual(logs.commandCalls(DeleteLogGroupCommand).map((call) => call.args[0].input), [{ logGroupName: '/wimpy/staging/shop' }]);
    logs.on(DeleteLogGroupCommand).rejects(Object.assign(new Error('User is not authorized to perform: logs:DeleteLogGroup'), { name: 'AccessDeniedException' }));
    await assert.rejects(createLogGroups(logsClient).remove('/wimpy/staging/shop'), /not authorized/);
  });
});
