import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A proxy between the SDK clients and an AWS emulator on this machine: it counts every call by
 * API, adds network latency, and injects the faults AWS really produces (throttling, 5xx,
 * dropped connections, slow answers) on a seeded, reproducible share of the calls. It forwards
 * requests byte for byte, so SigV4 signatures stay valid, and it only ever talks to a loopback
 * target.
 */

export type FaultKind = 'throttle' | '5xx' | 'reset' | 'delay';

export interface Faults {
  /** The share of requests that get a fault, from 0 to 1. */
  readonly rate: number;
  /** The kinds drawn from, with equal chance. */
  readonly kinds: readonly FaultKind[];
  /** The same seed and the same sequence of requests give the same faults. */
  readonly seed: number;
  /** How long a `delay` fault holds the answer; 2 s unless given. */
  readonly delayMs?: number;
}

export interface AwsProxyOptions {
  /** The emulator, e.g. http://127.0.0.1:5000; only loopback addresses are accepted. */
  readonly target: string;
  /** Added before every request is answered, as a distant region would. */
  readonly latencyMs?: number;
  readonly faults?: Faults;
  /** Every request is read, counted and answered by a connection reset. */
  readonly down?: boolean;
  /**
   * Called once the emulator has answered a request and before the client gets the answer: a
   * test reads the account there as the run leaves it after each step, while the run waits.
   */
  readonly afterAnswer?: (call: ProxiedCall) => Promise<void>;
  /**
   * Query-protocol operations (by `<service>:<operation>`) that the proxy answers itself, for an
   * operation the emulator lacks (see emulator-gaps.ts); counted like every other call.
   */
  readonly standIns?: Readonly<Record<string, StandIn>>;
}

/** An answer the proxy gives in the emulator's place. */
export interface StandInAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Answers one query-protocol operation from its form parameters. */
export type StandIn = (params: URLSearchParams) => Promise<StandInAnswer>;

export interface AwsProxyStats {
  /** Every request received, whatever happened to it. */
  readonly total: number;
  /** Requests by `<service>:<operation>`, e.g. `cloudformation:DescribeStacks`, `s3:PutObject`, `route53:POST /2013-04-01/hostedzone/{id}/rrset`. */
  readonly byApi: Readonly<Record<string, number>>;
  readonly faultsInjected: number;
  readonly faultsByKind: Readonly<Record<FaultKind, number>>;
  /** Requests reset because the proxy was down. */
  readonly refused: number;
  /** The most requests that were in flight at the same time. */
  readonly peakInFlight: number;
}

/** One request as it passed, in order: its API and, for CloudFormation, the stack it names. */
export interface ProxiedCall {
  readonly api: string;
  readonly stackName?: string;
}

export interface AwsProxy {
  /** The endpoint to give the SDK clients (`endpoint` option or `AWS_ENDPOINT_URL`). */
  readonly url: string;
  stats(): AwsProxyStats;
  /** Every request since the start or the last resetStats, in the order received. */
  calls(): readonly ProxiedCall[];
  resetStats(): void;
  /** Replaces the fault plan and restarts its random sequence; no argument stops faults. */
  setFaults(faults?: Faults): void;
  setDown(down: boolean): void;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const ROUTE53_XMLNS = 'https://route53.amazonaws.com/doc/2013-04-01/';

/** mulberry32: tiny, fast, and good enough to spread faults evenly. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Protocol = 'query' | 'json' | 'route53' | 's3' | 'rest-xml';

interface Call {
  readonly api: string;
  readonly protocol: Protocol;
}

/** Route 53 path segments after which the next segment is an identifier. */
const ROUTE53_ID_AFTER = new Set(['hostedzone', 'change', 'healthcheck', 'delegationset', 'trafficpolicy', 'trafficpolicyinstance', 'queryloggingconfig', 'keysigningkey']);

function restPattern(path: string, protocol: Protocol): string {
  const segments = path.split('/').filter((segment) => segment !== '');
  if (protocol === 's3') return ['/', '/{bucket}', '/{bucket}/{key}'][Math.min(segments.length, 2)]!;
  return `/${segments.map((segment, i) => (i > 0 && ROUTE53_ID_AFTER.has(segments[i - 1]!) && !ROUTE53_ID_AFTER.has(segment) ? '{id}' : segment)).join('/')}`;
}

/** The SigV4 credential scope names the service: `Credential=KEY/DATE/REGION/SERVICE/aws4_request`. */
function serviceOf(headers: http.IncomingHttpHeaders): string {
  return /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(headers.authorization ?? '')?.[1] ?? '';
}

function callOf(method: string, url: string, headers: http.IncomingHttpHeaders, body: Buffer): Call {
  const service = serviceOf(headers);
  const named = (operation: string) => (service ? `${service}:${operation}` : operation);
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return { api: named(target.slice(target.lastIndexOf('.') + 1)), protocol: 'json' };
  const [path = '/', query = ''] = url.split('?', 2);
  const form = String(headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') ? body.toString('utf8') : '';
  const action = new URLSearchParams(form).get('Action') ?? new URLSearchParams(query).get('Action');
  if (action) return { api: named(action), protocol: 'query' };
  const protocol: Protocol = service === 's3' ? 's3' : service === 'route53' || path.startsWith('/2013-04-01/') ? 'route53' : 'rest-xml';
  if (protocol !== 's3') return { api: named(`${method} ${restPattern(path, protocol)}`), protocol };
  // The SDK names most S3 operations in `x-id`; the others differ by a subresource such as ?tagging or ?list-type.
  const params = new URLSearchParams(query);
  const operation = params.get('x-id');
  if (operation) return { api: named(operation), protocol };
  const subresources = [...params.entries()].filter(([key, value]) => value === '' || key === 'list-type').map(([key]) => key).sort();
  return { api: named(`${method} ${restPattern(path, protocol)}${subresources.length > 0 ? `?${subresources.join('&')}` : ''}`), protocol };
}

type ErrorAnswer = StandInAnswer;

/** The error each protocol's services really send, so that the SDK classifies it as it would AWS's. */
function errorAnswer(kind: 'throttle' | '5xx', protocol: Protocol, requestId: string, contentType: string): ErrorAnswer {
  const throttle = kind === 'throttle';
  const code = throttle ? 'Throttling' : 'ServiceUnavailable';
  const message = throttle ? 'Rate exceeded' : 'Service unavailable';
  const type = throttle ? 'Sender' : 'Receiver';
  const status = throttle ? 400 : 503;
  const xml = { 'content-type': 'text/xml', 'x-amzn-requestid': requestId };
  const errorResponse = (xmlns: string) => `<ErrorResponse${xmlns}><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  switch (protocol) {
    case 'json':
      return {
        status,
        // Services that moved from Query to JSON keep their Query error codes in this header.
        headers: { 'content-type': contentType || 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId, 'x-amzn-query-error': `${code};${type}` },
        body: JSON.stringify({ __type: `${code}Exception`, message }),
      };
    case 's3':
      // S3 throttles with 503 SlowDown, not 400.
      return { status: 503, headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId }, body: `<Error><Code>${throttle ? 'SlowDown' : code}</Code><Message>${message}</Message><RequestId>${requestId}</RequestId></Error>` };
    case 'route53':
      return { status, headers: xml, body: errorResponse(` xmlns="${ROUTE53_XMLNS}"`) };
    default:
      return { status, headers: xml, body: errorResponse('') };
  }
}

function loopbackTarget(target: string): URL {
  const url = new URL(target);
  if (url.protocol !== 'http:' || !LOOPBACK.has(url.hostname)) throw new Error(`The AWS proxy only forwards to an http emulator on this machine, not to ${target}`);
  return url;
}

function emptyStats(): { total: number; byApi: Record<string, number>; faultsInjected: number; faultsByKind: Record<FaultKind, number>; refused: number; peakInFlight: number } {
  return { total: 0, byApi: {}, faultsInjected: 0, faultsByKind: { throttle: 0, '5xx': 0, reset: 0, delay: 0 }, refused: 0, peakInFlight: 0 };
}

export async function startAwsProxy(options: AwsProxyOptions): Promise<AwsProxy> {
  const target = loopbackTarget(options.target);
  const agent = new http.Agent({ keepAlive: true });
  let faults = options.faults;
  let draw = random(faults?.seed ?? 0);
  let down = options.down ?? false;
  let stats = emptyStats();
  let sequence: ProxiedCall[] = [];
  let inFlight = 0;

  const pickFault = (): FaultKind | undefined => {
    if (!faults || faults.kinds.length === 0) return undefined;
    // Two draws for every request, fault or not, so one request's fate never shifts the next's.
    const hit = draw() < faults.rate;
    const kind = faults.kinds[Math.floor(draw() * faults.kinds.length)];
    return hit ? kind : undefined;
  };

  const forward = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, call: ProxiedCall) => {
    const upstream = http.request(
      { host: target.hostname.replace(/^\[|\]$/g, ''), port: target.port, method: req.method, path: req.url, headers: req.rawHeaders, agent },
      (answer) => {
        const after = options.afterAnswer;
        if (!after) {
          res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
          answer.pipe(res);
          return;
        }
        const parts: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => parts.push(chunk));
        answer.on('end', () => {
          void after(call).finally(() => {
            res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
            res.end(Buffer.concat(parts));
          });
        });
      },
    );
    // The emulator went away: the client sees what it would see of AWS, a dropped connection.
    upstream.on('error', () => req.socket.destroy());
    upstream.end(body);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const call = callOf(req.method ?? 'GET', req.url ?? '/', req.headers, body);
    const stackName = call.protocol === 'query' ? new URLSearchParams(body.toString('utf8')).get('StackName') : null;
    const proxied: ProxiedCall = { api: call.api, ...(stackName ? { stackName } : {}) };
    sequence.push(proxied);
    stats.total += 1;
    stats.byApi[call.api] = (stats.byApi[call.api] ?? 0) + 1;
    if (down) {
      stats.refused += 1;
      req.socket.resetAndDestroy();
      return;
    }
    const fault = pickFault();
    if (fault) {
      stats.faultsInjected += 1;
      stats.faultsByKind[fault] += 1;
    }
    if (options.latencyMs) await sleep(options.latencyMs);
    if (fault === 'reset') {
      req.socket.resetAndDestroy();
      return;
    }
    if (fault === 'throttle' || fault === '5xx') {
      const answer = errorAnswer(fault, call.protocol, `fault-${stats.total}`, String(req.headers['content-type'] ?? ''));
      res.writeHead(answer.status, answer.headers);
      res.end(req.method === 'HEAD' ? undefined : answer.body);
      return;
    }
    if (fault === 'delay') await sleep(faults?.delayMs ?? 2000);
    const standIn = call.protocol === 'query' ? options.standIns?.[call.api] : undefined;
    if (standIn) {
      const answer = await standIn(new URLSearchParams(body.toString('utf8')));
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
      return;
    }
    forward(req, res, body, proxied);
  };

  const server = http.createServer((req, res) => {
    inFlight += 1;
    stats.peakInFlight = Math.max(stats.peakInFlight, inFlight);
    res.on('close', () => (inFlight -= 1));
    handle(req, res).catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => structuredClone(stats),
    calls: () => [...sequence],
    resetStats: () => {
      stats = emptyStats();
      sequence = [];
    },
    setFaults: (next?: Faults) => {
      faults = next;
      draw = random(next?.seed ?? 0);
    },
    setDown: (next: boolean) => {
      down = next;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
