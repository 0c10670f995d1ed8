import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applicationLoadBalancer } from '../../src/stacks/application-load-balancer.js';
import { domainCertificateParameter } from '../../src/templates/load-balancer.js';
import type { DomainFacts, PlacedDomain } from '../../src/config/domains.js';
import type { Template } from '../../src/engine/ports.js';
import { configOf } from '../support/config.js';
import { specProblems } from '../support/resource-spec.js';

// Issue 18: the environment's own domains, in the load balancer's stack so that destroy removes them.

type Plain = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ZONE_ID = 'Z0EXAMPLECOM';
const ORG_ZONE_ID = 'Z0EXAMPLEORG';
const ARN = (name: string) => `arn:aws:acm:eu-west-1:123456789012:certificate/${name.replace(/\./g, '-')}`;
const config = configOf({ environment: 'production', 'hosted-zone': 'armesto.net', domains: 'example.com, a.b.example.com', 'redirect-domains': 'www.example.com, shop.example.org' });
const place = (hostname: string, role: PlacedDomain['role'], zone: string, zoneId: string, certificate: string): PlacedDomain => ({ hostname, role, zone, zoneId, certificate, state: 'new' });
const facts: DomainFacts = {
  placed: [
    place('example.com', 'domain', 'example.com', ZONE_ID, 'example.com'),
    place('a.b.example.com', 'domain', 'example.com', ZONE_ID, 'b.example.com'),
    place('www.example.com', 'redirect', 'example.com', ZONE_ID, 'example.com'),
    place('shop.example.org', 'redirect', 'example.org', ORG_ZONE_ID, 'example.org'),
  ],
  certificateArns: Object.fromEntries(['example.com', 'b.example.com', 'example.org'].map((name) => [name, ARN(name)])),
};
const spec = applicationLoadBalancer.spec(config, { certificateArn: ARN('armesto.net'), domains: facts });
const template = spec.template as Plain;
const ofType = (type: string): Plain[] => Object.values(template.Resources as Plain).filter((resource: Plain) => resource.Type === type);

describe("the environment's domains on its load balancer", () => {
  test('AWS resource specification finds no problem in the template', () => {
    assert.deepEqual(specProblems(spec.template as Template), []);
  });

  test('every hostname has an A and an AAAA alias record to the load balancer, in its own zone; the apex too', () => {
    const records = ofType('AWS::Route53::RecordSet').map((record) => record.Properties);
    assert.deepEqual(records.map((record) => `${record.Type} ${record.Name} ${record.HostedZoneId}`).sort(), [
      `A a.b.example.com. ${ZONE_ID}`, `A example.com. ${ZONE_ID}`, `A shop.example.org. ${ORG_ZONE_ID}`, `A www.example.com. ${ZONE_ID}`,
      `AAAA a.b.example.com. ${ZONE_ID}`, `AAAA example.com. ${ZONE_ID}`, `AAAA shop.example.org. ${ORG_ZONE_ID}`, `AAAA www.example.com. ${ZONE_ID}`,
    ]);
    const apex = records.find((record) => record.Name === 'example.com.' && record.Type === 'A')!;
    assert.deepEqual(apex.AliasTarget, { DNSName: { 'Fn::GetAtt': ['LoadBalancer', 'DNSName'] }, HostedZoneId: { 'Fn::GetAtt': ['LoadBalancer', 'CanonicalHostedZoneID'] }, EvaluateTargetHealth: false });
    assert.equal(apex.ResourceRecords, undefined);
  });

  test("the listener takes a certificate for every name the zone's wildcard does not cover, by SNI", () => {
    const attached = ofType('AWS::ElasticLoadBalancingV2::ListenerCertificate').map((resource) => resource.Properties);
    assert.ok(attached.every((resource) => resource.ListenerArn.Ref === 'HttpsListener' && resource.Certificates.length === 1));
    const parameters = attached.map((resource) => resource.Certificates[0].CertificateArn.Ref as string);
    assert.deepEqual(parameters.map((name) => spec.parameters[name]).sort(), [ARN('b.example.com'), ARN('example.com'), ARN('example.org')]);
    assert.equal(spec.parameters[domainCertificateParameter('b.example.com')], ARN('b.example.com'), 'a name two labels below its zone: the wildcard of its parent');
    assert.equal(spec.parameters.CertificateArn, ARN('armesto.net'), "the zone's own stays the listener's default");
  });

  test('the redirect domains are answered with a 301 to the first domain, path and query kept', () => {
    const [rule, ...others] = ofType('AWS::ElasticLoadBalancingV2::ListenerRule').map((resource) => resource.Properties);
    assert.equal(others.length, 0);
    assert.deepEqual(rule!.Conditions, [{ Field: 'host-header', HostHeaderConfig: { Values: ['www.example.com', 'shop.example.org'] } }]);
    assert.deepEqual(rule!.Actions, [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', Host: 'example.com', Path: '/#{path}', Query: '#{query}', StatusCode: 'HTTP_301' } }]);
    assert.equal(rule!.Priority, 50_000, "the last priorities are the stack's own");
  });

  test('five redirect hostnames a rule, as Elastic Load Balancing takes', () => {
    const many = Array.from({ length: 7 }, (_, i) => `r${i}.example.com`);
    const withMany = configOf({ environment: 'production', domains: 'example.com', 'redirect-domains': many.join(',') });
    const placed = [place('example.com', 'domain', 'example.com', ZONE_ID, 'example.com'), ...many.map((name) => place(name, 'redirect', 'example.com', ZONE_ID, 'example.com'))];
    const rules = Object.values(applicationLoadBalancer.spec(withMany, { certificateArn: ARN('armesto.net'), domains: { placed, certificateArns: { 'example.com': ARN('example.com') } } }).template.Resources as Plain)
      .filter((resource: Plain) => resource.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule');
    assert.deepEqual(rules.map((rule: Plain) => [rule.Properties.Priority, rule.Properties.Conditions[0].HostHeaderConfig.Values.length]), [[50_000, 5], [49_999, 2]]);
  });

  test('no domains: the template is the load balancer alone', () => {
    const plain = applicationLoadBalancer.spec(configOf({ environment: 'production' }), { certificateArn: ARN('armesto.net'), domains: { placed: [], certificateArns: {} } });
    assert.deepEqual(Object.keys(plain.template.Resources as Plain).sort(), ['HttpListener', 'HttpsListener', 'LoadBalancer', 'SecurityGroup']);
    assert.deepEqual(Object.keys(plain.parameters), ['CertificateArn']);
  });

  test('a plan without an account shows the same resources with placeholders', () => {
    const planned = applicationLoadBalancer.planned(config);
    assert.deepEqual(planned.facts.domains?.placed.map((domain) => `${domain.hostname} in ${domain.zone}: *.${domain.certificate}`), [
      'example.com in example.com: *.example.com', 'a.b.example.com in example.com: *.b.example.com', 'www.example.com in example.com: *.example.com', 'shop.example.org in example.org: *.example.org',
    ]);
    assert.match(planned.resolvedAtDeploy.join(', '), /the domains' hosted zones and certificates/);
  });
});
