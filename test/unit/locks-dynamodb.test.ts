import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createLocks, LOCK_TABLE } from '../../src/aws/locks.js';
import { startSilentEndpoint } from '../support/silent-endpoint.js';

/** The lock table as DynamoDB is asked: conditional writes, exact inputs. */

const KEY = 'shop/staging';
const CLAIM = { token: 'token-1', holder: 'https://github.com/acme/shop/actions/runs/42', command: 'deploy', version: 'v1.4.2', since: 1_000 };
const NOW = 1_780_000_000_000;

function mocked() {
  const client = new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  return { client, dynamodb: mockClient(client) };
}

const conditionFailed = (item?: Record<string, unknown>) => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, ...(item ? { Item: item as never } : {}) });

describe('the DynamoDB lock', () => {
  test('takes a free lock in one conditional UpdateItem whose answer carries the departures', async () => {
    const { client, dynamodb } = mocked();
    dynamodb.on(UpdateItemCommand).resolves({ Attributes: { pk: { S: KEY }, departures: { M: { 'shop-staging-1111111': { N: '5' } } } } });

    const answer = await createLocks(client).take(KEY, CLAIM, NOW + 180_000, NOW);

    assert.deepEqual(answer, { taken: true, departures: new Map([['shop-staging-1111111', 5]]) });
    assert.equal(dynamodb.calls().length, 1, 'one round trip');
    const input = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    assert.equal(input.TableName, LOCK_TABLE);
    assert.deepEqual(input.Key, { pk: { S: KEY } });
    assert.equal(input.ConditionExpression, 'attribute_not_exists(#pk) OR attribute_not_exists(#token) OR #expiresAt < :now');
    assert.deepEqual(input.ExpressionAttributeValues?.[':now'], { N: String(NOW) });
    assert.deepEqual(input.ExpressionAttributeValues?.[':expiresAt'], { N: String(NOW + 180_000) });
    assert.equal(input.ReturnValuesOnConditionCheckFailure, 'ALL_OLD');
  });

  test('a held lock answers who holds it, from the refusal itself', async () => {
    const { client, dynamodb } = mocked();
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed({ token: { S: 'other' }, holder: { S: 'alice@laptop (terminal)' }, command: { S: 'rollback' }, version: { S: 'v1' }, since: { N: '7' }, expiresAt: { N: '9' } }));

    const answer = await createLocks(client).take(KEY, CLAIM, NOW + 180_000, NOW);

    assert.deepEqual(answer, { taken: false, holder: { holder: 'alice@laptop (terminal)', command: 'rollback', version: 'v1', since: 7, expiresAt: 9 } });
  });

  test('creates the table on demand (on-demand billing, deletion protection, TTL) and takes the lock', async () => {
    const { client, dynamodb } = mocked();
    dynamodb.on(UpdateItemCommand).rejectsOnce(new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} })).resolves({ Attributes: {} });
    dynamodb.on(CreateTableCommand).resolves({});
    dynamodb.on(DescribeTableCommand).resolves({ Table: { TableStatus: 'ACTIVE' } });
    dynamodb.on(UpdateTimeToLiveCommand).resolves({});

    const answer = await createLocks(client).take(KEY, CLAIM, NOW + 180_000, NOW);

    assert.equal(answer.taken, true);
    const create = dynamodb.commandCalls(CreateTableCommand)[0]!.args[0].input;
    assert.equal(create.BillingMode, 'PAY_PER_REQUEST');
    assert.equal(create.DeletionProtectionEnabled, true);
    assert.deepEqual(dynamodb.commandCalls(UpdateTimeToLiveCommand)[0]!.args[0].input.TimeToLiveSpecification, { Enabled: true, AttributeName: 'purgeAt' });
    assert.equal(dynamodb.commandCalls(UpdateItemCommand).length, 2);
  });

  test('two runs creating the table at once both go on: the one that lost the race waits for it', async () => {
    const { client, dynamodb } = mocked();
    dynamodb.on(UpdateItemCommand).rejectsOnce(new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} })).resolves({ Attributes: {} });
    dynamodb.on(CreateTableCommand).rejects(new ResourceInUseException({ message: 'Table already exists: wimpy-locks', $metadata: {} }));
    dynamodb.on(DescribeTableCommand).resolves({ Table: { TableStatus: 'ACTIVE' } });
    dynamodb.on(UpdateTimeToLiveCommand).rejects(new Error('TimeToLive is already enabled'));

    assert.equal((await createLocks(client).take(KEY, CLAIM, NOW + 180_000, NOW)).taken, true);
  });

  test('extends and releases only under its own token; a lock taken over is never freed by the run that lost it', async () => {
    const { client, dynamodb } = mocked();
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed());
    const locks = createLocks(client);

    assert.equal(await locks.extend(KEY, 'token-1', NOW), false);
    await locks.release(KEY, 'token-1');
    for (const call of dynamodb.commandCalls(UpdateItemCommand)) {
      assert.equal(call.args[0].input.ConditionExpression, '#token = :token');
      assert.deepEqual(call.args[0].input.ExpressionAttributeValues?.[':token'], { S: 'token-1' });
    }
  });

  test('keeps where the hostname is switched in the write that releases the lock, and gives it back in the answer that takes it', async () => {
    const { client, dynamodb } = mocked();
    const route = { hostname: 'shop-staging.example.com', listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop-staging/1/2' };
    dynamodb.on(UpdateItemCommand).resolves({ Attributes: { pk: { S: KEY }, route: { M: { hostname: { S: route.hostname }, listenerArn: { S: route.listenerArn } } } } });
    const locks = createLocks(client);

    await locks.release(KEY, 'token-1', undefined, undefined, route);
    const answer = await locks.take(KEY, CLAIM, NOW + 180_000, NOW);

    const release = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    assert.equal(release.UpdateExpression, 'SET #route = :route REMOVE #token, #holder, #command, #version, #since, #expiresAt');
    assert.deepEqual(release.ExpressionAttributeValues?.[':route'], { M: { hostname: { S: route.hostname }, listenerArn: { S: route.listenerArn } } });
    assert.deepEqual(answer, { taken: true, departures: new Map(), route });
    assert.equal(dynamodb.calls().length, 2, 'no request of its own');
  });

  test('records and forgets departures in one conditional write', async () => {
    const { client, dynamodb } = mocked();
    dynamodb.on(UpdateItemCommand).resolves({});
    await createLocks(client).recordDepartures(KEY, 'token-1', new Map([['shop-staging-2222222', 42]]), ['shop-staging-1111111']);
    const input = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    assert.equal(input.UpdateExpression, 'SET #departures.#s0 = :s0 REMOVE #departures.#r0');
    assert.equal(input.ExpressionAttributeNames?.['#s0'], 'shop-staging-2222222');
    assert.equal(input.ExpressionAttributeNames?.['#r0'], 'shop-staging-1111111');
    assert.equal(input.ConditionExpression, '#token = :token');
  });
});

describe('the DynamoDB lock, cancelled', () => {
  /** A lock table whose requests get no answer: only the signal can end the wait. */
  async function silentLocks() {
    const endpoint = await startSilentEndpoint();
    const client = new DynamoDBClient({ region: 'eu-west-1', endpoint: endpoint.url, maxAttempts: 1, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    return { locks: createLocks(client), endpoint };
  }

  test('a take whose request hangs stops when its signal is aborted', { timeout: 10_000 }, async () => {
    const { locks, endpoint } = await silentLocks();
    const cancel = new AbortController();
    try {
      const taking = locks.take(KEY, CLAIM, NOW + 180_000, NOW, cancel.signal);
      await until(() => endpoint.requests.length > 0);
      cancel.abort();
      await assert.rejects(taking, { name: 'AbortError' });
    } finally {
      await endpoint.close();
    }
  });

  test('a release whose request hangs stops when its signal is aborted', { timeout: 10_000 }, async () => {
    const { locks, endpoint } = await silentLocks();
    const cancel = new AbortController();
    try {
      const releasing = locks.release(KEY, CLAIM.token, undefined, cancel.signal);
      await until(() => endpoint.requests.length > 0);
      cancel.abort();
      await assert.rejects(releasing, { name: 'AbortError' });
    } finally {
      await endpoint.close();
    }
  });
});

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
