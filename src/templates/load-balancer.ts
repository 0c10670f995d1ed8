import { BASE_STACK, digest, environmentStack, loadBalancerStack } from '../config/names.js';
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
 * reaches no release. No rule that forwards to a release is in this template, so that an update
 * of this stack (a new certificate, a new domain) never touches the traffic.
 *
 * The environment's own domains (config/sections/domains.ts) are here, so that destroy removes
 * them with the load balancer and no deploy has to change them: their certificates beside the
 * zone's (SNI picks one by hostname), their alias records, and the rules that redirect the
 * redirect-domains. They are served by the main hostname's rule, which the deploys move.
 */
export interface LoadBalancerOptions {
  readonly application: string;
  readonly environment: string;
  readonly domains?: ListenerDomains;
}

/** The domains of the environment, as the load balancer's stack holds them. */
export interface ListenerDomains {
  /** Each hostname (domains and redirects) and the id of the public zone that holds it: an alias record each. */
  readonly records: readonly { readonly hostname: string; readonly zoneId: string }[];
  /** The wildcard certificates (by the name they cover, `*.NAME` and `NAME`) besides the zone's: a parameter each. */
  readonly certificates: readonly string[];
  /** Hostnames answered with a 301 to `redirectTo`. */
  readonly redirects: readonly string[];
  readonly redirectTo?: string;
}

export const CERTIFICATE_PARAMETER = 'CertificateArn';

/** The parameter of the certificate for `*.NAME` and `NAME`, stable for the name. */
export function domainCertificateParameter(name: string): string {
  return `DomainCertificate${digest(name, 10)}`;
}

/** The listener's rule priorities: AWS takes 1 to 50000. */
export const MAX_RULE_PRIORITY = 50_000;
/**
 * The last priorities belong to this stack's redirect rules; the rules the deploys create take
 * the others (listener-traffic.ts), so that the two never reach for the same priority.
 */
export const STACK_RULE_PRIORITIES = 100;
/** Elastic Load Balancing takes 5 condition values a rule: a redirect rule names 5 hostnames at most. */
export const HOSTS_PER_RULE = 5;

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

const ALIAS_TYPES = ['A', 'AAAA'] as const;

/** The logical id of a domain's alias record of one type: the run's report finds its change by it. */
export function aliasRecordId(hostname: string, type: (typeof ALIAS_TYPES)[number]): string {
  return `Alias${digest(hostname, 10)}${type}`;
}
const CERTIFICATE_PATTERN = '^arn:aws[a-z-]*:acm:[a-z0-9-]+:\\d{12}:certificate/[A-Za-z0-9-]+$';

/**
 * The resources of the environment's domains: a listener certificate per certificate, an alias
 * record per hostname and type (A and AAAA, as the main hostname has), and the redirect rules.
 */
function domainResources(domains: ListenerDomains): Record<string, unknown> {
  const resources: Record<string, unknown> = {};
  for (const name of domains.certificates) {
    resources[`ListenerCertificate${digest(name, 10)}`] = {
      Type: 'AWS::ElasticLoadBalancingV2::ListenerCertificate',
      Properties: { ListenerArn: { Ref: 'HttpsListener' }, Certificates: [{ CertificateArn: { Ref: domainCertificateParameter(name) } }] },
    };
  }
  for (const { hostname, zoneId } of domains.records) {
    for (const type of ALIAS_TYPES) {
      resources[aliasRecordId(hostname, type)] = {
        Type: 'AWS::Route53::RecordSet',
        Properties: {
          HostedZoneId: zoneId,
          Name: `${hostname}.`,
          Type: type,
          AliasTarget: { DNSName: { 'Fn::GetAtt': ['LoadBalancer', 'DNSName'] }, HostedZoneId: { 'Fn::GetAtt': ['LoadBalancer', 'CanonicalHostedZoneID'] }, EvaluateTargetHealth: false },
        },
      };
    }
  }
  if (domains.redirectTo !== undefined) {
    for (let index = 0; index * HOSTS_PER_RULE < domains.redirects.length; index += 1) {
      resources[`RedirectRule${index + 1}`] = {
        Type: 'AWS::ElasticLoadBalancingV2::ListenerRule',
        Properties: {
          ListenerArn: { Ref: 'HttpsListener' },
          Priority: MAX_RULE_PRIORITY - index,
          Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: domains.redirects.slice(index * HOSTS_PER_RULE, (index + 1) * HOSTS_PER_RULE) } }],
          // A load balancer redirects with 301 or 302 only: 301, the permanent one.
          Actions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', Host: domains.redirectTo, Path: '/#{path}', Query: '#{query}', StatusCode: 'HTTP_301' } }],
        },
      };
    }
  }
  return resources;
}

export function loadBalancerTemplate(options: LoadBalancerOptions): Template {
  const { application, environment, domains } = options;
  const network = environmentStack(environment);
  const tags = resourceTags({ application, environment });
  const ref = (name: string) => ({ Ref: name });
  const getAtt = (resource: string, attribute: string) => ({ 'Fn::GetAtt': [resource, attribute] });
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `${application} in ${environment}: the load balancer every release and preview is behind (wimpy/deploy-action)`,
    Parameters: {
      [CERTIFICATE_PARAMETER]: { Type: 'String', AllowedPattern: CERTIFICATE_PATTERN, Description: "The zone's wildcard ACM certificate, for the HTTPS listener." },
      ...Object.fromEntries((domains?.certificates ?? []).map((name) => [domainCertificateParameter(name), { Type: 'String', AllowedPattern: CERTIFICATE_PATTERN, Description: `The wildcard ACM certificate of ${name}, for its domains.` }])),
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
      ...(domains ? domainResources(domains) : {}),
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
