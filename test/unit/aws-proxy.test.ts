import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudFormationClient, DescribeStacksCommand, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeRepositoriesCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ChangeResourceRecordSetsCommand, GetChangeCommand, ListHostedZonesCommand, Route53Client } from '@aws-sdk/client-route-53';
import type { RetryErrorInfo, RetryErrorType, RetryStrategyV2, RetryToken } from '@smithy/types';
import { clientSettings } from '../../src/aws/client-config.js';
import { startAwsProxy } from '../support/aws-proxy.js';
import type { AwsProxy } from '../support/aws-proxy.js';

/** What the emulator received, to prove the proxy changes nothing on the way. */
interface Received {
  readonly method: string;
  readonly url: string;
  readonly rawHeaders: readonly string[];
  readonly body: string;
  readonly answered: string;
}

/**
 * The smallest valid answer of each protocol; the SDK parses it into an empty result. It is
 * not moto: these tests are about the proxy, and must run on any machine.
 */
function answer(req: http.IncomingMessage, body: string): { type: string; text: string } {
  if (req.headers['x-amz-target']) return { type: String(req.headers['content-type']), text: '{}' };
  const action = new URLSearchParams(body).get('Action');
  if (action) {
    return { type: 'text/xml', text: `<${action}Response xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><${action}Result/><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></${action}Response>` };
  }
  const route53 = 'xmlns="https://route53.amazonaws.com/doc/2013-04-01/"';
  if (req.method === 'GET' && req.url === '/2013-04-01/hostedzone') {
    return { type: 'text/xml', text: `<ListHostedZonesResponse ${route53}><HostedZones/><IsTruncated>false</IsTruncated><MaxItems>100</MaxItems></ListHostedZonesResponse>` };
  }
  return { type: 'text/xml', text: `<Response ${route53}><ChangeInfo><Id>/change/C1</Id><Status>INSYNC</Status><SubmittedAt>2026-01-01T00:00:00.000Z</SubmittedAt></ChangeInfo></Response>` };
}

async function startFakeAws(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const { type, text } = answer(req, body);
    received.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, body, answered: text });
    res.writeHead(200, { 'content-type': type, 'x-amzn-requestid': 'r' }).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The product's own client settings, pointed at the proxy. */
function sdkOptions(endpoint: string) {
  return {
    ...clientSettings({ AWS_REGION: 'us-east-1' }),
    endpoint,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  };
}

/** Wraps the SDK's own retry strategy to see how the SDK classified each failed attempt. */
class RecordingRetryStrategy implements RetryStrategyV2 {
  readonly errorTypes: RetryErrorType[] = [];

  constructor(private readonly inner: RetryStrategyV2) {}

  acquireInitialRetryToken(scope: string): Promise<RetryToken> {
    return this.inner.acquireInitialRetryToken(scope);
  }

  refreshRetryTokenForRetry(token: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
    this.errorTypes.push(info.errorType);
    return this.inner.refreshRetryTokenForRetry(token, info);
  }

  recordSuccess(token: RetryToken): void {
    this.inner.recordSuccess(token);
  }
}

type Options = ReturnType<typeof sdkOptions> & { retryStrategy?: RetryStrategyV2 };

/** A client with exactly the strategy the product's settings resolve to, recorded. */
async function recordedClient<C extends { config: { retryStrategy: () => Promise<unknown> } }>(make: (options: Options) => C, endpoint: string) {
  const resolved = await make(sdkOptions(endpoint)).config.retryStrategy();
  const recorder = new RecordingRetryStrategy(resolved as RetryStrategyV2);
  return { client: make({ ...sdkOptions(endpoint), retryStrategy: recorder }), recorder };
}

const cloudFormation = (options: Options) => new CloudFormationClient(options);
const ecr = (options: Options) => new ECRClient(options);
const route53 = (options: Options) => new Route53Client(options);

async function elapsed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

describe('the AWS proxy', () => {
  let fake: Awaited<ReturnType<typeof startFakeAws>>;
  const proxies: AwsProxy[] = [];
  const proxy = async (options: Omit<Parameters<typeof startAwsProxy>[0], 'target'> = {}) => {
    const started = await startAwsProxy({ target: fake.url, ...options });
    proxies.push(started);
    return started;
  };

  before(async () => {
    fake = await startFakeAws();
  });
  after(async () => {
    await Promise.all(proxies.map((started) => started.close()));
    await fake.close();
  });

  test('forwards method, path, query, headers (Host included) and body unchanged, and the answer back unchanged', async () => {
    const aws = await proxy();
    const headers = [
      'Host', 'cloudformation.us-east-1.amazonaws.com',
      'X-Amz-Date', '20260101T000000Z',
      'Authorization', 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/cloudformation/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123',
      'Content-Type', 'application/x-www-form-urlencoded',
      'Content-Length', '40',
    ];
    const body = 'Action=DescribeStacks&Version=2010-05-15';
    const reply = await new Promise<{ status: number; requestId: string; text: string }>((resolve, reject) => {
      const req = http.request(`${aws.url}/?probe=1`, { method: 'POST', headers, agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve({ status: res.statusCode ?? 0, requestId: String(res.headers['x-amzn-requestid']), text }));
      });
      req.on('error', reject).end(body);
    });
    const seen = fake.received.at(-1)!;
    assert.equal(seen.method, 'POST');
    assert.equal(seen.url, '/?probe=1');
    assert.deepEqual(seen.rawHeaders.slice(0, headers.length), headers);
    assert.equal(seen.body, body);
    assert.deepEqual(reply, { status: 200, requestId: 'r', text: seen.answered });
  });

  test('counts Query protocol calls (CloudFormation) by their Action', async () => {
    const aws = await proxy();
    const client = new CloudFormationClient(sdkOptions(aws.url));
    await client.send(new DescribeStacksCommand({}));
    await client.send(new DescribeStacksCommand({ StackName: 'app-staging' }));
    await client.send(new ListStacksCommand({}));
    assert.deepEqual(aws.stats().byApi, { 'cloudformation:DescribeStacks': 2, 'cloudformation:ListStacks': 1 });
    assert.equal(aws.stats().total, 3);
  });

  test('counts JSON protocol calls (ECR) by their X-Amz-Target', async () => {
    const aws = await proxy();
    const client = new ECRClient(sdkOptions(aws.url));
    await client.send(new DescribeRepositoriesCommand({}));
    await client.send(new GetAuthorizationTokenCommand({}));
    await client.send(new DescribeRepositoriesCommand({ repositoryNames: ['app'] }));
    assert.deepEqual(aws.stats().byApi, { 'ecr:DescribeRepositories': 2, 'ecr:GetAuthorizationToken': 1 });
  });

  test('counts REST calls (Route 53) by method and path pattern, identifiers folded', async () => {
    const aws = await proxy();
    const client = new Route53Client(sdkOptions(aws.url));
    const batch = { Changes: [{ Action: 'UPSERT' as const, ResourceRecordSet: { Name: 'app.example.com', Type: 'TXT' as const, TTL: 60, ResourceRecords: [{ Value: '"x"' }] } }] };
    await client.send(new ListHostedZonesCommand({}));
    await client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: 'Z0AAAAAAAAAAA', ChangeBatch: batch }));
    await client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: '/hostedzone/Z0BBBBBBBBBBB', ChangeBatch: batch }));
    await client.send(new GetChangeCommand({ Id: 'C1' }));
    assert.deepEqual(aws.stats().byApi, {
      'route53:GET /2013-04-01/hostedzone': 1,
      'route53:POST /2013-04-01/hostedzone/{id}/rrset': 2,
      'route53:GET /2013-04-01/change/{id}': 1,
    });
  });

  test('counts S3 calls by the operation the SDK names, else by method, folded path and subresource', async () => {
    const aws = await proxy();
    const client = new S3Client({ ...sdkOptions(aws.url), forcePathStyle: true });
    await client.send(new PutObjectCommand({ Bucket: 'wimpy-storage', Key: 'releases/app/v1.json', Body: '{}' }));
    await client.send(new PutObjectCommand({ Bucket: 'wimpy-storage', Key: 'releases/app/v2.json', Body: '{}' }));
    await client.send(new ListObjectsV2Command({ Bucket: 'wimpy-storage', Prefix: 'releases/' }));
    assert.deepEqual(aws.stats().byApi, { 's3:PutObject': 2, 's3:GET /{bucket}?list-type': 1 });
  });

  test('adds the fixed latency to every request', async () => {
    const aws = await proxy({ latencyMs: 150 });
    const client = new ECRClient(sdkOptions(aws.url));
    await client.send(new DescribeRepositoriesCommand({}));
    assert.ok((await elapsed(() => client.send(new DescribeRepositoriesCommand({})))) >= 150);
  });

  for (const [kind, status, names] of [
    ['throttle', 400, { query: 'Throttling', json: 'ThrottlingException', rest: 'Throttling' }],
    ['5xx', 503, { query: 'ServiceUnavailable', json: 'ServiceUnavailableException', rest: 'ServiceUnavailable' }],
  ] as const) {
    test(`answers a ${kind} fault with the error body each protocol's services send (${names.query}, ${names.json}, HTTP ${status})`, async () => {
      const aws = await proxy({ faults: { rate: 1, kinds: [kind], seed: 1 } });
      const once = { ...sdkOptions(aws.url), maxAttempts: 1 };
      const calls = {
        query: () => new CloudFormationClient(once).send(new DescribeStacksCommand({})),
        json: () => new ECRClient(once).send(new DescribeRepositoriesCommand({})),
        rest: () => new Route53Client(once).send(new ListHostedZonesCommand({})),
      };
      for (const [protocol, call] of Object.entries(calls)) {
        await assert.rejects(call(), (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
          assert.equal(error.name, names[protocol as keyof typeof names], protocol);
          assert.equal(error.$metadata?.httpStatusCode, status, protocol);
          return true;
        });
      }
      assert.equal(aws.stats().faultsByKind[kind], 3);
    });
  }

  test('with faults on a fifth of the requests, every call of the product\'s retrying clients succeeds, and the SDK classifies each fault as AWS\'s', async (t) => {
    const aws = await proxy({ faults: { rate: 0.2, kinds: ['throttle', '5xx', 'reset'], seed: 1 } });
    const clients = [
      { ...(await recordedClient(cloudFormation, aws.url)), call: (c: CloudFormationClient) => c.send(new DescribeStacksCommand({})) },
      { ...(await recordedClient(ecr, aws.url)), call: (c: ECRClient) => c.send(new DescribeRepositoriesCommand({})) },
      { ...(await recordedClient(route53, aws.url)), call: (c: Route53Client) => c.send(new ListHostedZonesCommand({})) },
    ] as const;
    const callsPerClient = 8;
    const attempts: number[] = [];
    await Promise.all(clients.map(async ({ client, call }) => {
      for (let i = 0; i < callsPerClient; i += 1) attempts.push((await (call as (c: typeof client) => Promise<{ $metadata: { attempts?: number } }>)(client)).$metadata.attempts ?? 0);
    }));
    const stats = aws.stats();
    const byKind = stats.faultsByKind;
    const recorded = clients.flatMap(({ recorder }) => recorder.errorTypes);
    const count = (type: RetryErrorType) => recorded.filter((recordedType) => recordedType === type).length;
    t.diagnostic(`calls ${attempts.length}, requests ${stats.total}, faults ${JSON.stringify(byKind)}, SDK classification ${JSON.stringify(recorded)}`);
    assert.equal(attempts.length, clients.length * callsPerClient);
    assert.ok(byKind.throttle > 0 && byKind['5xx'] > 0 && byKind.reset > 0, JSON.stringify(byKind));
    assert.ok(attempts.some((n) => n > 1));
    assert.equal(attempts.reduce((sum, n) => sum + n, 0), stats.total);
    assert.equal(stats.total - attempts.length, stats.faultsInjected);
    assert.equal(count('THROTTLING'), byKind.throttle);
    assert.equal(count('TRANSIENT'), byKind['5xx'] + byKind.reset);
    assert.equal(recorded.length, stats.faultsInjected);
  });

  test('the same seed injects the same faults in the same places', async () => {
    const outcomes = async (seed: number) => {
      const aws = await proxy({ faults: { rate: 0.3, kinds: ['throttle', '5xx', 'reset'], seed } });
      const seen: string[] = [];
      for (let i = 0; i < 30; i += 1) {
        seen.push(await new Promise<string>((resolve) => {
          http.get(`${aws.url}/2013-04-01/hostedzone`, { agent: false }, (res) => {
            res.resume().on('end', () => resolve(String(res.statusCode)));
          }).on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
        }));
      }
      return seen;
    };
    const first = await outcomes(7);
    assert.deepEqual(await outcomes(7), first);
    assert.notDeepEqual(await outcomes(8), first);
    assert.deepEqual(new Set(first), new Set(['200', '400', '503', 'ECONNRESET']));
  });

  test('a delay fault holds the answer, then forwards it: the call succeeds on its first attempt', async () => {
    const aws = await proxy({ faults: { rate: 1, kinds: ['delay'], seed: 3, delayMs: 300 } });
    const client = new CloudFormationClient(sdkOptions(aws.url));
    let attempts = 0;
    const took = await elapsed(async () => {
      attempts = (await client.send(new DescribeStacksCommand({}))).$metadata.attempts ?? 0;
    });
    assert.ok(took >= 300, `${took} ms`);
    assert.equal(attempts, 1);
    assert.equal(aws.stats().faultsByKind.delay, 1);
  });

  test('when down, every attempt is reset and the call fails with a connection error; back up, calls succeed again', async () => {
    const aws = await proxy({ down: true });
    // Three attempts, not the product's eight, to keep the backoff short.
    const client = new ECRClient({ ...sdkOptions(aws.url), maxAttempts: 3 });
    await assert.rejects(client.send(new DescribeRepositoriesCommand({})), (error: NodeJS.ErrnoException) => {
      assert.equal(error.code, 'ECONNRESET');
      return true;
    });
    assert.equal(aws.stats().refused, 3);
    aws.setDown(false);
    assert.equal((await client.send(new DescribeRepositoriesCommand({}))).$metadata.httpStatusCode, 200);
  });

  test('setFaults changes the plan while running, and resetStats starts the counts again', async () => {
    const aws = await proxy();
    const client = new ECRClient({ ...sdkOptions(aws.url), maxAttempts: 1 });
    // A 5xx, not a throttle: after a throttle the adaptive rate limiter holds the next call back.
    aws.setFaults({ rate: 1, kinds: ['5xx'], seed: 1 });
    await assert.rejects(client.send(new DescribeRepositoriesCommand({})), { name: 'ServiceUnavailableException' });
    aws.setFaults();
    aws.resetStats();
    await client.send(new DescribeRepositoriesCommand({}));
    assert.deepEqual({ total: aws.stats().total, faults: aws.stats().faultsInjected }, { total: 1, faults: 0 });
  });

  test('refuses to forward anywhere but this machine', async () => {
    for (const target of ['https://cloudformation.us-east-1.amazonaws.com', 'http://10.0.0.1:5000', 'http://169.254.169.254']) {
      await assert.rejects(startAwsProxy({ target }), /only forwards to an http emulator on this machine/);
    }
  });

  test('counts the most requests in flight at once', async () => {
    const aws = await proxy({ latencyMs: 50 });
    const client = new ECRClient(sdkOptions(aws.url));
    await Promise.all([1, 2, 3].map(() => client.send(new DescribeRepositoriesCommand({}))));
    assert.equal(aws.stats().peakInFlight, 3);
  });
});
