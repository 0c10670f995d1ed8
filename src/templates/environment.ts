import { BASE_STACK, environmentStack, notificationTopicName } from '../config/names.js';
import type { Template } from './template.js';
import { subnetPlan } from './network.js';
import { BASE_OUTPUTS, ENVIRONMENT_OUTPUTS, exportedOutputs, importOf } from './outputs.js';
import { resourceTags } from './tags.js';

export interface EnvironmentOptions {
  readonly environment: string;
  /** From `cidrFor`: the environment's own 10.N.0.0/16. */
  readonly cidr: string;
}

type Tier = 'Public' | 'Application' | 'Database';
const ZONES = [0, 1] as const;

/** The n-th availability zone of the region the stack is deployed in, looked up by CloudFormation. */
const zone = (index: number) => ({ 'Fn::Select': [index, { 'Fn::GetAZs': '' }] });
const subnetId = (tier: Tier, index: number) => `${tier}Subnet${index + 1}`;
const subnetIds = (tier: Tier) => ({ 'Fn::Join': [',', ZONES.map((index) => ({ Ref: subnetId(tier, index) }))] });

/**
 * The environment's notifications, for the people on call for it: every Auto Scaling group of
 * the environment reports its launches and terminations here, and the action one message per
 * deploy, rollback and promote. Encrypted with the master key; subscriptions belong to each
 * application's resources stack, so that no application's run removes another's subscribers.
 */
function notificationTopic(environment: string): Record<string, unknown> {
  return {
    Type: 'AWS::SNS::Topic',
    Properties: {
      TopicName: notificationTopicName(environment),
      DisplayName: `Wimpy ${environment}`,
      KmsMasterKeyId: importOf(BASE_STACK, BASE_OUTPUTS.kmsKeyArn),
      Tags: resourceTags({ application: 'wimpy', environment }),
    },
  };
}

/**
 * One environment's network, isolated from every other environment's: a VPC across two
 * availability zones with three tiers of subnets. Load balancers live in the public subnets,
 * instances in the application subnets (outbound only, through NAT), databases in subnets with
 * no route to the internet at all.
 */
export function environmentTemplate(options: EnvironmentOptions): Template {
  const { environment, cidr } = options;
  const plan = subnetPlan(cidr);
  const owner = { application: 'wimpy', environment };
  const named = (name: string) => resourceTags(owner, { Name: `${environmentStack(environment)}-${name}` });
  const vpc = { Ref: 'Vpc' };
  const resources: Record<string, unknown> = {
    Vpc: {
      Type: 'AWS::EC2::VPC',
      // Both DNS settings are needed for private names, the S3 endpoint and Session Manager.
      Properties: { CidrBlock: cidr, EnableDnsSupport: true, EnableDnsHostnames: true, Tags: named('vpc') },
    },
    InternetGateway: { Type: 'AWS::EC2::InternetGateway', Properties: { Tags: named('internet') } },
    InternetGatewayAttachment: { Type: 'AWS::EC2::VPCGatewayAttachment', Properties: { VpcId: vpc, InternetGatewayId: { Ref: 'InternetGateway' } } },
    PublicDefaultRoute: {
      Type: 'AWS::EC2::Route',
      DependsOn: ['InternetGatewayAttachment'],
      Properties: { RouteTableId: { Ref: 'PublicRouteTable' }, DestinationCidrBlock: '0.0.0.0/0', GatewayId: { Ref: 'InternetGateway' } },
    },
    NatAddress: { Type: 'AWS::EC2::EIP', DependsOn: ['InternetGatewayAttachment'], Properties: { Domain: 'vpc', Tags: named('nat') } },
    // One NAT gateway, not one per zone: it costs as much as a small fleet, and the teams this
    // product serves have no platform team to pay for it twice. Losing its zone stops outbound
    // traffic only; the load balancer keeps serving from both zones.
    NatGateway: {
      Type: 'AWS::EC2::NatGateway',
      Properties: { AllocationId: { 'Fn::GetAtt': ['NatAddress', 'AllocationId'] }, SubnetId: { Ref: subnetId('Public', 0) }, Tags: named('nat') },
    },
    ApplicationDefaultRoute: {
      Type: 'AWS::EC2::Route',
      Properties: { RouteTableId: { Ref: 'ApplicationRouteTable' }, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: { Ref: 'NatGateway' } },
    },
    // A gateway endpoint costs nothing and keeps image layers (ECR stores them in S3) and the
    // storage bucket's traffic off the NAT gateway, which charges for every gigabyte.
    StorageEndpoint: {
      Type: 'AWS::EC2::VPCEndpoint',
      Properties: {
        VpcId: vpc,
        ServiceName: { 'Fn::Sub': 'com.amazonaws.${AWS::Region}.s3' },
        VpcEndpointType: 'Gateway',
        RouteTableIds: [{ Ref: 'ApplicationRouteTable' }],
        Tags: named('s3'),
      },
    },
    // Every connection in and out of the network, accepted or rejected, into the account's log
    // bucket: what an investigation needs and what security reviews ask for first.
    FlowLog: {
      Type: 'AWS::EC2::FlowLog',
      Properties: {
        ResourceId: vpc,
        ResourceType: 'VPC',
        TrafficType: 'ALL',
        LogDestinationType: 's3',
        // At the bucket's root, AWS's own layout: AWSLogs/<account>/vpcflowlogs/<region>/..., apart
        // from the other logs' prefixes.
        LogDestination: { 'Fn::Sub': ['arn:${AWS::Partition}:s3:::${Bucket}', { Bucket: importOf(BASE_STACK, BASE_OUTPUTS.logBucketName) }] },
        MaxAggregationInterval: 600,
        Tags: named('flow-log'),
      },
    },
    NotificationTopic: notificationTopic(environment),
    NotificationTopicPolicy: {
      Type: 'AWS::SNS::TopicPolicy',
      Properties: {
        Topics: [{ Ref: 'NotificationTopic' }],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [{
            Sid: 'DenyPublishingWithoutTls',
            Effect: 'Deny',
            Principal: '*',
            Action: 'sns:Publish',
            Resource: { Ref: 'NotificationTopic' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }],
        },
      },
    },
  };
  const tiers: Record<Tier, readonly [string, string]> = { Public: plan.public, Application: plan.application, Database: plan.database };
  for (const [tier, ranges] of Object.entries(tiers) as [Tier, readonly [string, string]][]) {
    const lower = tier.toLowerCase();
    resources[`${tier}RouteTable`] = { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: vpc, Tags: named(lower) } };
    for (const index of ZONES) {
      const id = subnetId(tier, index);
      resources[id] = {
        Type: 'AWS::EC2::Subnet',
        // No public addresses even in public subnets: the load balancer does not need them.
        Properties: { VpcId: vpc, CidrBlock: ranges[index], AvailabilityZone: zone(index), MapPublicIpOnLaunch: false, Tags: named(`${lower}-${index + 1}`) },
      };
      resources[`${id}RouteTableAssociation`] = {
        Type: 'AWS::EC2::SubnetRouteTableAssociation',
        Properties: { SubnetId: { Ref: id }, RouteTableId: { Ref: `${tier}RouteTable` } },
      };
    }
  }
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Wimpy environment ${environment}: its own network across two availability zones`,
    Resources: resources,
    Outputs: exportedOutputs(environmentStack(environment), {
      [ENVIRONMENT_OUTPUTS.vpcId]: vpc,
      [ENVIRONMENT_OUTPUTS.vpcCidr]: { 'Fn::GetAtt': ['Vpc', 'CidrBlock'] },
      [ENVIRONMENT_OUTPUTS.publicSubnetIds]: subnetIds('Public'),
      [ENVIRONMENT_OUTPUTS.applicationSubnetIds]: subnetIds('Application'),
      [ENVIRONMENT_OUTPUTS.databaseSubnetIds]: subnetIds('Database'),
      [ENVIRONMENT_OUTPUTS.notificationTopicArn]: { Ref: 'NotificationTopic' },
    }),
  };
}
