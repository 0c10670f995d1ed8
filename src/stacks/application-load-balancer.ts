import { loadBalancerStack } from '../config/names.js';
import type { Config } from '../config/types.js';
import { CERTIFICATE_PARAMETER, loadBalancerTemplate } from '../templates/load-balancer.js';
import type { StackKind } from './kind.js';
import { stackTags } from './stack-tags.js';

/**
 * `<app>-<environment>-load-balancer`: the application's one load balancer in its environment,
 * with the HTTPS listener and its certificate (templates/load-balancer.ts). Every release of the
 * environment is a target group behind it, and so is every preview of the application, on
 * staging's: a preview uses staging's as it is, or creates it as staging's first run would. It
 * goes with the application (destroy), never with a preview.
 */
export interface LoadBalancerFacts {
  /** The zone's wildcard certificate. */
  readonly certificateArn: string;
}

const PLANNED_CERTIFICATE = 'arn:aws:acm:us-east-1:000000000000:certificate/planned';

export const applicationLoadBalancer: StackKind<LoadBalancerFacts> = {
  id: 'application-load-balancer',
  phase: 'environment',
  dependsOn: ['account-baseline', 'environment-network'],
  previews: 'shared',
  removal: { by: 'destroy', owner: (config) => stackTags(config.application, config.networkEnvironment) },
  name: (config) => loadBalancerStack(config.application, config.networkEnvironment),
  purpose: (config) => `the application's one HTTPS load balancer in ${config.networkEnvironment}: host rules with weighted target groups for its releases${config.networkEnvironment === 'staging' ? ' and previews' : ''}`,
  sharedBy: (config) => (config.networkEnvironment === 'staging' ? `${config.application} in staging and its previews` : undefined),
  async read(config, account) {
    // A run that deploys has the zone's certificate; a plan keeps the one the stack has.
    if (account.certificate) return { facts: { certificateArn: await account.certificate() } };
    const existing = await account.describe(loadBalancerStack(config.application, config.networkEnvironment));
    return { facts: { certificateArn: existing?.parameters[CERTIFICATE_PARAMETER] ?? PLANNED_CERTIFICATE } };
  },
  planned: () => ({ facts: { certificateArn: PLANNED_CERTIFICATE }, resolvedAtDeploy: ['the wildcard certificate of the zone'] }),
  spec: (config: Config, facts) => ({
    name: loadBalancerStack(config.application, config.networkEnvironment),
    template: loadBalancerTemplate({ application: config.application, environment: config.networkEnvironment }),
    parameters: { [CERTIFICATE_PARAMETER]: facts.certificateArn },
    tags: stackTags(config.application, config.networkEnvironment),
    terminationProtection: false,
  }),
  stacksToRemove: (config) => [loadBalancerStack(config.application, config.networkEnvironment)],
};
