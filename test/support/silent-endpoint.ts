import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An AWS endpoint that takes every request and never answers: the caller waits on it until cancelled. */
export async function startSilentEndpoint(): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
