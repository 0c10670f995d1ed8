import { plannedDomains, type DomainFacts } from '../config/domains.js';
import { loadBalancerStack } from '../config/names.js';
import type { Config } from '../config/types.js';
import { CERTIFICATE_PARAMETER, domainCertificateParameter, loadBalancerTemplate, type ListenerDomains } from '../templates/load-balancer.js';
import type { StackKind } from './kind.js';
import { stackTags } from './stack-tags.js';

/**
 * `<app>-<environment>-load-balancer`: the application's one load balancer in its environment,
 * with the HTTPS listener and its certificate (templates/load-balancer.ts). Every release of the
 * environment is a target group behind it, and so is every preview of the application, on
 * staging's: a preview uses staging's as it is, or creates it as staging's first run would. It
 * goes with the application (destroy), never with a preview. The environment's own domains
 * are in it too (their certificates, alias records and redirect rules), so that they go with it.
 */
export interface LoadBalancerFacts {
  /** The zone's wildcard certificate. */
  readonly certificateArn: string;
  /** The environment's domains, where they live, and the certificates they need. */
  readonly domains?: DomainFacts;
}

const PLANNED_CERTIFICATE = 'arn:aws:acm:us-east-1:000000000000:certificate/planned';

/** The certificates the domains need besides the zone's own, whose wildcard covers the zone and one label below it. */
function extraCertificates(config: Config, facts: DomainFacts): string[] {
  return [...new Set(facts.placed.map((domain) => domain.certificate))].filter((name) => name !== config.hostedZone).sort();
}

function listenerDomains(config: Config, facts: DomainFacts): ListenerDomains | undefined {
  if (facts.placed.length === 0) return undefined;
  return {
    records: facts.placed.map(({ hostname, zoneId }) => ({ hostname, zoneId })),
    certificates: extraCertificates(config, facts),
    redirects: facts.placed.filter((domain) => domain.role === 'redirect').map((domain) => domain.hostname),
    ...(config.domains[0] !== undefined ? { redirectTo: config.domains[0] } : {}),
  };
}

/** The certificates of a plan: those the stack has, or a placeholder. */
function keptCertificates(config: Config, facts: DomainFacts, parameters: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(extraCertificates(config, facts).map((name) => [name, parameters[domainCertificateParameter(name)] ?? PLANNED_CERTIFICATE]));
}

/** The parameter of the load balancer's stack that holds the certificate for `*.name` and `name`: the zone's own, or a domain's. */
export function certificateParameter(config: Config, name: string): string {
  return name === config.hostedZone ? CERTIFICATE_PARAMETER : domainCertificateParameter(name);
}

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
    const domains = account.domains ? account.domains() : Promise.resolve(plannedDomainFacts(config));
    // A run that deploys has the zone's certificate; a plan keeps the one the stack has.
    if (account.certificate) {
      const [certificateArn, facts] = await Promise.all([account.certificate(), domains]);
      return { facts: { certificateArn, domains: facts } };
    }
    const [existing, facts] = await Promise.all([account.describe(loadBalancerStack(config.application, config.networkEnvironment)), domains]);
    const parameters = existing?.parameters ?? {};
    return { facts: { certificateArn: parameters[CERTIFICATE_PARAMETER] ?? PLANNED_CERTIFICATE, domains: { placed: facts.placed, certificateArns: facts.certificateArns ?? keptCertificates(config, facts, parameters) } } };
  },
  planned: (config) => ({
    facts: { certificateArn: PLANNED_CERTIFICATE, domains: plannedDomainFacts(config) },
    resolvedAtDeploy: ['the wildcard certificate of the zone', ...(config.domains.length + config.redirectDomains.length > 0 ? ["the domains' hosted zones and certificates"] : [])],
  }),
  spec: (config: Config, facts) => ({
    name: loadBalancerStack(config.application, config.networkEnvironment),
    template: loadBalancerTemplate({ application: config.application, environment: config.networkEnvironment, ...domainsOf(config, facts) }),
    parameters: { [CERTIFICATE_PARAMETER]: facts.certificateArn, ...domainParameters(config, facts) },
    tags: stackTags(config.application, config.networkEnvironment),
    terminationProtection: false,
  }),
  stacksToRemove: (config) => [loadBalancerStack(config.application, config.networkEnvironment)],
};

function plannedDomainFacts(config: Config): DomainFacts {
  const facts: DomainFacts = { placed: plannedDomains(config) };
  return { ...facts, certificateArns: Object.fromEntries(extraCertificates(config, facts).map((name) => [name, PLANNED_CERTIFICATE])) };
}

function domainsOf(config: Config, facts: LoadBalancerFacts): { domains?: ListenerDomains } {
  const domains = facts.domains && listenerDomains(config, facts.domains);
  return domains ? { domains } : {};
}

function domainParameters(config: Config, facts: LoadBalancerFacts): Record<string, string> {
  if (!facts.domains) return {};
  const arns = facts.domains.certificateArns ?? {};
  return Object.fromEntries(extraCertificates(config, facts.domains).map((name) => {
    const arn = arns[name];
    if (!arn) throw new Error(`No certificate was found for *.${name}, which the domains need.`);
    return [domainCertificateParameter(name), arn];
  }));
}
