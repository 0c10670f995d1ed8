import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBalancerTemplate } from '../../src/templates/load-balancer.js';
import { importOf } from '../../src/templates/outputs.js';
import type { Template } from '../../src/engine/ports.js';
import { specProblems } from '../support/resource-spec.js';

// Issue 16: one load balancer per application and environment, owning the HTTPS listener and its certificate.

type Plain = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const template = loadBalancerTemplate({ application: 'awesome-application', environment: 'production' }) as Plain;
const ofType = (type: string): Plain[] => Object.values(template.Resources as Plain).filter((resource: Plain) => resource.Type === type);
const listener = (port: number): Plain => ofType('AWS::ElasticLoadBalancingV2::Listener').find((found) => found.Properties.Port === port)!.Properties;

describe("the application's load balancer in an environment", () => {
  test('AWS resource specification finds no problem in it', () => {
    assert.deepEqual(specProblems(template as Template), []);
  });

  test('is internet-facing over IPv4 in the public subnets, behind its own security group, unnamed so that it can be replaced', () => {
    const [balancer, ...others] = ofType('AWS::ElasticLoadBalancingV2::LoadBalancer');
    assert.equal(others.length, 0);
    assert.equal(balancer!.Properties.Scheme, 'internet-facing');
    assert.equal(balancer!.Properties.IpAddressType, 'ipv4');
    assert.equal(balancer!.Properties.Name, undefined);
    assert.deepEqual(balancer!.Properties.Subnets, { 'Fn::Split': [',', importOf('wimpy-production', 'PublicSubnetIds')] });
    assert.deepEqual(balancer!.Properties.SecurityGroups, [{ Ref: 'SecurityGroup' }]);
  });

  test("logs every request into the account's log bucket, under load-balancers/", () => {
    const attributes = Object.fromEntries(ofType('AWS::ElasticLoadBalancingV2::LoadBalancer')[0]!.Properties.LoadBalancerAttributes.map((attribute: Plain) => [attribute.Key, attribute.Value]));
    assert.deepEqual(attributes, {
      'routing.http.drop_invalid_header_fields.enabled': 'true',
      'access_logs.s3.enabled': 'true',
      'access_logs.s3.bucket': { 'Fn::ImportValue': 'wimpy-base-LogBucketName' },
      'access_logs.s3.prefix': 'load-balancers',
    });
  });

  test("serves HTTPS with the zone's certificate and a TLS 1.3 policy, answering 404 to a hostname no rule names", () => {
    const https = listener(443);
    assert.equal(https.Protocol, 'HTTPS');
    assert.deepEqual(https.Certificates, [{ CertificateArn: { Ref: 'CertificateArn' } }]);
    assert.equal(https.SslPolicy, 'ELBSecurityPolicy-TLS13-1-2-2021-06');
    assert.deepEqual(https.DefaultActions.map((action: Plain) => [action.Type, action.FixedResponseConfig?.StatusCode]), [['fixed-response', '404']]);
    assert.deepEqual(ofType('AWS::ElasticLoadBalancingV2::ListenerRule'), [], "the rules are the deploys': an update of this stack never touches the traffic");
  });

  test('answers plain HTTP with a permanent redirect to HTTPS', () => {
    const http = listener(80);
    assert.equal(http.Protocol, 'HTTP');
    assert.deepEqual(http.DefaultActions, [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', Host: '#{host}', Path: '/#{path}', Query: '#{query}', StatusCode: 'HTTP_301' } }]);
  });

  test('its security group admits the internet on 80 and 443 only, and lets nothing out but what each application behind it opens', () => {
    const group = ofType('AWS::EC2::SecurityGroup')[0]!.Properties;
    assert.deepEqual(group.SecurityGroupIngress.map((rule: Plain) => [rule.FromPort, rule.ToPort, rule.CidrIp ?? rule.CidrIpv6]), [[80, 80, '0.0.0.0/0'], [80, 80, '::/0'], [443, 443, '0.0.0.0/0'], [443, 443, '::/0']]);
    assert.deepEqual(group.SecurityGroupEgress.map((rule: Plain) => rule.CidrIp), ['255.255.255.255/32']);
  });

  test('exports what releases, previews and resources stacks import', () => {
    assert.deepEqual(Object.keys(template.Outputs).sort(), ['HttpsListenerArn', 'LoadBalancerArn', 'LoadBalancerDnsName', 'LoadBalancerFullName', 'LoadBalancerHostedZoneId', 'LoadBalancerSecurityGroupId']);
    assert.deepEqual(template.Outputs.HttpsListenerArn.Export, { Name: 'awesome-application-production-load-balancer-HttpsListenerArn' });
  });
});
