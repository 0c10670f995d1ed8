import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { Route53Client } from '@aws-sdk/client-route-53';
import { createDns } from '../../src/aws/dns.js';
import { createListeners } from '../../src/aws/listeners.js';
import { createLogGroups } from '../../src/aws/log-groups.js';
import { createStacks } from '../../src/aws/stacks.js';
import { startSilentEndpoint } from '../support/silent-endpoint.js';

/**
 * The reads and removals a run makes under its cancellation (the environment's reads, the sweep
 * of expired previews, destroy) stop when the run's signal is aborted: each against an AWS that
 * never answers, which only the signal can end.
 */
describe('a port request that hangs stops when the run is cancelled', () => {
  let endpoint: Awaited<ReturnType<typeof startSilentEndpoint>>;
  before(async () => {
    endpoint = await startSilentEndpoint();
  });
  after(() => endpoint.close());

  const settings = () => ({ region: 'eu-west-1', endpoint: endpoint.url, maxAttempts: 1, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const clock = { now: () => Date.now(), sleep: async () => undefined };
  const stacks = () => createStacks({ cloudformation: new CloudFormationClient(settings()), tagging: new ResourceGroupsTaggingAPIClient(settings()), clock });
  const cases: Record<string, (signal: AbortSignal) => Promise<unknown>> = {
    'the stacks found by their tags': (signal) => stacks().list({ 'wimpy:application': 'shop' }, undefined, signal),
    'a stack described': (signal) => stacks().describe('shop-staging', signal),
    'the hosted zone looked up': (signal) => createDns(new Route53Client(settings()), clock).zoneId('example.com', signal),
    'a listener rule removed': (signal) => createListeners(new ElasticLoadBalancingV2Client(settings())).removeRule('arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/shop/1/2/3', signal),
    'a log group looked up': (signal) => createLogGroups(new CloudWatchLogsClient(settings())).exists('/wimpy/shop/staging', signal),
    'a log group removed': (signal) => createLogGroups(new CloudWatchLogsClient(settings())).remove('/wimpy/shop/staging', signal),
  };

  for (const [what, call] of Object.entries(cases)) {
    test(what, { timeout: 10_000 }, async () => {
      const cancel = new AbortController();
      const asked = endpoint.requests.length;
      const pending = call(cancel.signal);
      while (endpoint.requests.length === asked) await new Promise((resolve) => setImmediate(resolve));
      cancel.abort();
      await assert.rejects(pending);
    });
  }
});
