import { applicationStack } from '../config/names.js';
import type { Config } from '../config/types.js';
import { estimateCost, type CostEstimate } from '../cost/estimate.js';
import { applicationInput, applicationTemplate } from '../templates/application.js';
import { cidrFor } from '../templates/network.js';
import { baseSpec, environmentSpec, resourcesSpec } from './stack-specs.js';

/** Where prices are taken when no region is configured: AWS's default region. */
export const DEFAULT_PRICE_REGION = 'us-east-1';

/**
 * What the application costs a month in its environment, once deployed as configured: every
 * stack it needs, whatever steps this run takes, so the figure is the bill and not the run's
 * share of it. The account baseline and the network are shared with other applications, and
 * say so; blue-green keeps the serving release and `keep-releases` warm ones, each a full stack.
 */
export function environmentCost(config: Config, region: string | undefined): CostEstimate {
  const network = config.networkEnvironment;
  const base = baseSpec(config);
  const environment = environmentSpec(config, cidrFor(network, []));
  const resources = resourcesSpec(config);
  const releases = config.strategy === 'blue-green' ? 1 + config.keepReleases : 1;
  const estimate = estimateCost([
    { name: base.name, template: base.template, shared: 'every application of the account and region' },
    { name: environment.name, template: environment.template, shared: `every application in ${network}${config.preview !== undefined ? ' and its previews' : ''}` },
    { name: resources.name, template: resources.template, ...(config.preview !== undefined ? { shared: `${network} and its previews` } : {}) },
    { name: applicationStack(config.application, config.environment, config.strategy, config.version), template: applicationTemplate(applicationInput(config)), copies: releases },
  ], region ?? DEFAULT_PRICE_REGION);
  return region ? estimate : { ...estimate, regionAssumed: true };
}
