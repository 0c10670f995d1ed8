/**
 * The Locks port over one DynamoDB table of the account and region, `wimpy-locks`: one item per
 * application and environment. A conditional UpdateItem takes the lock (DynamoDB makes it
 * atomic), and its answer carries the record's departures, so a free lock costs one round trip.
 * The table is created by the first run that needs it (on-demand billing: a few requests per
 * run cost nothing measurable); two runs that create it at once both go on. It is not part of
 * the base stack because the lock must be held before the base stack is touched.
 */
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  GetItemCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { LastRun, LockClaim, LockHolder, Locks, RunEnding, TakeResult, TrafficRoute } from '../engine/lock.js';

export const LOCK_TABLE = 'wimpy-locks';
/** Records of environments nobody touched for this long are purged by DynamoDB's TTL. */
const PURGE_AFTER_SECONDS = 90 * 24 * 3600;
/** How long the first run waits for the table it created to become active. */
const TABLE_WAIT_SECONDS = 120;

type Item = Record<string, AttributeValue>;

/** Every attribute through a placeholder: some of their names are DynamoDB reserved words. */
const names = {
  '#pk': 'pk', '#token': 'token', '#holder': 'holder', '#command': 'command', '#version': 'version',
  '#since': 'since', '#expiresAt': 'expiresAt', '#purgeAt': 'purgeAt', '#departures': 'departures',
};
/** Not among `names`: DynamoDB refuses a request that names an attribute its expressions leave unused. */
const LAST_RUN = { '#lastRun': 'lastRun' };
const ROUTE = { '#route': 'route' };
const pick = (...keys: (keyof typeof names)[]) => Object.fromEntries(keys.map((name) => [name, names[name]]));
const purgeAt = (now: number) => ({ N: String(Math.floor(now / 1000) + PURGE_AFTER_SECONDS) });
const key = (lockKey: string) => ({ pk: { S: lockKey } });

function holderOf(item: Item | undefined): LockHolder | undefined {
  if (!item?.token?.S) return undefined;
  return {
    holder: item.holder?.S ?? 'unknown',
    command: item.command?.S ?? 'unknown',
    version: item.version?.S ?? '',
    since: Number(item.since?.N ?? 0),
    expiresAt: Number(item.expiresAt?.N ?? 0),
  };
}

function departuresOf(item: Item | undefined): Map<string, number> {
  return new Map(Object.entries(item?.departures?.M ?? {}).map(([stack, value]) => [stack, Number(value.N ?? 0)]));
}

function routeOf(item: Item | undefined): TrafficRoute | undefined {
  const map = item?.route?.M;
  return map?.hostname?.S && map.listenerArn?.S ? { hostname: map.hostname.S, listenerArn: map.listenerArn.S } : undefined;
}

const ENDINGS: readonly RunEnding[] = ['succeeded', 'failed', 'cancelled'];

/** The last run as the record keeps it: one map, written with the release that ends the run. */
function lastRunItem(last: LastRun): AttributeValue {
  return {
    M: {
      who: { S: last.who },
      command: { S: last.command },
      version: { S: last.version },
      stack: { S: last.stack },
      startedAt: { N: String(last.startedAt) },
      endedAt: { N: String(last.endedAt) },
      outcome: { S: last.outcome },
      ...(last.runUrl ? { runUrl: { S: last.runUrl } } : {}),
    },
  };
}

function lastRunOf(item: Item | undefined): LastRun | undefined {
  const map = item?.lastRun?.M;
  if (!map?.who?.S || !map.endedAt?.N) return undefined;
  const outcome = ENDINGS.find((ending) => ending === map.outcome?.S) ?? 'failed';
  return {
    who: map.who.S,
    command: map.command?.S ?? 'unknown',
    version: map.version?.S ?? '',
    stack: map.stack?.S ?? '',
    startedAt: Number(map.startedAt?.N ?? 0),
    endedAt: Number(map.endedAt.N),
    outcome,
    ...(map.runUrl?.S ? { runUrl: map.runUrl.S } : {}),
  };
}

export function createLocks(client: DynamoDBClient, table = LOCK_TABLE): Locks {
  let tableReady = false;

  async function ensureTable(signal?: AbortSignal): Promise<void> {
    const options = { abortSignal: signal };
    try {
      await client.send(new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        // Deleting the table while a run holds a lock would let a second run in.
        DeletionProtectionEnabled: true,
        Tags: [{ Key: 'wimpy:application', Value: 'wimpy' }, { Key: 'wimpy:environment', Value: 'account' }],
      }), options);
    } catch (error) {
      // Another run created it a moment ago: wait for it like our own.
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    await waitUntilTableExists({ client, maxWaitTime: TABLE_WAIT_SECONDS, ...(signal ? { abortSignal: signal } : {}) }, { TableName: table });
    try {
      await client.send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { Enabled: true, AttributeName: 'purgeAt' } }), options);
    } catch (error) {
      // Already on (another run turned it on): nothing to do.
      if (!/already enabled|TimeToLive is active/i.test((error as Error).message)) throw error;
    }
    tableReady = true;
  }

  /** Runs a request; a missing table is created once, then the request is sent again. */
  async function send<T>(request: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException) || tableReady) throw error;
      await ensureTable(signal);
      return request();
    }
  }

  return {
    async take(lockKey: string, claim: LockClaim, expiresAt: number, now: number, signal?: AbortSignal): Promise<TakeResult> {
      try {
        const answer = await send(() =>
          client.send(new UpdateItemCommand({
            TableName: table,
            Key: key(lockKey),
            UpdateExpression: 'SET #token = :token, #holder = :holder, #command = :command, #version = :version, #since = :since, #expiresAt = :expiresAt, #purgeAt = :purgeAt, #departures = if_not_exists(#departures, :none)',
            ConditionExpression: 'attribute_not_exists(#pk) OR attribute_not_exists(#token) OR #expiresAt < :now',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: {
              ':token': { S: claim.token },
              ':holder': { S: claim.holder },
              ':command': { S: claim.command },
              ':version': { S: claim.version },
              ':since': { N: String(claim.since) },
              ':expiresAt': { N: String(expiresAt) },
              ':purgeAt': purgeAt(now),
              ':none': { M: {} },
              ':now': { N: String(now) },
            },
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }), { abortSignal: signal }),
        signal);
        const route = routeOf(answer.Attributes);
        return { taken: true, departures: departuresOf(answer.Attributes), ...(route ? { route } : {}) };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // The refusal carries the holder; a store that leaves it out is asked once more.
        const item = error.Item ?? (await client.send(new GetItemCommand({ TableName: table, Key: key(lockKey), ConsistentRead: true }), { abortSignal: signal })).Item;
        const holder = holderOf(item);
        return { taken: false, ...(holder ? { holder } : {}) };
      }
    },

    async extend(lockKey, token, expiresAt) {
      try {
        await client.send(new UpdateItemCommand({
          TableName: table,
          Key: key(lockKey),
          UpdateExpression: 'SET #expiresAt = :expiresAt, #purgeAt = :purgeAt',
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: pick('#token', '#expiresAt', '#purgeAt'),
          ExpressionAttributeValues: { ':token': { S: token }, ':expiresAt': { N: String(expiresAt) }, ':purgeAt': purgeAt(expiresAt) },
        }));
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },

    async release(lockKey, token, last, signal, route) {
      try {
        // The record stays (it keeps the departures, the route and the last run): only the claim goes.
        const sets = [...(last ? ['#lastRun = :lastRun'] : []), ...(route ? ['#route = :route'] : [])];
        await client.send(new UpdateItemCommand({
          TableName: table,
          Key: key(lockKey),
          UpdateExpression: `${sets.length > 0 ? `SET ${sets.join(', ')} ` : ''}REMOVE #token, #holder, #command, #version, #since, #expiresAt`,
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { ...pick('#token', '#holder', '#command', '#version', '#since', '#expiresAt'), ...(last ? LAST_RUN : {}), ...(route ? ROUTE : {}) },
          ExpressionAttributeValues: {
            ':token': { S: token },
            ...(last ? { ':lastRun': lastRunItem(last) } : {}),
            ...(route ? { ':route': { M: { hostname: { S: route.hostname }, listenerArn: { S: route.listenerArn } } } } : {}),
          },
        }), { abortSignal: signal });
      } catch (error) {
        // No longer ours: another run took it over after our lease ran out; never free theirs.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },

    async lastRun(lockKey) {
      try {
        const answer = await client.send(new GetItemCommand({ TableName: table, Key: key(lockKey), ProjectionExpression: '#lastRun', ExpressionAttributeNames: LAST_RUN }));
        return lastRunOf(answer.Item);
      } catch (error) {
        // No table yet: no run has ever held a lock in this account and region.
        if (error instanceof ResourceNotFoundException) return undefined;
        throw error;
      }
    },

    async recordDepartures(lockKey, token, left, forget) {
      const gone = forget.filter((stack) => !left.has(stack));
      if (left.size === 0 && gone.length === 0) return;
      const attributeNames: Record<string, string> = pick('#token', '#departures');
      const values: Item = { ':token': { S: token } };
      const sets: string[] = [];
      const removes: string[] = [];
      [...left].forEach(([stack, at], i) => {
        attributeNames[`#s${i}`] = stack;
        values[`:s${i}`] = { N: String(at) };
        sets.push(`#departures.#s${i} = :s${i}`);
      });
      gone.forEach((stack, i) => {
        attributeNames[`#r${i}`] = stack;
        removes.push(`#departures.#r${i}`);
      });
      await client.send(new UpdateItemCommand({
        TableName: table,
        Key: key(lockKey),
        UpdateExpression: [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : ''].filter(Boolean).join(' '),
        ConditionExpression: '#token = :token',
        ExpressionAttributeNames: attributeNames,
        ExpressionAttributeValues: values,
      }));
    },
  };
}
