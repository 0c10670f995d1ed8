import { parseImageReference, pinnedImage } from '../config/image-reference.js';
import { repositoryName } from '../config/names.js';
import type { BuildConfig, Variable } from '../config/types.js';
import type { Clock, ImageRef, Log } from './ports.js';

/**
 * The build phase: put the release's image in the registry once, and name it by digest.
 * A version already in the registry is never built again, so redeploys and rollbacks are
 * instant and deploy exactly the bytes that were tested.
 */

/** A login for docker, short-lived for ECR. */
export interface RegistryCredentials {
  /** host[:port], as `docker login` takes it. */
  readonly server: string;
  readonly username: string;
  readonly password: string;
}

/**
 * Where the application's images live: the account's ECR, or any registry speaking the v2 API.
 * `signal` (the run's cancellation) stops each request.
 */
export interface Registry {
  /** Makes sure the repository exists; returns its reference, host/path without a tag. */
  ensureRepository(name: string, signal?: AbortSignal): Promise<string>;
  /** The repository's reference when it exists; creates nothing (plan and rollback only read). */
  locate(name: string, signal?: AbortSignal): Promise<string | undefined>;
  /** The digest (sha256:...) of repository:tag when the registry holds it. */
  find(repository: string, tag: string, signal?: AbortSignal): Promise<string | undefined>;
  /** The login docker needs to push, or undefined when the registry needs none. */
  credentials(signal?: AbortSignal): Promise<RegistryCredentials | undefined>;
  /**
   * Keeps the images of `versions` from the registry's own expiry for `scope` (an environment);
   * with `only`, the scope's other images lose that protection. Absent where the product sets
   * no expiry (a registry other than ECR keeps what its owner's rules keep).
   */
  protect?(repository: string, scope: string, versions: readonly string[], only: boolean, signal?: AbortSignal): Promise<void>;
}

export interface BuildRequest {
  readonly dockerfile: string;
  readonly context: string;
  /** Passed exactly as given, in order. */
  readonly buildArgs: readonly Variable[];
  readonly target?: string;
  readonly platform?: string;
  /** repository:version, the one tag that names the release. */
  readonly image: string;
  /** repository:buildcache, a mutable tag that carries the layer cache from one build to the next. */
  readonly cache: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface Docker {
  /** Logs docker in; the password is masked before anything can print it. `signal` stops it. */
  login(credentials: RegistryCredentials, signal?: AbortSignal): Promise<void>;
  logout(server: string): Promise<void>;
  /**
   * Builds the image and pushes it; raises ImageFailure with docker's own words on failure.
   * `signal` kills docker: a cancelled run does not leave a build running on the runner.
   */
  buildAndPush(request: BuildRequest, signal?: AbortSignal): Promise<void>;
}

/**
 * A build, push or lookup that failed, with docker's or the registry's last words in `detail`
 * so that the caller can show them in an annotation.
 */
export class ImageFailure extends Error {
  constructor(
    message: string,
    readonly detail = '',
  ) {
    super(detail ? `${message}\n${detail}` : message);
    this.name = 'ImageFailure';
  }
}

/**
 * The tag that holds the build cache. It is the one mutable tag of a repository whose
 * versions are immutable, so no release may be called by it.
 */
export const CACHE_TAG = 'buildcache';

export interface PublishRequest {
  readonly application: string;
  readonly version: string;
  readonly build: BuildConfig;
  /** The repository's web address, e.g. https://github.com/owner/repo: the image's source label. */
  readonly source: string;
  /** The commit built: the image's revision label. */
  readonly revision: string;
  /** The run's cancellation: it stops docker's login, build and push. */
  readonly signal?: AbortSignal;
}

export interface PublishPorts {
  /** The application's registry; for a prebuilt image, a registry that can read that image. */
  readonly registry: Registry;
  readonly docker: Docker;
  readonly log: Log;
  readonly clock: Clock;
}

/** Returns the release's image, pinned by digest: found, resolved, or built and pushed. */
export async function publishImage(request: PublishRequest, ports: PublishPorts): Promise<ImageRef> {
  if (request.build.image) return resolveImage(request.build.image, ports, request.signal);
  const { version, build, signal } = request;
  const { registry, docker, log } = ports;
  if (version === CACHE_TAG) throw new ImageFailure(`The version "${CACHE_TAG}" is reserved for the build cache: choose another version.`);

  const repository = await registry.ensureRepository(repositoryName(request.application), signal);
  const existing = await registry.find(repository, version, signal);
  if (existing) {
    log.info(`${version} is already in the registry: not building again (${pinnedImage({ repository, digest: existing })})`);
    return { repository, tag: version, digest: existing };
  }

  const image = `${repository}:${version}`;
  log.info(`Building ${image}`);
  const credentials = await registry.credentials(signal);
  if (credentials) await docker.login(credentials, request.signal);
  try {
    await docker.buildAndPush({
      dockerfile: build.dockerfile,
      context: build.context,
      buildArgs: build.buildArgs,
      ...(build.target ? { target: build.target } : {}),
      ...(build.platform ? { platform: build.platform } : {}),
      image,
      cache: `${repository}:${CACHE_TAG}`,
      labels: {
        'org.opencontainers.image.source': request.source,
        'org.opencontainers.image.revision': request.revision,
        'org.opencontainers.image.created': new Date(ports.clock.now()).toISOString(),
        'org.opencontainers.image.version': version,
      },
    }, request.signal);
    // The registry's digest, not the local image id: it is what instances will pull.
    const digest = await registry.find(repository, version, signal);
    if (!digest) throw new ImageFailure(`Docker pushed ${image}, but the registry does not list it: check that nothing removes new tags from ${repository}.`);
    log.info(`Pushed ${pinnedImage({ repository, digest })}`);
    return { repository, tag: version, digest };
  } finally {
    if (credentials) {
      // A failed logout must not hide the build's own error.
      await docker.logout(credentials.server).catch((error: unknown) => log.warning(`docker logout ${credentials.server} failed: ${(error as Error).message}`));
    }
  }
}

/** A prebuilt image: pinned as given, or pinned to the digest its tag names now. */
async function resolveImage(reference: string, { registry, log }: PublishPorts, signal?: AbortSignal): Promise<ImageRef> {
  const { repository, tag, digest } = parseImageReference(reference);
  if (digest) {
    log.info(`Deploying the prebuilt image ${reference} as it is pinned`);
    return { repository, tag: tag ?? '', digest };
  }
  // Docker's own default when a reference names no tag.
  const wanted = tag ?? 'latest';
  const found = await registry.find(repository, wanted, signal);
  if (!found) throw new ImageFailure(`The image ${repository}:${wanted} is not in its registry: push it first, or check its name and tag.`);
  log.info(`Deploying the prebuilt image ${repository}:${wanted} (${found}): not building`);
  return { repository, tag: wanted, digest: found };
}
