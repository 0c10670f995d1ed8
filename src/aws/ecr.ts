import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  PutLifecyclePolicyCommand,
  type Repository,
} from '@aws-sdk/client-ecr';
import { TAG_APPLICATION } from '../config/names.js';
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

  constructor(private readonly options: EcrOptions) {
    this.client = options.client ?? new ECRClient(clientSettings());
  }

  /** Creates the repository when missing; an existing one is left exactly as its owner set it. */
  async ensureRepository(name: string): Promise<string> {
    const existing = await this.describe(name);
    if (existing) return uriOf(existing);
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
      );
      created = result.repository;
    } catch (error) {
      // Another run created it a moment ago, and sets its policy: that is success.
      if (errorCode(error) !== 'RepositoryAlreadyExistsException') throw error;
      const raced = await this.describe(name);
      if (!raced) throw error;
      return uriOf(raced);
    }
    await this.client.send(new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: lifecyclePolicy(this.options.keepImages) }));
    return uriOf(created ?? { repositoryName: name });
  }

  /** `repository` is a name in this account, or a repository URI of any account. */
  async locate(name: string): Promise<string | undefined> {
    const existing = await this.describe(name);
    return existing ? uriOf(existing) : undefined;
  }

  async find(repository: string, tag: string): Promise<string | undefined> {
    const uri = REPOSITORY_URI.exec(repository);
    try {
      const result = await this.client.send(
        new DescribeImagesCommand({
          repositoryName: uri ? uri[2] : repository,
          ...(uri ? { registryId: uri[1] } : {}),
          // A digest names the image itself: a rollback checks that the recorded bytes are still there.
          imageIds: [tag.startsWith('sha256:') ? { imageDigest: tag } : { imageTag: tag }],
        }),
      );
      return result.imageDetails?.[0]?.imageDigest;
    } catch (error) {
      if (['ImageNotFoundException', 'RepositoryNotFoundException'].includes(errorCode(error))) return undefined;
      throw error;
    }
  }

  async credentials(): Promise<RegistryCredentials> {
    const result = await this.client.send(new GetAuthorizationTokenCommand({}));
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

  private async describe(name: string): Promise<Repository | undefined> {
    try {
      const result = await this.client.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
      return result.repositories?.[0];
    } catch (error) {
      if (errorCode(error) === 'RepositoryNotFoundException') return undefined;
      throw error;
    }
  }
}

/**
 * Untagged images (left behind when the cache tag moves) go after a day; of the rest, the
 * newest `keep` stay. ECR evaluates the lowest rulePriority first, and requires the rule on
 * `any` tag status to come last.
 */
export function lifecyclePolicy(keep: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: 'Expire untagged images after 1 day',
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: `Keep the last ${keep} images`,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: keep },
        action: { type: 'expire' },
      },
    ],
  });
}

function uriOf(repository: Repository): string {
  if (!repository.repositoryUri) throw new Error(`ECR described the repository ${repository.repositoryName ?? ''} without its URI`);
  return repository.repositoryUri;
}
