import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineDeps } from '../../src/engine/context.js';
import type { HostRecords, HostRule, StackSummary } from '../../src/engine/ports.js';
import { readReleases } from '../../src/engine/rollback.js';
import { configOf } from '../support/config.js';

const LISTENER = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop/1/2';

test("the releases' read asks for the listener's rules beside the hostname's records, not after them", { timeout: 10_000 }, async () => {
  const config = configOf();
  const balancer: StackSummary = {
    name: 'balancer',
    status: 'UPDATE_COMPLETE',
    outputs: { HttpsListenerArn: LISTENER, LoadBalancerDnsName: 'lb.eu-west-1.elb.amazonaws.com', LoadBalancerHostedZoneId: 'Z32O12XQLNTSW2' },
    parameters: {},
    tags: {},
  };
  let rulesAsked!: () => void;
  const asked = new Promise<void>((resolve) => (rulesAsked = resolve));
  const deps = {
    stacks: { describe: async () => balancer, list: async () => [] },
    dns: {
      zoneId: async () => 'Z1',
      // The records answer only once the rules were asked for: a read that waited for them would never end.
      records: async (): Promise<HostRecords> => {
        await asked;
        return { weighted: [] };
      },
    },
    listeners: {
      rules: async (): Promise<HostRule[]> => {
        rulesAsked();
        return [];
      },
    },
  } as unknown as Pick<EngineDeps, 'stacks' | 'dns' | 'listeners'>;

  const state = await readReleases(config, deps);

  assert.equal(state.balancer?.listenerArn, LISTENER);
  assert.equal(state.layout, 'listener');
});
