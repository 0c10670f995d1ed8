import type { Config } from '../config/types.js';
import { estimateCost, type CostEstimate } from '../cost/estimate.js';
import { wavesFor } from '../stacks/catalogue.js';

/** Where prices are taken when no region is configured: AWS's default region. */
export const DEFAULT_PRICE_REGION = 'us-east-1';

/**
 * What the application costs a month in its environment, once deployed as configured: every
 * stack it needs, whatever steps this run takes, so the figure is the bill and not the run's
 * share of it. The account baseline and the network are shared with other applications, and
 * say so; blue-green keeps the serving release and `keep-releases` warm ones, each a full stack.
 */
export function environmentCost(config: Config, region: string | undefined): CostEstimate {
  const estimate = estimateCost(wavesFor(config).map(({ kind }) => {
    const sharedBy = kind.sharedBy(config);
    const copies = kind.copies?.(config);
    return {
      name: kind.name(config),
      template: kind.spec(config, kind.planned(config).facts).template,
      ...(sharedBy ? { shared: sharedBy } : {}),
      ...(copies !== undefined ? { copies } : {}),
    };
  }), region ?? DEFAULT_PRICE_REGION);
  return region ? estimate : { ...estimate, regionAssumed: true };
}
