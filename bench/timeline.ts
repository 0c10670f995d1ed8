import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A pass-through in front of the counting proxy that notes when each request starts and ends,
 * so that the bench can tell requests made one after another from requests made side by side.
 * The counting proxy says how many and which; this says when.
 */

export interface TimedRequest {
  /** The operation as the request names it: X-Amz-Target, the form's Action, else `METHOD /path`. */
  readonly operation: string;
  /** CloudFormation's StackName parameter, when the request names a stack. */
  readonly stack?: string;
  /** Milliseconds on this process's performance clock. */
  readonly start: number;
  readonly end: number;
}

export interface Timeline {
  readonly url: string;
  /** The requests since the last reset, in the order they started. */
  requests(): TimedRequest[];
  reset(): void;
  close(): Promise<void>;
}

function describe(request: http.IncomingMessage, body: Buffer): { operation: string; stack?: string } {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') return { operation: target.slice(target.lastIndexOf('.') + 1) };
  const form = new URLSearchParams(String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') ? body.toString('utf8') : '');
  const [path = '/', query = ''] = (request.url ?? '/').split('?', 2);
  const operation = form.get('Action') ?? new URLSearchParams(query).get('Action') ?? `${request.method ?? 'GET'} ${path}`;
  const stack = form.get('StackName');
  return stack ? { operation, stack } : { operation };
}

export async function startTimeline(target: string): Promise<Timeline> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  let requests: TimedRequest[] = [];
  const server = http.createServer((request, response) => {
    const start = performance.now();
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const described = describe(request, body);
      const forwarded = http.request(
        { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.rawHeaders, agent },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
          answer.pipe(response);
        },
      );
      response.on('close', () => requests.push({ ...described, start, end: performance.now() }));
      forwarded.on('error', () => request.socket.destroy());
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => [...requests].sort((a, b) => a.start - b.start),
    reset: () => {
      requests = [];
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

/** Route 53 speaks REST: its operations by their paths, as its API reference names them. */
const ROUTE53 = [
  [/^GET \/2013-04-01\/hostedzonesbyname$/, 'ListHostedZonesByName'],
  [/^GET \/2013-04-01\/hostedzone\/[^/]+\/rrset\/?$/, 'ListResourceRecordSets'],
  [/^POST \/2013-04-01\/hostedzone\/[^/]+\/rrset\/?$/, 'ChangeResourceRecordSets'],
  [/^GET \/2013-04-01\/change\/[^/]+$/, 'GetChange'],
] as const;

/** The stack a request names, by name even where it gives the stack's id (arn:...:stack/<name>/<uuid>). */
export function stackOf(request: TimedRequest): string | undefined {
  return request.stack?.replace(/^arn:[^:]+:cloudformation:[^:]*:\d*:stack\/([^/]+)\/.*$/, '$1');
}

/** The operation's name, Route 53's included, with the stack it names. */
export function operationName(request: TimedRequest): string {
  const name = ROUTE53.find(([pattern]) => pattern.test(request.operation))?.[1] ?? request.operation;
  const stack = stackOf(request);
  return stack ? `${name} ${stack}` : name;
}

/**
 * The longest chain of requests in which each one started only after the one before it had been
 * answered: its length is the run's sequential round trips. With a latency L added to every
 * request, no run can take less than that many times L; requests sent side by side count once.
 */
export function longestChain(requests: readonly TimedRequest[]): TimedRequest[] {
  const byStart = [...requests].sort((a, b) => a.start - b.start);
  const chains: TimedRequest[][] = [];
  for (const [i, request] of byStart.entries()) {
    let before: TimedRequest[] = [];
    for (let j = 0; j < i; j++) if (byStart[j]!.end <= request.start && chains[j]!.length > before.length) before = chains[j]!;
    chains.push([...before, request]);
  }
  return chains.reduce((longest, chain) => (chain.length > longest.length ? chain : longest), []);
}

export const sequentialRoundTrips = (requests: readonly TimedRequest[]) => longestChain(requests).length;
