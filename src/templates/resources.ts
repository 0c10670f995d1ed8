import { BASE_STACK, accessScope, environmentStack, logGroupName, parameterPath, repositoryName, resourcesStack, rollingStack, storagePrefix } from '../config/names.js';
import type { Egress } from '../config/types.js';
import type { Template } from '../engine/ports.js';
import { BASE_OUTPUTS, ENVIRONMENT_OUTPUTS, RESOURCES_OUTPUTS, exportedOutputs, importOf } from './outputs.js';
import { resourceTags } from './tags.js';

export interface ResourcesOptions {
  readonly application: string;
  readonly environment: string;
  /** The environment whose network the security groups belong to. */
  readonly networkEnvironment: string;
  /** The port the application's container listens on. */
  readonly port: number;
  /** Where the instances may connect; anywhere when absent. */
  readonly egress?: Egress;
  /** Days the log group keeps container and boot logs. */
  readonly logRetentionDays: number;
}

/** The instances' outbound rules: anywhere (AWS's own default), or the listed TCP ports anywhere. */
function outbound(egress: Egress): Record<string, unknown>[] {
  if (egress === 'all') return [{ IpProtocol: '-1', CidrIp: '0.0.0.0/0', Description: 'Anywhere, as AWS allows by default (egress: all)' }];
  return egress.map(({ from, to }) => ({
    IpProtocol: 'tcp',
    FromPort: from,
    ToPort: to,
    CidrIp: '0.0.0.0/0',
    Description: from === 443 && to === 443 ? 'HTTPS to AWS APIs and the internet' : `TCP ${from === to ? from : `${from}-${to}`} (egress)`,
  }));
}

/** PostgreSQL and MySQL/MariaDB (Aurora included): the databases applications use most. */
export const DATABASE_PORTS = [5432, 3306] as const;
/** The only ports the internet may reach, and only on the load balancer. */
export const PUBLIC_PORTS = [80, 443] as const;

const tcp = (port: number) => ({ IpProtocol: 'tcp', FromPort: port, ToPort: port });
const arn = (rest: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:${rest}` });

/** What the SSM agent needs to register the instance and carry Session Manager sessions. */
export const SESSION_MANAGER_ACTIONS = [
  'ssm:UpdateInstanceInformation',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
  'ec2messages:AcknowledgeMessage',
  'ec2messages:DeleteMessage',
  'ec2messages:FailMessage',
  'ec2messages:GetEndpoint',
  'ec2messages:GetMessages',
  'ec2messages:SendReply',
] as const;

function instancePolicy(application: string, environment: string): Record<string, unknown> {
  const bucket = importOf(BASE_STACK, BASE_OUTPUTS.storageBucketName);
  // A preview's secrets and storage are the previews' own (accessScope), never staging's.
  const prefix = storagePrefix(application, accessScope(environment));
  const parameters = parameterPath(application, accessScope(environment));
  const logGroup = logGroupName(application, environment);
  const stack = rollingStack(application, environment);
  // The rolling stack and every release stack of this environment.
  const stacks = [stack, `${stack}-*`];
  return {
    Version: '2012-10-17',
    Statement: [
      // ECR cannot scope the registry sign-in to a repository: it is account-wide by design.
      { Sid: 'SignInToTheRegistry', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      // Session Manager instead of SSH: access is audited and needs no open port or key. Only its
      // channel actions, which AWS does not scope: the managed AmazonSSMManagedInstanceCore would
      // also let every instance (and its container) read every SSM parameter of the account.
      { Sid: 'OpenSessionManagerChannels', Effect: 'Allow', Action: SESSION_MANAGER_ACTIONS, Resource: '*' },
      {
        Sid: 'PullTheApplicationImage',
        Effect: 'Allow',
        Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        Resource: arn(`ecr:\${AWS::Region}:\${AWS::AccountId}:repository/${repositoryName(application)}`),
      },
      {
        Sid: 'WriteTheApplicationLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        Resource: [
          arn(`logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${logGroup}`),
          arn(`logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${logGroup}:log-stream:*`),
        ],
      },
      {
        Sid: 'UseItsOwnStoragePrefix',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        Resource: { 'Fn::Sub': [`arn:\${AWS::Partition}:s3:::\${Bucket}/${prefix}*`, { Bucket: bucket }] },
      },
      {
        Sid: 'ListItsOwnStoragePrefix',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: { 'Fn::Sub': ['arn:${AWS::Partition}:s3:::${Bucket}', { Bucket: bucket }] },
        Condition: { StringLike: { 's3:prefix': [prefix, `${prefix}*`] } },
      },
      {
        // The storage bucket and the logs are encrypted with the master key.
        Sid: 'UseTheMasterKey',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: importOf(BASE_STACK, BASE_OUTPUTS.kmsKeyArn),
      },
      {
        Sid: 'ReadItsOwnSecrets',
        Effect: 'Allow',
        Action: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'],
        Resource: [
          // GetParametersByPath names the path itself, without the trailing slash.
          arn(`ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${parameters.replace(/\/$/, '')}`),
          arn(`ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${parameters}*`),
        ],
      },
      {
        // cfn-signal reports the instance healthy to its own stack, and to no other.
        Sid: 'SignalItsOwnStack',
        Effect: 'Allow',
        Action: ['cloudformation:SignalResource', 'cloudformation:DescribeStackResource'],
        Resource: stacks.map((name) => arn(`cloudformation:\${AWS::Region}:\${AWS::AccountId}:stack/${name}/*`)),
      },
    ],
  };
}

/**
 * What one application needs in one environment before its first instance starts: the
 * security groups that let the internet reach only the load balancer, the load balancer reach
 * only the application's port and the application reach only its databases; the instance role
 * with nothing beyond its own image, logs, storage prefix and secrets; and its log group.
 */
export function resourcesTemplate(options: ResourcesOptions): Template {
  const { application, environment, networkEnvironment, port } = options;
  const owner = { application, environment };
  const tags = resourceTags(owner);
  const vpcId = importOf(environmentStack(networkEnvironment), ENVIRONMENT_OUTPUTS.vpcId);
  const groupId = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'GroupId'] });
  const resources: Record<string, unknown> = {
    LoadBalancerSecurityGroup: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: `${application} ${environment} load balancer: HTTP and HTTPS from the internet`,
        VpcId: vpcId,
        SecurityGroupIngress: PUBLIC_PORTS.flatMap((publicPort) => [
          { ...tcp(publicPort), CidrIp: '0.0.0.0/0', Description: 'The internet, over IPv4' },
          { ...tcp(publicPort), CidrIpv6: '::/0', Description: 'The internet, over IPv6' },
        ]),
        SecurityGroupEgress: [{ ...tcp(port), DestinationSecurityGroupId: groupId('InstanceSecurityGroup'), Description: 'The application instances' }],
        Tags: tags,
      },
    },
    InstanceSecurityGroup: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        // No SSH: people reach instances through Session Manager, which needs no inbound port.
        GroupDescription: `${application} ${environment} instances: the application port from the load balancer only`,
        VpcId: vpcId,
        SecurityGroupEgress: [
          ...outbound(options.egress ?? 'all'),
          ...DATABASE_PORTS.map((databasePort) => ({ ...tcp(databasePort), DestinationSecurityGroupId: groupId('DatabaseSecurityGroup'), Description: 'The application databases' })),
        ],
        Tags: tags,
      },
    },
    // Separate rules: inline ones would make the groups refer to each other in a cycle.
    InstanceIngressFromLoadBalancer: {
      Type: 'AWS::EC2::SecurityGroupIngress',
      Properties: { GroupId: groupId('InstanceSecurityGroup'), ...tcp(port), SourceSecurityGroupId: groupId('LoadBalancerSecurityGroup'), Description: 'The load balancer' },
    },
    DatabaseSecurityGroup: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: `${application} ${environment} databases: PostgreSQL and MySQL from the application instances only`,
        VpcId: vpcId,
        // A database answers, it never calls out. A rule that matches nothing replaces the
        // default allow-all egress rule, which CloudFormation otherwise adds.
        SecurityGroupEgress: [{ IpProtocol: 'icmp', FromPort: 252, ToPort: 86, CidrIp: '255.255.255.255/32', Description: 'No outbound traffic' }],
        Tags: tags,
      },
    },
    InstanceRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        Description: `Instances of ${application} in ${environment}`,
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        },
        Policies: [{ PolicyName: 'application', PolicyDocument: instancePolicy(application, environment) }],
        Tags: tags,
      },
    },
    InstanceProfile: { Type: 'AWS::IAM::InstanceProfile', Properties: { Roles: [{ Ref: 'InstanceRole' }] } },
    LogGroup: {
      Type: 'AWS::Logs::LogGroup',
      Properties: {
        LogGroupName: logGroupName(application, environment),
        RetentionInDays: options.logRetentionDays,
        KmsKeyId: importOf(BASE_STACK, BASE_OUTPUTS.kmsKeyArn),
        Tags: tags,
      },
    },
  };
  for (const databasePort of DATABASE_PORTS) {
    resources[`DatabaseIngressFromInstances${databasePort}`] = {
      Type: 'AWS::EC2::SecurityGroupIngress',
      Properties: { GroupId: groupId('DatabaseSecurityGroup'), ...tcp(databasePort), SourceSecurityGroupId: groupId('InstanceSecurityGroup'), Description: 'The application instances' },
    };
  }
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Wimpy resources of ${application} in ${environment}: security groups, instance role, log group`,
    Resources: resources,
    Outputs: exportedOutputs(resourcesStack(application, environment), {
      [RESOURCES_OUTPUTS.loadBalancerSecurityGroupId]: groupId('LoadBalancerSecurityGroup'),
      [RESOURCES_OUTPUTS.instanceSecurityGroupId]: groupId('InstanceSecurityGroup'),
      [RESOURCES_OUTPUTS.databaseSecurityGroupId]: groupId('DatabaseSecurityGroup'),
      [RESOURCES_OUTPUTS.instanceProfileArn]: { 'Fn::GetAtt': ['InstanceProfile', 'Arn'] },
      [RESOURCES_OUTPUTS.instanceProfileName]: { Ref: 'InstanceProfile' },
      [RESOURCES_OUTPUTS.instanceRoleArn]: { 'Fn::GetAtt': ['InstanceRole', 'Arn'] },
      [RESOURCES_OUTPUTS.logGroupName]: { Ref: 'LogGroup' },
    }),
  };
}
