import { environmentStack } from '../config/names.js';
import type { Config } from '../config/types.js';
import { environmentTemplate } from '../templates/environment.js';
import { cidrFor } from '../templates/network.js';
import { ENVIRONMENT_OUTPUTS } from '../templates/outputs.js';
import type { AccountReads, StackKind } from './kind.js';
import { stackTags } from './stack-tags.js';

/**
 * `wimpy-<environment>`: the environment's own VPC over two availability zones, its flow logs
 * (into the baseline's log bucket) and its notification topic. Its applications share it, and
 * previews run in staging's. It goes only when destroy is asked for the environment, and only
 * once no application imports from it.
 */
export interface NetworkFacts {
  readonly cidr: string;
}

const FIXED = new Set(['staging', 'production']);

export const environmentNetwork: StackKind<NetworkFacts> = {
  id: 'environment-network',
  phase: 'environment',
  dependsOn: ['account-baseline'],
  previews: 'shared',
  removal: { by: 'destroy-environment', protected: true, owner: (config) => stackTags('wimpy', config.networkEnvironment) },
  name: (config) => environmentStack(config.networkEnvironment),
  purpose: (config) => `network of ${config.networkEnvironment}: VPC ${FIXED.has(config.networkEnvironment) ? cidrFor(config.networkEnvironment, []) : '10.N.0.0/16 (the lowest range free in the account)'} over two availability zones`,
  sharedBy: (config) => `every application in ${config.networkEnvironment}${config.preview !== undefined ? ' and its previews' : ''}`,
  read: async (config, account) => ({ facts: { cidr: await environmentCidr(config, account) } }),
  planned: (config) => ({ facts: { cidr: cidrFor(config.networkEnvironment, []) }, resolvedAtDeploy: FIXED.has(config.networkEnvironment) ? [] : ['the VPC range'] }),
  spec: (config, facts) => ({
    name: environmentStack(config.networkEnvironment),
    template: environmentTemplate({ environment: config.networkEnvironment, cidr: facts.cidr }),
    parameters: {},
    tags: stackTags('wimpy', config.networkEnvironment),
    terminationProtection: true,
  }),
  stacksToRemove: (config) => [environmentStack(config.networkEnvironment)],
};

/**
 * staging and production have fixed ranges; any other environment keeps the range it was
 * created with, or takes the lowest one no other environment of the account uses.
 */
export async function environmentCidr(config: Config, account: Pick<AccountReads, 'describe' | 'list'>): Promise<string> {
  const environment = config.networkEnvironment;
  const fixed = cidrFor(environment, []);
  if (FIXED.has(environment)) return fixed;
  const own = await account.describe(environmentStack(environment));
  const existing = own?.outputs[ENVIRONMENT_OUTPUTS.vpcCidr];
  if (existing) return existing;
  const networks = await account.list({ 'wimpy:application': 'wimpy' });
  const taken = networks.map((stack) => stack.outputs[ENVIRONMENT_OUTPUTS.vpcCidr]).filter((cidr): cidr is string => Boolean(cidr));
  return cidrFor(environment, taken);
}
