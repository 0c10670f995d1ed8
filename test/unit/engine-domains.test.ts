import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname, loadBalancerStack, releaseStack } from '../../src/config/names.js';
import { placeDomains, recordProblem } from '../../src/engine/domains.js';
import { domainCertificateParameter } from '../../src/templates/load-balancer.js';
import { commentBody } from '../../src/report/comment.js';
import { summaryMarkdown } from '../../src/report/summary.js';
import { configOf } from '../support/config.js';
import { APP, FakeAws, V1, V2 } from '../support/fake-aws.js';

/**
 * The environment's own domains: checked against Route 53 before any change, then served like
 * the main hostname from the same rule, so that they move with every traffic step.
 */

const EXAMPLE_ZONE = 'Z0EXAMPLECOM';
const MAIN = hostname(APP, 'production', 'armesto.net');
const BALANCER = loadBalancerStack(APP, 'production');
const OWN_BALANCER = 'awesome-application-production-lb-1234.eu-west-1.elb.amazonaws.com';

const production = (version: string, inputs: Record<string, string> = {}) => configOf({ environment: 'production', strategy: 'blue-green', version, domains: 'example.com', 'redirect-domains': 'www.example.com', 'canary-steps': '50,100', ...inputs });

function account(): FakeAws {
  const aws = new FakeAws();
  aws.dns.zones.set('example.com', EXAMPLE_ZONE);
  aws.dns.zones.set('armesto.net', 'Z0ARMESTONET');
  return aws;
}

/** Every call that changed something: applies, removals, rules, records, certificates, locks, image pushes. */
const writes = (journal: readonly string[]) => journal.filter((entry) => /^(stacks\.(apply|remove|unprotect)|listeners\.(forward|removeRule)|dns\.(setAlias|removeAlias|setWeights)|certificates\.|locks\.take|images\.(publish|protect)|records\.write|notifications\.publish)/.test(entry));

describe('the check of the domains before any change', () => {
  test('places each hostname in the longest public zone it ends in, with the certificate that covers it', () => {
    const zones = [{ name: 'example.com', id: 'Z1' }, { name: 'eu.example.com', id: 'Z2' }];
    const check = placeDomains([{ hostname: 'example.com', role: 'domain' }, { hostname: 'shop.eu.example.com', role: 'domain' }, { hostname: 'a.b.example.com', role: 'redirect' }], zones, new Map(), undefined);
    assert.deepEqual(check.refused, []);
    assert.deepEqual(check.placed.map((domain) => `${domain.hostname} ${domain.zoneId} *.${domain.certificate} ${domain.state}`), ['example.com Z1 *.example.com new', 'shop.eu.example.com Z2 *.eu.example.com new', 'a.b.example.com Z1 *.b.example.com new']);
  });

  test('refuses a hostname that no public zone of the account holds, naming it and its input', () => {
    const check = placeDomains([{ hostname: 'example.org', role: 'domain' }, { hostname: 'www.example.net', role: 'redirect' }], [{ name: 'example.com', id: 'Z1' }], new Map(), undefined);
    assert.deepEqual(check.placed, []);
    assert.match(check.refused[0]!, /^domains: example.org is in no public hosted zone of this account/);
    assert.match(check.refused[1]!, /^redirect-domains: www.example.net is in no public hosted zone of this account/);
  });

  test("refuses an address someone else put there, naming the record's type; the product's own alias is fine", () => {
    const at = (records: Parameters<typeof recordProblem>[2]) => recordProblem('www.example.com', 'example.com', records, OWN_BALANCER);
    assert.match(at([{ type: 'A', values: ['192.0.2.10'] }])!, /already has an A record to 192\.0\.2\.10, which this action did not create/);
    assert.match(at([{ type: 'CNAME', values: ['shops.example.net'] }])!, /already has a CNAME record to shops\.example\.net/);
    assert.match(at([{ type: 'A', aliasTarget: 'dualstack.someone-else-99.eu-west-1.elb.amazonaws.com.', values: [] }])!, /already has an A alias record to someone-else-99/);
    assert.match(at([{ type: 'AAAA', aliasTarget: `${OWN_BALANCER}.`, values: [], setIdentifier: 'old' }])!, /weighted or routed/);
    assert.equal(at([{ type: 'A', aliasTarget: `dualstack.${OWN_BALANCER.toUpperCase()}.`, values: [] }, { type: 'AAAA', aliasTarget: `${OWN_BALANCER}.`, values: [] }]), undefined);
  });

  test('before the load balancer exists, any alias is someone else\'s', () => {
    assert.match(recordProblem('example.com', 'example.com', [{ type: 'A', aliasTarget: `${OWN_BALANCER}.`, values: [] }], undefined)!, /already has an A alias record/);
  });

  test("leaves mail and the zone's own records alone, and refuses a delegated name", () => {
    assert.equal(recordProblem('example.com', 'example.com', [{ type: 'NS', values: ['ns-1.awsdns-00.com.'] }, { type: 'SOA', values: ['...'] }, { type: 'MX', values: ['10 mx.example.com.'] }, { type: 'TXT', values: ['"v=spf1 -all"'] }], undefined), undefined);
    assert.match(recordProblem('shop.example.com', 'example.com', [{ type: 'NS', values: ['ns.elsewhere.net.'] }], undefined)!, /is delegated to other name servers/);
  });

  test('a deploy with a domain in no zone of the account is refused, naming it, before any write', async () => {
    const aws = account();
    const { report } = await aws.run(production(V1, { domains: 'example.org' }));
    assert.equal(report.status, 'failure');
    assert.match(report.message ?? '', /domains: example\.org is in no public hosted zone of this account.*\nNothing was changed\./s);
    assert.deepEqual(writes(aws.journal), []);
  });

  test('a deploy with a domain that has a foreign record is refused, naming the hostname and the record, before any write', async () => {
    const aws = account();
    aws.dns.others.set('www.example.com', [{ type: 'CNAME', values: ['shop.example.net'] }]);
    const { report } = await aws.run(production(V1));
    assert.equal(report.status, 'failure');
    assert.match(report.message ?? '', /redirect-domains: www\.example\.com already has a CNAME record to shop\.example\.net, which this action did not create/);
    assert.deepEqual(writes(aws.journal), []);
  });
});

describe('a deploy with domains', () => {
  test('gives the load balancer their records and redirect, and serves them from the main hostname\'s rule', async () => {
    const aws = account();
    const { report } = await aws.run(production(V1));
    assert.equal(report.status, 'success', report.message);
    const balancer = aws.stacks.get(BALANCER)!;
    const resources = Object.values(balancer.template.Resources as Record<string, { Type: string; Properties: Record<string, string> }>);
    const records = resources.filter((resource) => resource.Type === 'AWS::Route53::RecordSet').map((resource) => `${resource.Properties.Type} ${resource.Properties.Name}`);
    assert.deepEqual(records.sort(), ['A example.com.', 'A www.example.com.', 'AAAA example.com.', 'AAAA www.example.com.']);
    // example.com and www.example.com are both covered by the wildcard of example.com.
    assert.deepEqual(aws.certificates.requests.sort(), ['armesto.net', 'example.com']);
    assert.match(balancer.parameters[domainCertificateParameter('example.com')]!, /^arn:aws:acm:/);
    assert.deepEqual(aws.listeners.ruleOf(MAIN)!.hosts, [MAIN, 'example.com']);
    assert.deepEqual(aws.weightsOf('example.com'), { [releaseStack(APP, 'production', V1)]: 100 });
  });

  test("the next run hands each certificate the load balancer has to the certificate lookup, to be kept while it is good", async () => {
    const aws = account();
    await aws.run(production(V1));
    assert.deepEqual([...aws.certificates.inUse.values()], [undefined, undefined], 'a first deploy has none');

    await aws.run(production(V1));

    const parameters = aws.stacks.get(BALANCER)!.parameters;
    assert.deepEqual(Object.fromEntries(aws.certificates.inUse), { 'armesto.net': parameters.CertificateArn, 'example.com': parameters[domainCertificateParameter('example.com')] });
    assert.match(aws.certificates.inUse.get('armesto.net') ?? '', /^arn:aws:acm:/);
  });

  test('a second release moves the domains with the main hostname, step by step', async () => {
    const aws = account();
    await aws.run(production(V1));
    // The first run's records are the product's own: the second run takes them as they are.
    const own = aws.stacks.get(BALANCER)!.outputs.LoadBalancerDnsName!;
    for (const name of ['example.com', 'www.example.com']) aws.dns.others.set(name, [{ type: 'A', aliasTarget: `${own}.`, values: [] }, { type: 'AAAA', aliasTarget: `${own}.`, values: [] }]);
    const mark = aws.journal.length;
    const { report } = await aws.run(production(V2));
    assert.equal(report.status, 'success', report.message);
    assert.deepEqual(aws.ruleChanges(MAIN).slice(-2), [
      { [releaseStack(APP, 'production', V1)]: 50, [releaseStack(APP, 'production', V2)]: 50 },
      { [releaseStack(APP, 'production', V1)]: 0, [releaseStack(APP, 'production', V2)]: 100 },
    ]);
    assert.deepEqual(aws.listeners.ruleOf('example.com')!.hosts, [MAIN, 'example.com']);
    assert.deepEqual(writes(aws.since(mark)).filter((entry) => entry.startsWith('dns.')), [], 'no deploy changes their records');
  });
});

describe('the hostnames in the summary and the pull request comment', () => {
  const rows = (markdown: string) => markdown.split('\n').filter((line) => /^\| <code>[a-z.-]+<\/code> \| (the releases|what |301 )/.test(line));

  test('list the main hostname, each domain and each redirect with where it goes, and their records added by the first deploy', async () => {
    const { report } = await account().run(production(V1));
    for (const markdown of [summaryMarkdown(report), commentBody(report)]) {
      assert.ok(markdown.includes('**Hostnames**\n\n| Hostname | Answers | State |'), markdown);
      assert.deepEqual(rows(markdown), [
        `| <code>${MAIN}</code> | the releases | live |`,
        `| <code>example.com</code> | what ${MAIN} serves | added |`,
        '| <code>www.example.com</code> | 301 to https://example.com | added |',
      ]);
    }
  });

  test('say live once the records are in place, and removed after destroy', async () => {
    const aws = account();
    await aws.run(production(V1));
    const { report } = await aws.run(production(V2));
    assert.deepEqual(report.hostnames?.map((one) => `${one.hostname} ${one.state}`), [`${MAIN} live`, 'example.com live', 'www.example.com live']);
    const gone = await aws.run(production(V2, { command: 'destroy' }));
    assert.equal(gone.report.status, 'success', gone.report.message);
    assert.deepEqual(gone.report.hostnames?.map((one) => `${one.hostname} ${one.state}`), [`${MAIN} removed`, 'example.com removed', 'www.example.com removed']);
  });

  test('are not listed for an environment with its main hostname only, which the URL already gives', async () => {
    const { report } = await account().run(production(V1, { domains: '', 'redirect-domains': '' }));
    assert.equal(report.hostnames, undefined);
    assert.ok(!summaryMarkdown(report).includes('**Hostnames**'));
  });
});
