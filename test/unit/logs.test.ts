import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { createLogs } from '../../src/aws/logs.js';
import { formatLogLine, logQuery, readLogs, type LogLine } from '../../src/engine/logs.js';
import { logsMarkdown } from '../../src/report/logs.js';
import { configOf } from '../support/config.js';
import { FakeAws, V1, V2 } from '../support/fake-aws.js';

const GROUP = '/wimpy/staging/awesome-application';
const HOUR = 3_600_000;

/** An account whose staging group holds lines of two releases, two sources and a preview. */
function account(): FakeAws {
  const aws = new FakeAws();
  const now = aws.clock.now();
  aws.logs.write(`staging/${V1}/i-0old/web`, now - 2 * HOUR, 'too old for the default hour');
  aws.logs.write(`staging/${V1}/i-0aaa/web`, now - 30 * 60_000, 'GET / 200', 'GET /health 200');
  aws.logs.write(`staging/${V2}/i-0bbb/boot`, now - 20 * 60_000, 'pulling image');
  aws.logs.write(`staging/${V2}/i-0bbb/web`, now - 10 * 60_000, 'ERROR boom');
  aws.logs.write(`pr-7/${V2}/i-0ccc/web`, now - 5 * 60_000, 'a preview line');
  aws.logs.write('0123456789abcdef', now - 5 * 60_000, 'a stream of a container started before streams were named');
  return aws;
}

async function read(aws: FakeAws, inputs: Record<string, string>): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  await readLogs(configOf({ command: 'logs', ...inputs }), aws, { onLine: (line) => lines.push(line) });
  return lines;
}

describe('logs', () => {
  test('reads the last hour of the environment by default, oldest first, each line with its time, release, instance and source', async () => {
    const aws = account();
    const lines = await read(aws, {});
    assert.deepEqual(lines.map((line) => [line.release, line.instance, line.source, line.message]), [
      [V1, 'i-0aaa', 'web', 'GET / 200'],
      [V1, 'i-0aaa', 'web', 'GET /health 200'],
      [V2, 'i-0bbb', 'boot', 'pulling image'],
      [V2, 'i-0bbb', 'web', 'ERROR boom'],
    ]);
    assert.deepEqual(aws.logs.queries, [{ group: GROUP, streamPrefix: 'staging/', start: aws.clock.now() - HOUR }]);
    assert.equal(formatLogLine(lines[3]!), `${new Date(aws.clock.now() - 10 * 60_000).toISOString()} ${V2} i-0bbb web | ERROR boom`);
  });

  test('--since takes an age or a timestamp', async () => {
    const aws = account();
    assert.deepEqual((await read(aws, { since: '15m' })).map((line) => line.message), ['ERROR boom']);
    assert.deepEqual((await read(aws, { since: '3h' })).map((line) => line.message)[0], 'too old for the default hour');
    const at = new Date(aws.clock.now() - 25 * 60_000).toISOString();
    assert.deepEqual((await read(aws, { since: at })).map((line) => line.message), ['pulling image', 'ERROR boom']);
  });

  test('--release reads one release\'s streams only; a short commit SHA names its full version', async () => {
    const aws = account();
    assert.deepEqual((await read(aws, { release: V2 })).map((line) => line.message), ['pulling image', 'ERROR boom']);
    assert.equal(aws.logs.queries.at(-1)!.streamPrefix, `staging/${V2}/`);
    assert.deepEqual((await read(aws, { release: V1.slice(0, 7) })).map((line) => line.message), ['GET / 200', 'GET /health 200']);
    assert.equal(aws.logs.queries.at(-1)!.streamPrefix, `staging/${V1.slice(0, 7)}`);
  });

  test('--process web leaves out the boot output; --filter is passed to CloudWatch as the pattern', async () => {
    const aws = account();
    assert.deepEqual((await read(aws, { process: 'web', release: V2 })).map((line) => line.message), ['ERROR boom']);
    assert.deepEqual((await read(aws, { filter: 'ERROR' })).map((line) => line.message), ['ERROR boom']);
    assert.equal(aws.logs.queries.at(-1)!.filter, 'ERROR');
  });

  test('--process schedule and --process release read the one-off tasks, whose streams ECS names container first; the task is the line\'s instance', async () => {
    const aws = account();
    const now = aws.clock.now();
    aws.logs.write(`staging/${V2}/schedule/4f1c0ffee`, now - 3 * 60_000, 'nightly report sent');
    aws.logs.write(`staging/${V2}/release/9a2beef`, now - 15 * 60_000, 'migrated 3 tables');
    assert.deepEqual((await read(aws, { process: 'schedule' })).map((line) => [line.release, line.instance, line.source, line.message]), [[V2, '4f1c0ffee', 'schedule', 'nightly report sent']]);
    assert.deepEqual((await read(aws, { process: 'release' })).map((line) => [line.instance, line.message]), [['9a2beef', 'migrated 3 tables']]);
    assert.deepEqual((await read(aws, { process: 'web', release: V2 })).map((line) => line.message), ['ERROR boom']);
  });

  test('a preview reads its own streams in staging\'s group', () => {
    const config = configOf({ command: 'logs' }, { sha: V2, intent: { kind: 'preview-deploy', pullRequest: 7 } });
    assert.deepEqual(logQuery(config, 1_000_000_000), { group: GROUP, streamPrefix: 'pr-7/', start: 1_000_000_000 - HOUR });
  });

  test('--follow prints each new line once, until interrupted', async () => {
    const aws = account();
    const stop = new AbortController();
    const lines: string[] = [];
    let polls = 0;
    const logs = {
      read: async (query: Parameters<FakeAws['logs']['read']>[0]) => {
        polls += 1;
        if (polls === 2) aws.logs.write(`staging/${V2}/i-0bbb/web`, aws.clock.now(), 'a new line');
        if (polls === 3) stop.abort();
        return aws.logs.read(query);
      },
    };
    await readLogs(configOf({ command: 'logs', release: V2 }), { logs, clock: aws.clock }, { follow: true, signal: stop.signal, onLine: (line) => lines.push(line.message) });
    assert.deepEqual(lines, ['pulling image', 'ERROR boom', 'a new line']);
    assert.equal(polls, 3);
  });

  test('the summary names the group and shows the newest lines, escaped', async () => {
    const aws = account();
    aws.logs.write(`staging/${V2}/i-0bbb/web`, aws.clock.now() - 1000, '<script>alert(1)</script> @team');
    const config = configOf({ command: 'logs', release: V2 });
    const result = await readLogs(config, aws, { onLine: () => undefined });
    const markdown = logsMarkdown(config, result);
    assert.match(markdown, /3 lines from <code>\/wimpy\/staging\/awesome-application<\/code>/);
    assert.match(markdown, /ERROR boom/);
    assert.match(markdown, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &#64;team/);
    assert.doesNotMatch(markdown, /<script>/);
  });
});

describe('the CloudWatch Logs adapter', () => {
  const client = new CloudWatchLogsClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const cloudwatchLogs = mockClient(client);
  beforeEach(() => cloudwatchLogs.reset());

  test('reads every page of FilterLogEvents with the group, stream prefix, start and pattern, and orders the events by time', async () => {
    cloudwatchLogs.on(FilterLogEventsCommand)
      .resolvesOnce({ events: [{ eventId: 'b', timestamp: 20, logStreamName: 's/v/i/web', message: 'second' }], nextToken: 'page-2' })
      .resolvesOnce({ events: [{ eventId: 'a', timestamp: 10, logStreamName: 's/v/i/boot', message: 'first' }] });
    const events = await createLogs(client).read({ group: GROUP, streamPrefix: 'staging/', start: 5, filter: 'ERROR' });
    assert.deepEqual(events.map((event) => [event.id, event.timestamp, event.stream, event.message]), [['a', 10, 's/v/i/boot', 'first'], ['b', 20, 's/v/i/web', 'second']]);
    // The paginator reuses one input object, adding the token: compare what every call shares.
    const calls = cloudwatchLogs.commandCalls(FilterLogEventsCommand).map((call) => call.args[0].input);
    assert.equal(calls.length, 2);
    for (const { nextToken: _token, limit: _limit, ...input } of calls) {
      assert.deepEqual(input, { logGroupName: GROUP, logStreamNamePrefix: 'staging/', startTime: 5, filterPattern: 'ERROR' });
    }
    assert.equal(calls[1]!.nextToken, 'page-2');
  });
});
