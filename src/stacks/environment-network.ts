import { environmentStack } from '../config/names.js';
import type { Config, Nat } from '../config/types.js';
import { environmentTemplate } from '../templates/environment.js';
import { cidrFor } from '../templates/network.js';
import { ENVIRONMENT_OUTPUTS } from '../templates/outputs.js';
import type { AccountReads, StackKind } from './kind.js';
import type { StackSummary } from './spec.js';
import { changesOnPurpose, settle, TAG_NAT } from './shared-settings.js';
import { stackTags } from './stack-tags.js';

/**
 * `wimpy-<environment>`: the environment's own VPC over two availability zones, its flow logs
 * (into the baseline's log bucket) and its notification topic. Its applications share it, and
 * previews run in staging's. It goes only when destroy is asked for the environment, and only
 * once no application imports from it. How its subnets reach the internet (`nat`) is the
 * environment's, set only on purpose (shared-settings.ts).
 */
export interface NetworkFacts {
  readonly cidr: string;
  readonly nat: Nat;
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
  async read(config, account) {
    const name = environmentStack(config.networkEnvironment);
    // One read of the network stack serves both its range and its NAT setting.
    const existing = await account.describe(name);
    const cidr = await environmentCidr(config, account, existing);
    const nat = settle({ input: 'nat', stack: name, sharedBy: `every application in ${config.networkEnvironment}`, tag: TAG_NAT, wanted: config.nat }, existing, changesOnPurpose(config));
    return { facts: { cidr, nat: nat.value as Nat }, ...(nat.warning ? { warning: nat.warning } : {}) };
  },
  planned: (config) => ({ facts: { cidr: cidrFor(config.networkEnvironment, []), nat: config.nat }, resolvedAtDeploy: FIXED.has(config.networkEnvironment) ? [] : ['the VPC range'] }),
  spec: (config, facts) => ({
    name: environmentStack(config.networkEnvironment),
    template: environmentTemplate({ environment: config.networkEnvironment, cidr: facts.cidr, nat: facts.nat }),
    parameters: {},
    // How its subnets reach the internet is the environment's: the stack says which way it was set.
    tags: { ...stackTags('wimpy', config.networkEnvironment), [TAG_NAT]: facts.nat },
    terminationProtection: true,
  }),
  stacksToRemove: (config) => [environmentStack(config.networkEnvironment)],
};

/**
 * staging and production have fixed ranges; any other environment keeps the range it was
 * created with, or takes the lowest one no other environment of the account uses.
 */
export async function environmentCidr(config: Config, account: Pick<AccountReads, 'list'>, own: StackSummary | undefined): Promise<string> {
  const environment = config.networkEnvironment;
  const fixed = cidrFor(environment, []);
  if (FIXED.has(environment)) return fixed;
  const existing = own?.outputs[ENVIRONMENT_OUTPUTS.vpcCidr];
  if (existing) return existing;
  const networks = await account.list({ 'wimpy:application': 'wimpy' });
  const taken = networks.map((stack) => stack.outputs[ENVIRONMENT_OUTPUTS.vpcCidr]).filter((cidr): cidr is string => Boolean(cidr));
  return cidrFor(environment, taken);
}
