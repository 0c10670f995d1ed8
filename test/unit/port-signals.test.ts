import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ACMClient } from '@aws-sdk/client-acm';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { Route53Client } from '@aws-sdk/client-route-53';
import { createCertificates } from '../../src/aws/certificates.js';
import { createDns } from '../../src/aws/dns.js';
import { EcrRegistry } from '../../src/aws/ecr.js';
import { createListeners } from '../../src/aws/listeners.js';
import { createLogGroups } from '../../src/aws/log-groups.js';
import { createStacks } from '../../src/aws/stacks.js';
import { HttpRegistry } from '../../src/build/registry-http.js';
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
  const dns = () => createDns(new Route53Client(settings()), clock);
  const listeners = () => createListeners(new ElasticLoadBalancingV2Client(settings()));
  const ecr = () => new EcrRegistry({ application: 'shop', keepImages: 10, client: new ECRClient(settings()) });
  const target = { setIdentifier: 'shop-staging-v1', weight: 0, dnsName: 'lb.eu-west-1.elb.amazonaws.com', hostedZoneId: 'Z32O12XQLNTSW2' };
  const limits = (signal: AbortSignal) => ({ deadline: Number.POSITIVE_INFINITY, signal });
  const stacks = () => createStacks({ cloudformation: new CloudFormationClient(settings()), tagging: new ResourceGroupsTaggingAPIClient(settings()), clock });
  const cases: Record<string, (signal: AbortSignal) => Promise<unknown>> = {
    'the stacks found by their tags': (signal) => stacks().list({ 'wimpy:application': 'shop' }, undefined, signal),
    'a stack described': (signal) => stacks().describe('shop-staging', signal),
    'the hosted zone looked up': (signal) => createDns(new Route53Client(settings()), clock).zoneId('example.com', signal),
    'a listener rule removed': (signal) => createListeners(new ElasticLoadBalancingV2Client(settings())).removeRule('arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/shop/1/2/3', signal),
    'a log group looked up': (signal) => createLogGroups(new CloudWatchLogsClient(settings())).exists('/wimpy/shop/staging', signal),
    'the records of a hostname read': (signal) => dns().records('Z1', 'shop.example.com', signal),
    'the public hosted zones listed': (signal) => dns().publicZones(signal),
    'the record sets of a domain read': (signal) => dns().recordsAt('Z1', 'www.example.com', signal),
    'weights set': (signal) => dns().setWeights('Z1', 'shop.example.com', [target], [], limits(signal)),
    'weighted records removed (their current form read first)': (signal) => dns().setWeights('Z1', 'shop.example.com', [], [target], limits(signal)),
    'an alias removed': (signal) => dns().removeAlias('Z1', 'shop.example.com', limits(signal)),
    'the rules of a listener read': (signal) => listeners().rules('arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop/1/2', signal),
    'a protected stack unprotected': (signal) => stacks().unprotect('shop-staging-database', signal),
    'the wildcard certificate looked up': (signal) => createCertificates(new ACMClient(settings()), new Route53Client(settings()), clock).ensureWildcard('example.com', 'Z1', limits(signal)),
    'an ECR repository located': (signal) => ecr().locate('shop', signal),
    'an ECR repository ensured': (signal) => ecr().ensureRepository('shop', signal),
    'an image looked up in ECR': (signal) => ecr().find('shop', 'v1', signal),
    'the login to ECR asked for': (signal) => ecr().credentials(signal),
    'the images of an environment protected in ECR': (signal) => ecr().protect('shop', 'production', ['v1'], true, signal),
    'an image looked up in a v2 registry': (signal) => new HttpRegistry({ registry: endpoint.url.replace(/^http:\/\//, '') }).find(`${endpoint.url.replace(/^http:\/\//, '')}/shop`, 'v1', signal),
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
