import type { Nat } from '../config/types.js';
import { EXCEPTIONS, withExceptions } from './security-exceptions.js';

/**
 * How the instances of an environment's application subnets reach the internet (`nat` input).
 *
 * - `gateway`: AWS's managed NAT gateway. Scales to any traffic, no instance to look after, and
 *   the largest fixed line of a small team's bill (about 33 USD a month per environment, plus
 *   every gigabyte it processes).
 * - `instance`: one t4g.nano instance in the first public subnet that forwards and masquerades
 *   the subnets' traffic. About 3 USD a month and no per-gigabyte charge, for a single point of
 *   failure: when its host fails, AWS recovers it (the alarm below), and outbound traffic stops
 *   until it is back; its bandwidth is the instance's (a baseline of tens of Mbit/s, bursting higher).
 *
 * The two modes use different public addresses: a NAT gateway's address cannot move to an
 * instance while the gateway exists, and CloudFormation creates the new before it removes the
 * old. Switching changes the environment's outbound address (say so to anyone who allows it).
 */

/** Small enough for the outbound traffic of a few instances; Arm, the cheapest type that runs AL2023. */
export const NAT_INSTANCE_TYPE = 't4g.nano';

/** AWS's public parameter for the newest Amazon Linux 2023 image on Arm, resolved at every stack update. */
export const NAT_IMAGE_PARAMETER = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64';

export interface NatContext {
  /** The logical id of the first public subnet, where either kind lives. */
  readonly publicSubnet: string;
  /** The application subnets' ranges: the only sources a NAT instance forwards. */
  readonly sources: readonly string[];
  /** The environment's Tags property, for a resource's Name. */
  readonly named: (name: string) => unknown;
}

export interface NatResources {
  readonly resources: Record<string, unknown>;
  readonly parameters: Record<string, unknown>;
  /** The target of the application subnets' default route. */
  readonly route: Record<string, unknown>;
}

function gateway(context: NatContext): NatResources {
  return {
    parameters: {},
    resources: {
      NatAddress: { Type: 'AWS::EC2::EIP', DependsOn: ['InternetGatewayAttachment'], Properties: { Domain: 'vpc', Tags: context.named('nat') } },
      // One NAT gateway, not one per zone: it costs as much as a small fleet, and the teams this
      // product serves have no platform team to pay for it twice. Losing its zone stops outbound
      // traffic only; the load balancer keeps serving from both zones.
      NatGateway: {
        Type: 'AWS::EC2::NatGateway',
        Properties: { AllocationId: { 'Fn::GetAtt': ['NatAddress', 'AllocationId'] }, SubnetId: { Ref: context.publicSubnet }, Tags: context.named('nat') },
      },
    },
    route: { NatGatewayId: { Ref: 'NatGateway' } },
  };
}

/**
 * The instance's first boot: forward IPv4 and masquerade what comes from the application
 * subnets out of its default interface. iptables-services keeps the rules over reboots (and
 * over AWS's recovery, which reboots it); `dnf` retries while the public address comes up.
 */
function natUserData(sources: readonly string[]): string {
  return [
    '#!/bin/bash',
    'set -euo pipefail',
    'for attempt in 1 2 3 4 5 6 7 8 9 10; do dnf install -y iptables-services && break; sleep 6; done',
    'systemctl enable --now iptables',
    "echo 'net.ipv4.ip_forward = 1' > /etc/sysctl.d/90-nat.conf",
    'sysctl --system',
    "interface=$(ip -4 route show default | awk '{print $5; exit}')",
    'iptables -F FORWARD',
    ...sources.map((source) => `iptables -t nat -A POSTROUTING -o "$interface" -s ${source} -j MASQUERADE`),
    'service iptables save',
    '',
  ].join('\n');
}

const FORWARDED = [
  { IpProtocol: 'tcp', FromPort: 0, ToPort: 65535 },
  { IpProtocol: 'udp', FromPort: 0, ToPort: 65535 },
  { IpProtocol: 'icmp', FromPort: -1, ToPort: -1 },
] as const;

function instance(context: NatContext): NatResources {
  return {
    parameters: {
      NatImageId: {
        Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
        Default: NAT_IMAGE_PARAMETER,
        Description: 'The NAT instance\'s image: the newest Amazon Linux 2023 for Arm when the stack is updated.',
      },
    },
    resources: {
      NatInstanceSecurityGroup: {
        Type: 'AWS::EC2::SecurityGroup',
        Properties: {
          GroupDescription: 'NAT instance: forwards what the application subnets send out, accepts nothing else',
          VpcId: { Ref: 'Vpc' },
          // TCP, UDP and ICMP: what applications send out (ICMP for path MTU discovery and ping).
          SecurityGroupIngress: context.sources.flatMap((source) => FORWARDED.map((rule) => ({ ...rule, CidrIp: source, Description: `Outbound ${rule.IpProtocol} of the application subnet ${source}` }))),
          SecurityGroupEgress: [{ IpProtocol: '-1', CidrIp: '0.0.0.0/0', Description: 'The internet, on behalf of the application subnets' }],
          Tags: context.named('nat'),
        },
      },
      // A launch template only to require IMDSv2, which an instance cannot set by itself.
      NatInstanceLaunchTemplate: {
        Type: 'AWS::EC2::LaunchTemplate',
        Properties: {
          LaunchTemplateData: {
            MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' },
          },
        },
      },
      NatInstance: withExceptions({
        Type: 'AWS::EC2::Instance',
        DependsOn: ['InternetGatewayAttachment'],
        Properties: {
          ImageId: { Ref: 'NatImageId' },
          InstanceType: NAT_INSTANCE_TYPE,
          LaunchTemplate: { LaunchTemplateId: { Ref: 'NatInstanceLaunchTemplate' }, Version: { 'Fn::GetAtt': ['NatInstanceLaunchTemplate', 'LatestVersionNumber'] } },
          // It forwards packets that are neither from nor for itself.
          SourceDestCheck: false,
          // Standard credits: a NAT instance that ran hot for a month must not bill more than its price.
          CreditSpecification: { CPUCredits: 'standard' },
          // A public address at launch, so that its first boot can install what it needs before
          // the elastic address below replaces it.
          NetworkInterfaces: [{ DeviceIndex: '0', SubnetId: { Ref: context.publicSubnet }, AssociatePublicIpAddress: true, GroupSet: [{ Ref: 'NatInstanceSecurityGroup' }] }],
          BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 8, VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: true } }],
          UserData: { 'Fn::Base64': natUserData(context.sources) },
          Tags: context.named('nat'),
        },
      }, EXCEPTIONS.natInstanceMonitoring, EXCEPTIONS.natInstanceTermination),
      NatInstanceAddress: { Type: 'AWS::EC2::EIP', Properties: { Domain: 'vpc', InstanceId: { Ref: 'NatInstance' }, Tags: context.named('nat-instance') } },
      // AWS moves the instance to healthy hardware, with its address and disk, when the host fails.
      NatInstanceRecovery: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          AlarmDescription: 'The NAT instance\'s host failed its status check: AWS recovers the instance onto healthy hardware',
          Namespace: 'AWS/EC2',
          MetricName: 'StatusCheckFailed_System',
          Dimensions: [{ Name: 'InstanceId', Value: { Ref: 'NatInstance' } }],
          Statistic: 'Maximum',
          Period: 60,
          EvaluationPeriods: 2,
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          AlarmActions: [{ 'Fn::Sub': 'arn:${AWS::Partition}:automate:${AWS::Region}:ec2:recover' }],
        },
      },
    },
    route: { InstanceId: { Ref: 'NatInstance' } },
  };
}

/** The resources of the chosen kind, and the target of the application subnets' default route. */
export function natResources(nat: Nat, context: NatContext): NatResources {
  return nat === 'instance' ? instance(context) : gateway(context);
}
