import { BASE_STACK, environmentStack, loadBalancerStack } from '../config/names.js';
import { LOG_PREFIXES } from './log-delivery.js';
import { BASE_OUTPUTS, ENVIRONMENT_OUTPUTS, LOAD_BALANCER_OUTPUTS, exportedOutputs, importOf } from './outputs.js';
import { PUBLIC_PORTS } from './resources.js';
import { EXCEPTIONS, withExceptions } from './security-exceptions.js';
import { resourceTags } from './tags.js';
import type { Template } from './template.js';

/**
 * The application's one load balancer in an environment: its security group, the HTTPS listener
 * with the zone's wildcard certificate, and the HTTP listener that redirects to HTTPS. Releases
 * and previews are target groups behind it, reached by host rules that the deploys move
 * (ForwardConfig weights, one ModifyRule per step): no release owns a load balancer, and no deploy
 * changes DNS, which holds one plain alias record per hostname.
 *
 * The HTTPS listener's default action answers 404: a request for a hostname no rule names
 * reaches no release. The rules are never in this template, so that an update of this stack
 * (a new certificate) never touches the traffic.
 */
export interface LoadBalancerOptions {
  readonly application: string;
  readonly environment: string;
}

export const CERTIFICATE_PARAMETER = 'CertificateArn';

/** The listener's rule priorities: AWS takes 1 to 50000. */
export const MAX_RULE_PRIORITY = 50_000;

/**
 * Who may reach the instances is each resources stack's to say (resources.ts adds an egress rule
 * to its own instances on this group): this group admits nothing outbound by itself. A rule that
 * matches nothing replaces the default allow-all, which CloudFormation otherwise adds.
 */
const NO_OUTBOUND = { IpProtocol: 'icmp', FromPort: 252, ToPort: 86, CidrIp: '255.255.255.255/32', Description: 'No outbound traffic but the rules of the applications behind it' };

const tcp = (port: number) => ({ IpProtocol: 'tcp', FromPort: port, ToPort: port });

/**
 * An internet-facing application load balancer in the environment's public subnets, logging
 * every request into the account's log bucket: the application's, and a release's own of the
 * first layout (exactly as it was, so that CloudFormation leaves it alone).
 */
export function applicationLoadBalancer(environment: string, securityGroups: readonly unknown[], tags: readonly unknown[]): Record<string, unknown> {
  return {
    Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
    // Unnamed: CloudFormation cannot replace a resource with a fixed name, and a change such
    // as the scheme replaces a load balancer; the generated name starts with the stack's.
    Properties: {
      Type: 'application',
      Scheme: 'internet-facing',
      // dualstack would need IPv6 in the environment's VPC, which it does not have.
      IpAddressType: 'ipv4',
      Subnets: { 'Fn::Split': [',', importOf(environmentStack(environment), ENVIRONMENT_OUTPUTS.publicSubnetIds)] },
      SecurityGroups: securityGroups,
      LoadBalancerAttributes: [
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        // Every request, into the account's log bucket (SSE-S3: the only encryption ELB delivers to).
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: importOf(BASE_STACK, BASE_OUTPUTS.logBucketName) },
        { Key: 'access_logs.s3.prefix', Value: LOG_PREFIXES.loadBalancers },
      ],
      Tags: tags,
    },
  };
}

/** HTTPS on 443 with a TLS 1.3 policy; listeners carry no tags (AWS's template linter rejects them). */
export function httpsListener(certificate: unknown, defaultActions: readonly unknown[]): Record<string, unknown> {
  return {
    Type: 'AWS::ElasticLoadBalancingV2::Listener',
    Properties: {
      LoadBalancerArn: { Ref: 'LoadBalancer' },
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: certificate }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      DefaultActions: defaultActions,
    },
  };
}

/** Plain HTTP on 80, answered with a permanent redirect to HTTPS. */
export const HTTP_REDIRECT_LISTENER = {
  Type: 'AWS::ElasticLoadBalancingV2::Listener',
  Properties: {
    LoadBalancerArn: { Ref: 'LoadBalancer' },
    Port: 80,
    Protocol: 'HTTP',
    DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', Host: '#{host}', Path: '/#{path}', Query: '#{query}', StatusCode: 'HTTP_301' } }],
  },
} as const;

export function loadBalancerTemplate(options: LoadBalancerOptions): Template {
  const { application, environment } = options;
  const network = environmentStack(environment);
  const tags = resourceTags({ application, environment });
  const ref = (name: string) => ({ Ref: name });
  const getAtt = (resource: string, attribute: string) => ({ 'Fn::GetAtt': [resource, attribute] });
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `${application} in ${environment}: the load balancer every release and preview is behind (wimpy/deploy-action)`,
    Parameters: {
      [CERTIFICATE_PARAMETER]: { Type: 'String', AllowedPattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:\\d{12}:certificate/[A-Za-z0-9-]+$', Description: "The zone's wildcard ACM certificate, for the HTTPS listener." },
    },
    Resources: {
      SecurityGroup: withExceptions({
        Type: 'AWS::EC2::SecurityGroup',
        Properties: {
          GroupDescription: `${application} ${environment} load balancer: HTTP and HTTPS from the internet`,
          VpcId: importOf(network, ENVIRONMENT_OUTPUTS.vpcId),
          SecurityGroupIngress: PUBLIC_PORTS.flatMap((port) => [
            { ...tcp(port), CidrIp: '0.0.0.0/0', Description: 'The internet, over IPv4' },
            { ...tcp(port), CidrIpv6: '::/0', Description: 'The internet, over IPv6' },
          ]),
          SecurityGroupEgress: [NO_OUTBOUND],
          Tags: tags,
        },
      }, EXCEPTIONS.publicLoadBalancer),
      LoadBalancer: applicationLoadBalancer(environment, [ref('SecurityGroup')], tags),
      // The default answers a hostname no rule names: no release.
      HttpsListener: httpsListener(ref(CERTIFICATE_PARAMETER), [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'No application answers this hostname here.' } }]),
      HttpListener: HTTP_REDIRECT_LISTENER,
    },
    Outputs: exportedOutputs(loadBalancerStack(application, environment), {
      [LOAD_BALANCER_OUTPUTS.loadBalancerArn]: ref('LoadBalancer'),
      [LOAD_BALANCER_OUTPUTS.loadBalancerFullName]: getAtt('LoadBalancer', 'LoadBalancerFullName'),
      [LOAD_BALANCER_OUTPUTS.dnsName]: getAtt('LoadBalancer', 'DNSName'),
      [LOAD_BALANCER_OUTPUTS.canonicalHostedZoneId]: getAtt('LoadBalancer', 'CanonicalHostedZoneID'),
      [LOAD_BALANCER_OUTPUTS.httpsListenerArn]: ref('HttpsListener'),
      [LOAD_BALANCER_OUTPUTS.securityGroupId]: getAtt('SecurityGroup', 'GroupId'),
    }),
  };
}
