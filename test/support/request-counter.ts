import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for AWS that only counts: point `AWS_ENDPOINT_URL` at it, run the product with a
 * configuration it must refuse, and the count proves that nothing reached AWS. It answers
 * 403, a refusal the SDK does not retry, so a product that did call AWS fails fast.
 */
export interface RequestCounter {
  readonly url: string;
  count(): number;
  /** `METHOD path` of every request, in order, to say what was called when the count is not 0. */
  requests(): readonly string[];
  close(): Promise<void>;
}

export async function startRequestCounter(): Promise<RequestCounter> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(403, { 'content-type': 'text/plain' }).end('This endpoint only counts requests; none was expected.');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: () => seen.length,
    requests: () => [...seen],
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
