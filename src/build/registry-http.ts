import { createHash } from 'node:crypto';
import { ImageFailure, type Registry, type RegistryCredentials } from '../engine/publish-image.js';

/**
 * The Registry port for any registry that speaks the Docker Registry HTTP API v2 (ghcr.io,
 * Docker Hub, GitLab, a registry of one's own). Such registries create a repository on its
 * first push, so there is nothing to ensure.
 */

export interface HttpRegistryOptions {
  /** host[:port][/path], as the `registry` input spells it: repositories live under it. */
  readonly registry: string;
  readonly username?: string;
  readonly password?: string;
  readonly fetch?: typeof fetch;
}

/** Every manifest kind a tag may name: one image, or an index of several platforms. */
const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

const DOCKER_HUB = 'registry-1.docker.io';

interface Endpoint {
  /** host[:port] as written in references; credentials belong to one such host. */
  readonly host: string;
  readonly base: string;
  readonly path: string;
}

/** Where the API of a repository answers: Docker's own rules for hosts, Hub and loopback. */
export function endpointOf(repository: string): Endpoint {
  const slash = repository.indexOf('/');
  const first = slash === -1 ? '' : repository.slice(0, slash);
  const named = first.includes('.') || first.includes(':') || first === 'localhost';
  const host = named ? first : 'docker.io';
  let path = named ? repository.slice(slash + 1) : repository;
  const hub = host === 'docker.io' || host === 'index.docker.io';
  if (hub && !path.includes('/')) path = `library/${path}`;
  const apiHost = hub ? DOCKER_HUB : host;
  // dockerd itself talks plain HTTP to loopback registries and TLS to all others.
  const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(apiHost);
  return { host, base: `${loopback ? 'http' : 'https'}://${apiHost}`, path };
}

export class HttpRegistry implements Registry {
  private readonly host: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: HttpRegistryOptions) {
    this.host = options.registry.split('/')[0] ?? options.registry;
    this.fetch = options.fetch ?? fetch;
  }

  async ensureRepository(name: string): Promise<string> {
    return `${this.options.registry}/${name}`;
  }

  /** A v2 registry makes a repository on its first push: its name is its whole existence. */
  async locate(name: string): Promise<string> {
    return this.ensureRepository(name);
  }

  async credentials(): Promise<RegistryCredentials | undefined> {
    const { username, password } = this.options;
    return username && password ? { server: this.host, username, password } : undefined;
  }

  async find(repository: string, tag: string, signal?: AbortSignal): Promise<string | undefined> {
    const endpoint = endpointOf(repository);
    const url = `${endpoint.base}/v2/${endpoint.path}/manifests/${tag.startsWith('sha256:') ? tag : encodeURIComponent(tag)}`;
    let authorization: string | undefined;
    let response = await this.request(url, 'HEAD', endpoint, undefined, signal);
    if (response.status === 401) {
      authorization = await this.authorize(response.headers.get('www-authenticate') ?? '', endpoint, signal);
      response = await this.request(url, 'HEAD', endpoint, authorization, signal);
    }
    if (response.status === 404) return undefined;
    if (response.status === 401 || response.status === 403) {
      throw new ImageFailure(
        `The registry ${endpoint.host} refused to say whether ${repository}:${tag} exists (HTTP ${response.status}): ` +
          `check registry-username and registry-password, and that they may read ${repository}.`,
      );
    }
    if (!response.ok) throw new ImageFailure(`The registry ${endpoint.host} answered HTTP ${response.status} for ${repository}:${tag}.`);
    const digest = response.headers.get('docker-content-digest');
    if (digest) return digest;
    // A registry that leaves the header out still serves the manifest, whose hash is the digest.
    const body = await this.request(url, 'GET', endpoint, authorization, signal);
    if (!body.ok) throw new ImageFailure(`The registry ${endpoint.host} answered HTTP ${body.status} for ${repository}:${tag}.`);
    return `sha256:${createHash('sha256').update(Buffer.from(await body.arrayBuffer())).digest('hex')}`;
  }

  private async request(url: string, method: 'HEAD' | 'GET', endpoint: Endpoint, authorization?: string, signal?: AbortSignal): Promise<Response> {
    try {
      return await this.fetch(url, { method, headers: { Accept: MANIFEST_TYPES, ...(authorization ? { Authorization: authorization } : {}) }, ...(signal ? { signal } : {}) });
    } catch (error) {
      throw new ImageFailure(`The registry ${endpoint.host} did not answer: ${(error as Error).message}`);
    }
  }

  /** Our credentials go only to the registry they were given for, never to the host of a prebuilt image. */
  private basic(endpoint: Endpoint): string | undefined {
    const { username, password } = this.options;
    if (!username || !password || endpoint.host !== this.host) return undefined;
    return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  /** Answers the registry's challenge: basic credentials, or a bearer token bought with them. */
  private async authorize(challenge: string, endpoint: Endpoint, signal?: AbortSignal): Promise<string | undefined> {
    const basic = this.basic(endpoint);
    const scheme = challenge.split(' ')[0]?.toLowerCase();
    if (scheme !== 'bearer') return basic;
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!params.realm) return basic;
    const tokenUrl = new URL(params.realm);
    if (params.service) tokenUrl.searchParams.set('service', params.service);
    tokenUrl.searchParams.set('scope', params.scope ?? `repository:${endpoint.path}:pull`);
    let response: Response;
    try {
      response = await this.fetch(tokenUrl, { headers: basic ? { Authorization: basic } : {}, ...(signal ? { signal } : {}) });
    } catch (error) {
      throw new ImageFailure(`The token service of ${endpoint.host} did not answer: ${(error as Error).message}`);
    }
    if (!response.ok) {
      throw new ImageFailure(`The registry ${endpoint.host} refused a token (HTTP ${response.status}): check registry-username and registry-password.`);
    }
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    return token ? `Bearer ${token}` : basic;
  }
}
