import { applicationStack, releaseStack, rollingStack, TAG_APPLICATION, TAG_ENVIRONMENT, TAG_VERSION } from '../config/names.js';
import type { Config } from '../config/types.js';
import { platformOf } from '../platforms/index.js';
import { releaseShape } from '../platforms/platform.js';
import type { StackKind } from './kind.js';
import type { StackSummary } from './spec.js';
import { stackTags } from './stack-tags.js';

/**
 * The release: what serves the application. Its traffic strategy names it: rolling keeps one stack per environment
 * (`<app>-<environment>`), updated in place; blue-green one stack per release
 * (`<app>-<environment>-<version7>`), warm ones kept for a rollback. A preview's release is its
 * own. Every release goes with the application. What the stack holds is its compute
 * platform's (platforms/).
 */
export interface ReleaseFacts {
  /** repository@sha256:... */
  readonly image: string;
  readonly certificateArn: string;
  readonly hostedZoneId: string;
  /** Tags kept from the release stack as it was created (wimpy:replaces). */
  readonly extraTags?: Readonly<Record<string, string>>;
  /** No stack of that name exists yet: the group starts at desired-size (see ApplicationInput.creating). */
  readonly creating?: boolean;
  /** Blue-green: the priority of the pinned hostname's rule on the listener (the stack's own, or a free one). */
  readonly rulePriority?: number;
  /** A release of the first layout that keeps its own load balancer for now (ReleaseShape.ownLoadBalancer). */
  readonly ownLoadBalancer?: boolean;
}

/** The stack of a version of the application in the run's environment. */
export function releaseName(config: Config, version: string): string {
  return applicationStack(config.application, config.environment, config.strategy, version);
}

/**
 * The one definition of a release stack: a stack whose name is the one its tags give a
 * release, a blue-green release stack or the rolling stack. The resources stack of the same
 * application carries the same application and environment tags and is not one.
 */
export function isReleaseStack(stack: Pick<StackSummary, 'name' | 'tags'>): boolean {
  const application = stack.tags[TAG_APPLICATION];
  const environment = stack.tags[TAG_ENVIRONMENT];
  const version = stack.tags[TAG_VERSION];
  if (!application || !environment || !version) return false;
  return stack.name === releaseStack(application, environment, version) || stack.name === rollingStack(application, environment);
}

export const applicationRelease: StackKind<ReleaseFacts> = {
  id: 'application-release',
  phase: 'deploy',
  // The database's address and secret name too, when the application has a database of its own.
  dependsOn: ['account-baseline', 'environment-network', 'application-load-balancer', 'application-resources', 'application-database'],
  previews: 'own',
  removal: { by: 'destroy', owner: (config) => stackTags(config.application, config.environment) },
  name: (config) => releaseName(config, config.version),
  purpose: (config) => platformOf(config).purpose,
  sharedBy: () => undefined,
  copies: (config) => (config.strategy === 'blue-green' ? 1 + config.keepReleases : 1),
  planned: (config) => ({
    facts: { image: `${config.application}@sha256:${'0'.repeat(64)}`, certificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/planned', hostedZoneId: 'Z0000000000000', rulePriority: 1 },
    resolvedAtDeploy: ['the image digest', ...(releaseShape(config).pinnedHostname ? ['the hosted zone id', "the priority of the pinned hostname's rule"] : [])],
  }),
  spec: (config, facts) => {
    // The traffic strategy shapes the release (its name, its own hostname); the platform fills it.
    const platform = platformOf(config);
    const shape = { ...releaseShape(config), ...(facts.creating ? { creating: true } : {}), ...(facts.ownLoadBalancer ? { ownLoadBalancer: true } : {}) };
    return {
      name: releaseName(config, config.version),
      template: platform.template(config, shape),
      parameters: platform.parameters({
        image: facts.image,
        version: config.version,
        ...(shape.ownLoadBalancer ? { certificateArn: facts.certificateArn } : {}),
        ...(shape.pinnedHostname ? { hostedZoneId: facts.hostedZoneId, rulePriority: facts.rulePriority ?? 1 } : {}),
        variables: config.variables,
        secrets: config.secrets,
      }),
      tags: { ...stackTags(config.application, config.environment, config.version), ...facts.extraTags },
      terminationProtection: false,
    };
  },
  stacksToRemove: (config, own) => own.filter((stack) => isReleaseStack(stack) && stack.tags[TAG_ENVIRONMENT] === config.environment).map((stack) => stack.name),
};
