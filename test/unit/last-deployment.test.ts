import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, ResourceNotFoundException, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createLocks } from '../../src/aws/locks.js';
import type { LastRun } from '../../src/engine/lock.js';
import { readStatus } from '../../src/engine/status.js';
import { statusMarkdown, statusText } from '../../src/report/status.js';
import { configOf } from '../support/config.js';
import { APP, blueGreen, FakeAws, START, stagingRelease, V1, V2 } from '../support/fake-aws.js';

/** `status` tells the last deployment: who, when, from which run, as the lock's record keeps it. */

const KEY = `${APP}/staging`;
const RUN_URL = 'https://github.com/acme/shop/actions/runs/42';
const noInstances = { groups: async () => [] };

describe('the last run, kept by the lock', () => {
  test('a deploy that lets go of the lock leaves who ran it, what, the release, when and from which run', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1), { logUrl: RUN_URL, who: 'octocat' });

    const last = aws.locks.records.get(KEY)?.lastRun;
    assert.ok(last);
    assert.deepEqual({ ...last, endedAt: undefined }, { who: 'octocat', command: 'deploy', version: V1, stack: stagingRelease(V1), startedAt: START, endedAt: undefined, outcome: 'succeeded', runUrl: RUN_URL });
    assert.ok(last.endedAt > last.startedAt);
  });

  test('a rollback is kept with the release it went back to; a failed run with its outcome', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1));
    await aws.run(blueGreen(V2));
    await aws.run(configOf({ strategy: 'blue-green', command: 'rollback' }), { who: 'hubot' });
    assert.deepEqual([aws.locks.records.get(KEY)?.lastRun?.command, aws.locks.records.get(KEY)?.lastRun?.version, aws.locks.records.get(KEY)?.lastRun?.who], ['rollback', V1, 'hubot']);

    await aws.run(configOf({ strategy: 'blue-green', command: 'promote' }));
    assert.equal(aws.locks.records.get(KEY)?.lastRun?.outcome, 'failed', 'no canary to promote: the run failed');
  });
});

describe('status tells the last deployment', () => {
  test('from the lock: by whom, which command and release, how it ended, when, and the run; in the terminal, the summary and --json', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1), { logUrl: RUN_URL, who: 'octocat' });

    const status = await readStatus(configOf({ command: 'status' }), { ...aws, instances: noInstances });

    const ended = new Date(aws.locks.records.get(KEY)!.lastRun!.endedAt).toISOString();
    assert.deepEqual(status.lastDeployment, { version: V1, stack: stagingRelease(V1), at: ended, by: 'octocat', command: 'deploy', outcome: 'succeeded', startedAt: new Date(START).toISOString(), runUrl: RUN_URL });
    assert.ok(aws.journal.includes(`locks.lastRun ${KEY}`));
    assert.match(statusText(status), new RegExp(`Last deployment: deploy 1111111 \\(${stagingRelease(V1)}\\) by octocat, succeeded at ${ended}, run ${RUN_URL}`));
    assert.ok(statusMarkdown(status).includes(`| **Last deployment** | deploy <code>1111111</code> by octocat, succeeded at ${ended} (<a href="${RUN_URL}">workflow run</a>) |`), statusMarkdown(status));
    assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(status)).lastDeployment).sort(), ['at', 'by', 'command', 'outcome', 'runUrl', 'stack', 'startedAt', 'version']);
  });

  test('without a record (stacks deployed before the lock kept runs), from the newest release stack: version, stack and time only', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1));
    aws.locks.records.delete(KEY);

    const status = await readStatus(configOf({ command: 'status' }), { ...aws, instances: noInstances });

    assert.deepEqual(Object.keys(status.lastDeployment ?? {}).sort(), ['at', 'stack', 'version']);
    assert.equal(status.lastDeployment?.version, V1);
  });
});

describe('the last run in DynamoDB', () => {
  const LAST: LastRun = { who: 'octocat', command: 'deploy', version: 'v1.4.2', stack: 'shop-staging-v1.4.2', startedAt: 1_000, endedAt: 61_000, outcome: 'succeeded', runUrl: RUN_URL };
  const mocked = () => {
    const client = new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    return { client, dynamodb: mockClient(client) };
  };

  test('is written by the release that frees the lock, in the same conditional UpdateItem', async () => {
    const { client, dynamodb } = mocked();
    dynamodb.on(UpdateItemCommand).resolves({});
    await createLocks(client).release('shop/staging', 'token-1', LAST);

    const input = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    assert.equal(input.UpdateExpression, 'SET #lastRun = :lastRun REMOVE #token, #holder, #command, #version, #since, #expiresAt');
    assert.equal(input.ConditionExpression, '#token = :token');
    assert.deepEqual(input.ExpressionAttributeValues?.[':lastRun'], {
      M: { who: { S: 'octocat' }, command: { S: 'deploy' }, version: { S: 'v1.4.2' }, stack: { S: 'shop-staging-v1.4.2' }, startedAt: { N: '1000' }, endedAt: { N: '61000' }, outcome: { S: 'succeeded' }, runUrl: { S: RUN_URL } },
    });
  });

  test('is read back with one GetItem of that attribute', async () => {
    const { client, dynamodb } = mocked();
    dynamodb.on(UpdateItemCommand).resolves({});
    await createLocks(client).release('shop/staging', 'token-1', LAST);
    const written = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input.ExpressionAttributeValues![':lastRun']!;
    dynamodb.on(GetItemCommand).resolves({ Item: { lastRun: written } });

    assert.deepEqual(await createLocks(client).lastRun('shop/staging'), LAST);
    assert.deepEqual(dynamodb.commandCalls(GetItemCommand)[0]!.args[0].input, { TableName: 'wimpy-locks', Key: { pk: { S: 'shop/staging' } }, ProjectionExpression: '#lastRun', ExpressionAttributeNames: { '#lastRun': 'lastRun' } });
  });

  test('an account without the table has no last run, and status creates no table', async () => {
    const { client, dynamodb } = mocked();
    dynamodb.on(GetItemCommand).rejects(new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} }));

    assert.equal(await createLocks(client).lastRun('shop/staging'), undefined);
    assert.equal(dynamodb.commandCalls(CreateTableCommand).length, 0);
  });
});
