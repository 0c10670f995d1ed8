import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  GetLifecyclePolicyCommand,
  PutImageCommand,
  PutLifecyclePolicyCommand,
  paginateListImages,
  type Repository,
} from '@aws-sdk/client-ecr';
import { TAG_APPLICATION, versionLabel } from '../config/names.js';
import { CACHE_TAG, type Registry, type RegistryCredentials } from '../engine/publish-image.js';
import { errorCode } from './aws-errors.js';
import { clientSettings } from './client-config.js';

/**
 * The Registry port over the account's Amazon ECR. Repositories are created on demand the way
 * AWS recommends: scanned on push, immutable tags, encrypted with KMS, and a lifecycle policy
 * so that old images do not pile up.
 */

export interface EcrOptions {
  /** The application the repository belongs to: its wimpy:application tag. */
  readonly application: string;
  /** How many images the lifecycle policy keeps. */
  readonly keepImages: number;
  readonly client?: ECRClient;
}

/** An ECR repository URI: <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<name>. */
const REPOSITORY_URI = /^(\d{12})\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/(.+)$/;

export class EcrRegistry implements Registry {
  private readonly client: ECRClient;
  /**
   * The repositories this registry (one run's) has looked up, by name: a run asks ECR once,
   * however many times it protects images. One it ensured is known from then on.
   */
  private readonly located = new Map<string, Promise<Repository | undefined>>();
  /**
   * The keep tags of each repository and scope as this registry last left them: a run protects
   * twice (its release's image before the stack, the images cleanup kept after), and under the
   * run's lock no other run moves that scope's tags, so ECR's list is read once a run.
   */
  private readonly keepTags = new Map<string, Set<string>>();
  private readonly moving = new Map<string, Promise<void>>();

  constructor(private readonly options: EcrOptions) {
    this.client = options.client ?? new ECRClient(clientSettings());
  }

  /** Creates the repository when missing; an existing one is left exactly as its owner set it. */
  async ensureRepository(name: string, signal?: AbortSignal): Promise<string> {
    const options = { abortSignal: signal };
    const existing = await this.describe(name, signal);
    if (existing) {
      await this.upgradeEarlierPolicy(name, signal);
      return this.known(existing);
    }
    let created: Repository | undefined;
    try {
      const result = await this.client.send(
        new CreateRepositoryCommand({
          repositoryName: name,
          // Versions never change once pushed; only the build cache tag moves from build to build.
          imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
          imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: CACHE_TAG }],
          imageScanningConfiguration: { scanOnPush: true },
          // The AWS managed key (aws/ecr): encrypted with KMS, with no key policy for instances to need.
          encryptionConfiguration: { encryptionType: 'KMS' },
          tags: [{ Key: TAG_APPLICATION, Value: this.options.application }],
        }),
        options,
      );
      created = result.repository;
    } catch (error) {
      // Another run created it a moment ago, and sets its policy: that is success.
      if (errorCode(error) !== 'RepositoryAlreadyExistsException') throw error;
      const raced = await this.describe(name, signal);
      if (!raced) throw error;
      return this.known(raced);
    }
    await this.client.send(new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: lifecyclePolicy(this.options.keepImages) }), options);
    return this.known(created ?? { repositoryName: name });
  }

  private known(repository: Repository): string {
    const uri = uriOf(repository);
    if (repository.repositoryName) this.located.set(repository.repositoryName, Promise.resolve(repository));
    return uri;
  }

  /** `repository` is a name in this account, or a repository URI of any account. */
  async locate(name: string, signal?: AbortSignal): Promise<string | undefined> {
    let lookup = this.located.get(name);
    if (!lookup) {
      lookup = this.describe(name, signal);
      this.located.set(name, lookup);
      // A failed lookup is asked again by the next one.
      lookup.catch(() => this.located.delete(name));
    }
    const existing = await lookup;
    return existing ? uriOf(existing) : undefined;
  }

  async find(repository: string, tag: string, signal?: AbortSignal): Promise<string | undefined> {
    try {
      const result = await this.client.send(
        new DescribeImagesCommand({
          ...repositoryIds(repository),
          // A digest names the image itself: a rollback checks that the recorded bytes are still there.
          imageIds: [tag.startsWith('sha256:') ? { imageDigest: tag } : { imageTag: tag }],
        }),
        { abortSignal: signal },
      );
      return result.imageDetails?.[0]?.imageDigest;
    } catch (error) {
      if (['ImageNotFoundException', 'RepositoryNotFoundException'].includes(errorCode(error))) return undefined;
      throw error;
    }
  }

  async credentials(signal?: AbortSignal): Promise<RegistryCredentials> {
    const result = await this.client.send(new GetAuthorizationTokenCommand({}), { abortSignal: signal });
    const data = result.authorizationData?.[0];
    if (!data?.authorizationToken || !data.proxyEndpoint) throw new Error('ECR returned no authorization token');
    const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return {
      server: data.proxyEndpoint.replace(/^https?:\/\//, '').replace(/\/+$/, ''),
      username: decoded.slice(0, colon),
      password: decoded.slice(colon + 1),
    };
  }

  /**
   * Gives the image of each version a keep tag of `scope` (an environment), which the lifecycle
   * policy never expires; with `only`, the scope's keep tags on other images are removed after.
   * Tags are added before any is removed, so an image that stays needed is never unprotected.
   * A version the repository does not hold (a prebuilt image that lives elsewhere) is skipped.
   */
  async protect(repository: string, scope: string, versions: readonly string[], only: boolean, signal?: AbortSignal): Promise<void> {
    // One move of a scope's tags at a time: each starts from what the one before left.
    const key = `${repository}\n${scope}`;
    const move = (this.moving.get(key) ?? Promise.resolve()).catch(() => undefined).then(() => this.moveKeepTags(key, repository, scope, versions, only, signal));
    this.moving.set(key, move);
    return move;
  }

  /** `key`: the repository and scope, as protect queues their moves. */
  private async moveKeepTags(key: string, repository: string, scope: string, versions: readonly string[], only: boolean, signal?: AbortSignal): Promise<void> {
    const options = { abortSignal: signal };
    const where = repositoryIds(repository);
    const prefix = keepTagPrefix(scope);
    const held = this.keepTags.get(key) ?? new Set<string>();
    if (!this.keepTags.has(key)) {
      for await (const page of paginateListImages({ client: this.client }, { ...where, filter: { tagStatus: 'TAGGED' } }, options)) {
        for (const id of page.imageIds ?? []) if (id.imageTag?.startsWith(prefix)) held.add(id.imageTag);
      }
    }
    // Until this protect has finished, what ECR holds is not known: a failure half way makes the next one read it again.
    this.keepTags.delete(key);
    const wanted = new Map(versions.map((version) => [keepTag(scope, version), version] as const));
    for (const [tag, version] of wanted) if (!held.has(tag) && (await this.tag(where, version, tag, signal))) held.add(tag);
    const stale = only ? [...held].filter((tag) => !wanted.has(tag)) : [];
    for (let i = 0; i < stale.length; i += BATCH_DELETE) {
      // Deleting a tag of an image that has others removes only that tag: the image stays.
      const batch = stale.slice(i, i + BATCH_DELETE);
      const answer = await this.client.send(new BatchDeleteImageCommand({ ...where, imageIds: batch.map((imageTag) => ({ imageTag })) }), options);
      // A tag ECR could not delete is still held, as far as this run knows.
      const failed = new Set((answer?.failures ?? []).map((failure) => failure.imageId?.imageTag));
      for (const tag of batch) if (!failed.has(tag)) held.delete(tag);
    }
    this.keepTags.set(key, held);
  }

  /** Adds `tag` to the image `version` names, by putting its manifest again under the new tag; false when the repository holds no such image. */
  private async tag(where: RepositoryIds, version: string, tag: string, signal?: AbortSignal): Promise<boolean> {
    const found = await this.client.send(new BatchGetImageCommand({ ...where, imageIds: [{ imageTag: version }], acceptedMediaTypes: MANIFEST_TYPES }), { abortSignal: signal });
    const image = found.images?.[0];
    if (!image?.imageManifest) return false;
    try {
      await this.client.send(new PutImageCommand({
        ...where,
        imageManifest: image.imageManifest,
        ...(image.imageManifestMediaType ? { imageManifestMediaType: image.imageManifestMediaType } : {}),
        ...(image.imageId?.imageDigest ? { imageDigest: image.imageId.imageDigest } : {}),
        imageTag: tag,
      }), { abortSignal: signal });
    } catch (error) {
      // Another run tagged it a moment ago.
      if (errorCode(error) !== 'ImageAlreadyExistsException') throw error;
    }
    return true;
  }

  /**
   * A repository created by an earlier version of the product keeps that version's policy, which
   * counts serving images with the rest and can expire them: it gets the keep rule. A policy
   * someone wrote, or none at all, is theirs and left as it is.
   */
  private async upgradeEarlierPolicy(name: string, signal?: AbortSignal): Promise<void> {
    let text: string | undefined;
    try {
      text = (await this.client.send(new GetLifecyclePolicyCommand({ repositoryName: name }), { abortSignal: signal })).lifecyclePolicyText;
    } catch (error) {
      if (errorCode(error) === 'LifecyclePolicyNotFoundException') return;
      throw error;
    }
    if (text === undefined || !isEarlierPolicy(text)) return;
    await this.client.send(new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: lifecyclePolicy(this.options.keepImages) }), { abortSignal: signal });
  }

  private async describe(name: string, signal?: AbortSignal): Promise<Repository | undefined> {
    try {
      const result = await this.client.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }), { abortSignal: signal });
      return result.repositories?.[0];
    } catch (error) {
      if (errorCode(error) === 'RepositoryNotFoundException') return undefined;
      throw error;
    }
  }
}

/** DeleteImage takes at most 100 image ids per call. */
const BATCH_DELETE = 100;

/** Every manifest docker or buildx pushes: an image, or an index of images for several platforms. */
const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

/**
 * The tags that keep an image: `wimpy-keep.<environment>.<version label>`. The dots cannot occur
 * in an environment's name, so one environment's prefix never matches another's.
 */
export const KEEP_TAG_PREFIX = 'wimpy-keep.';

export function keepTagPrefix(scope: string): string {
  return `${KEEP_TAG_PREFIX}${scope}.`;
}

export function keepTag(scope: string, version: string): string {
  return `${keepTagPrefix(scope)}${versionLabel(version)}`;
}

/**
 * Images with a keep tag are never expired: ECR lets no rule of a lower priority expire an image
 * that matches the tags of a higher one, and no environment holds anywhere near 9999 of them.
 * Untagged images (left behind when the cache tag moves) go after a day; of the rest, the newest
 * `keep` stay. ECR evaluates the lowest rulePriority first, and requires the rule on `any` tag
 * status to come last.
 */
export function lifecyclePolicy(keep: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: 'Never expire the images of releases that serve, are kept warm or are the last good one',
        selection: { tagStatus: 'tagged', tagPrefixList: [KEEP_TAG_PREFIX], countType: 'imageCountMoreThan', countNumber: 9999 },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: 'Expire untagged images after 1 day',
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 },
        action: { type: 'expire' },
      },
      {
        rulePriority: 3,
        description: `Keep the last ${keep} images`,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: keep },
        action: { type: 'expire' },
      },
    ],
  });
}

/** The rules earlier versions of the product wrote, by their descriptions: no keep rule among them. */
const EARLIER_RULES = /^(Expire untagged images after 1 day|Keep the last \d+ images)$/;

/** Whether `text` is a policy an earlier version of the product wrote, which lacks the keep rule. */
export function isEarlierPolicy(text: string): boolean {
  try {
    const rules = (JSON.parse(text) as { rules?: { description?: unknown }[] }).rules ?? [];
    return rules.length > 0 && rules.every((rule) => typeof rule.description === 'string' && EARLIER_RULES.test(rule.description));
  } catch {
    return false;
  }
}

interface RepositoryIds {
  readonly repositoryName: string;
  readonly registryId?: string;
}

/** A repository name in this account, or a repository URI of any account. */
function repositoryIds(repository: string): RepositoryIds {
  const uri = REPOSITORY_URI.exec(repository);
  return uri ? { repositoryName: uri[2]!, registryId: uri[1]! } : { repositoryName: repository };
}

function uriOf(repository: Repository): string {
  if (!repository.repositoryUri) throw new Error(`ECR described the repository ${repository.repositoryName ?? ''} without its URI`);
  return repository.repositoryUri;
}
