import { applicationStack, hostname, pinnedHostname, repositoryName } from '../config/names.js';
import type { Config } from '../config/types.js';
import { applicationInput, applicationTemplate } from '../templates/application.js';
import { cidrFor } from '../templates/network.js';
import type { CostEstimate } from '../cost/estimate.js';
import { environmentCost } from './cost.js';
import { watchedAlarms } from './rollout.js';
import type { Template } from './ports.js';
import { baseSpec, environmentSpec, resourcesSpec } from './stack-specs.js';

/**
 * What a deploy would do, computed from the configuration alone: no credentials, no request.
 * It is the first thing a newcomer runs, and the same stacks the deploy applies.
 */

export interface PlannedStack {
  readonly name: string;
  readonly phase: 'environment' | 'deploy';
  /** Stacks of the same wave are applied side by side. */
  readonly wave: number;
  readonly purpose: string;
  readonly template: Template;
  /** Values only AWS can give (digests, ARNs, ids), resolved at deploy time. */
  readonly resolvedAtDeploy: readonly string[];
}

export interface Plan {
  readonly application: string;
  readonly environment: string;
  readonly strategy: Config['strategy'];
  readonly version: string;
  readonly url: string;
  readonly pinnedUrl?: string;
  readonly image: string;
  readonly build: string;
  readonly stacks: readonly PlannedStack[];
  readonly traffic: readonly string[];
  /** What the application costs a month in the environment once deployed: an estimate. */
  readonly cost: CostEstimate;
}

export function imageOf(config: Config): string {
  if (config.build.image) return config.build.image;
  const repository = config.build.registry ? `${config.build.registry}/${repositoryName(config.application)}` : `<account>.dkr.ecr.<region>.amazonaws.com/${repositoryName(config.application)}`;
  return `${repository}:${config.version || '<last good release>'} (deployed by digest)`;
}

function buildStep(config: Config): string {
  if (!config.steps.includes('build')) return 'no build: the version must already be in the registry';
  if (config.build.image) return `no build: the prebuilt image ${config.build.image} is deployed`;
  return `docker build of ${config.build.context} with ${config.build.dockerfile}, unless the registry already holds ${config.version}`;
}

function trafficSteps(config: Config): string[] {
  const host = hostname(config.application, config.environment, config.hostedZone);
  if (config.strategy === 'rolling') {
    return [`update ${applicationStack(config.application, config.environment, 'rolling', config.version)} in place, instances replaced one at a time once healthy; ${host} points at it (weight 100)`];
  }
  const release = applicationStack(config.application, config.environment, 'blue-green', config.version);
  const steps = config.canarySteps.map((percent) => `${percent}% of ${host} to ${release}, ${100 - percent}% to the serving release${percent < 100 ? `, then watch ${config.stepWaitSeconds} s and alarms ${watchedAlarms(config, release).join(', ')}` : ''}`);
  const canary = config.canarySteps.at(-1)! < 100 ? [`stop at ${config.canarySteps.at(-1)}%: a canary until command promote or rollback`] : [];
  return [`create ${release} beside the serving release, at weight 0; wait until ${pinnedHostname(config.application, config.environment, config.version, config.hostedZone)} answers ${config.healthCheckPath}`, ...steps, ...canary, `keep ${config.keepReleases} previous release(s) warm; remove older ones after twice the DNS TTL`];
}

/** `region` prices the estimate (AWS's default region when none is configured). */
export function planRun(config: Config, region?: string): Plan {
  const stacks: PlannedStack[] = [];
  if (config.steps.includes('environment')) {
    const cidr = cidrFor(config.networkEnvironment, []);
    const base = baseSpec(config);
    const network = environmentSpec(config, cidr);
    const resources = resourcesSpec(config);
    const known = config.networkEnvironment === 'staging' || config.networkEnvironment === 'production';
    stacks.push(
      { name: base.name, phase: 'environment', wave: 1, purpose: 'account baseline: KMS key, CloudTrail, log and storage buckets', template: base.template, resolvedAtDeploy: [] },
      { name: network.name, phase: 'environment', wave: 1, purpose: `network of ${config.networkEnvironment}: VPC ${known ? cidr : '10.N.0.0/16 (the lowest range free in the account)'} over two availability zones`, template: network.template, resolvedAtDeploy: known ? [] : ['the VPC range'] },
      { name: resources.name, phase: 'environment', wave: 2, purpose: 'security groups, instance role, log group', template: resources.template, resolvedAtDeploy: [] },
    );
  }
  if (config.steps.includes('deploy')) {
    const input = applicationInput(config);
    stacks.push({
      name: applicationStack(config.application, config.environment, config.strategy, config.version),
      phase: 'deploy',
      wave: 3,
      purpose: 'Auto Scaling group behind an HTTPS load balancer',
      template: applicationTemplate(input),
      resolvedAtDeploy: ['the image digest', 'the wildcard certificate of the zone', ...(input.pinnedHostname ? ['the hosted zone id'] : [])],
    });
  }
  return {
    application: config.application,
    environment: config.environment,
    strategy: config.strategy,
    version: config.version,
    url: `https://${hostname(config.application, config.environment, config.hostedZone)}`,
    ...(config.strategy === 'blue-green' ? { pinnedUrl: `https://${pinnedHostname(config.application, config.environment, config.version, config.hostedZone)}` } : {}),
    image: imageOf(config),
    build: buildStep(config),
    stacks,
    traffic: config.steps.includes('deploy') ? trafficSteps(config) : [],
    cost: environmentCost(config, region),
  };
}
