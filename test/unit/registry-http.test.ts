import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { endpointOf, HttpRegistry } from '../../src/build/registry-http.js';

const DIGEST = `sha256:${'f'.repeat(64)}`;
const BASIC = `Basic ${Buffer.from('octocat:ghp-secret').toString('base64')}`;

/**
 * A registry that hands out bearer tokens the way ghcr.io and Docker Hub do: a 401 with a
 * challenge naming the token service, which trades basic credentials for a token.
 */
describe('a registry that issues bearer tokens', () => {
  let server: Server;
  let host: string;
  const seen: { url: string; authorization?: string }[] = [];

  before(async () => {
    server = createServer((request: IncomingMessage, response) => {
      const authorization = request.headers.authorization;
      seen.push({ url: request.url ?? '', ...(authorization ? { authorization } : {}) });
      const url = new URL(request.url ?? '/', `http://${host}`);
      if (url.pathname === '/token') {
        const allowed = authorization === BASIC && url.searchParams.get('scope') === 'repository:org/app:pull' && url.searchParams.get('service') === 'test-registry';
        response.writeHead(allowed ? 200 : 401, { 'Content-Type': 'application/json' }).end(allowed ? JSON.stringify({ token: 'the-token' }) : '{}');
        return;
      }
      if (authorization !== 'Bearer the-token') {
        response.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${host}/token",service="test-registry",scope="repository:org/app:pull"` }).end();
        return;
      }
      if (url.pathname === '/v2/org/app/manifests/v1') response.writeHead(200, { 'Docker-Content-Digest': DIGEST }).end();
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('the challenge is answered with a token bought with the credentials, and the digest is read', async () => {
    const registry = new HttpRegistry({ registry: `${host}/org`, username: 'octocat', password: 'ghp-secret' });
    seen.length = 0;

    assert.equal(await registry.find(`${host}/org/app`, 'v1'), DIGEST);

    assert.deepEqual(
      seen.map((request) => request.authorization),
      [undefined, BASIC, 'Bearer the-token'],
    );
  });

  test('a tag the registry does not hold is absent', async () => {
    const registry = new HttpRegistry({ registry: `${host}/org`, username: 'octocat', password: 'ghp-secret' });

    assert.equal(await registry.find(`${host}/org/app`, 'v2'), undefined);
  });

  test('credentials refused by the token service are an error that names the inputs to check', async () => {
    const registry = new HttpRegistry({ registry: `${host}/org`, username: 'octocat', password: 'wrong' });

    await assert.rejects(registry.find(`${host}/org/app`, 'v1'), /refused a token \(HTTP 401\): check registry-username and registry-password/);
  });

  test('credentials go only to the registry they were given for, never to the host of another image', async () => {
    const registry = new HttpRegistry({ registry: 'ghcr.io/org', username: 'octocat', password: 'ghp-secret' });
    seen.length = 0;

    await assert.rejects(registry.find(`${host}/org/app`, 'v1'), /refused a token/);

    assert.equal(seen.some((request) => request.authorization === BASIC), false);
  });
});

describe('the login a registry needs', () => {
  test('the server is the registry host, without the path the repositories live under', async () => {
    const registry = new HttpRegistry({ registry: 'ghcr.io/org', username: 'octocat', password: 'ghp-secret' });

    assert.deepEqual(await registry.credentials(), { server: 'ghcr.io', username: 'octocat', password: 'ghp-secret' });
    assert.equal(await registry.ensureRepository('app'), 'ghcr.io/org/app');
  });

  test('a registry given no credentials needs no login', async () => {
    assert.equal(await new HttpRegistry({ registry: 'localhost:5000' }).credentials(), undefined);
  });
});

describe('where a repository’s API answers', () => {
  const cases: [string, ReturnType<typeof endpointOf>][] = [
    ['ghcr.io/org/app', { host: 'ghcr.io', base: 'https://ghcr.io', path: 'org/app' }],
    ['nginx', { host: 'docker.io', base: 'https://registry-1.docker.io', path: 'library/nginx' }],
    ['bitnami/nginx', { host: 'docker.io', base: 'https://registry-1.docker.io', path: 'bitnami/nginx' }],
    ['docker.io/library/nginx', { host: 'docker.io', base: 'https://registry-1.docker.io', path: 'library/nginx' }],
    ['localhost:5000/app', { host: 'localhost:5000', base: 'http://localhost:5000', path: 'app' }],
    ['127.0.0.1:41234/team/app', { host: '127.0.0.1:41234', base: 'http://127.0.0.1:41234', path: 'team/app' }],
    ['registry.example.com:8443/app', { host: 'registry.example.com:8443', base: 'https://registry.example.com:8443', path: 'app' }],
  ];
  for (const [repository, expected] of cases) {
    test(`${repository} answers at ${expected.base}/v2/${expected.path}`, () => {
      assert.deepEqual(endpointOf(repository), expected);
    });
  }
});
