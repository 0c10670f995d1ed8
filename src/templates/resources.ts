import { BASE_STACK, accessScope, databaseStack, releaseCluster, environmentStack, loadBalancerStack, logGroupName, parameterPath, repositoryName, resourcesStack, storagePrefix } from '../config/names.js';
import type { DatabaseEngine, Egress } from '../config/types.js';
import { DATABASE_OUTPUTS, ENGINE_PORTS, databaseSecretReading } from './database.js';
import type { Template } from './template.js';
import { BASE_OUTPUTS, ENVIRONMENT_OUTPUTS, LOAD_BALANCER_OUTPUTS, RESOURCES_OUTPUTS, exportedOutputs, importOf } from './outputs.js';
import { EXCEPTIONS, instanceRoleWildcards, resourceFinding, withExceptions } from './security-exceptions.js';
import { resourceTags } from './tags.js';

export interface ResourcesOptions {
  readonly application: string;
  readonly environment: string;
  /** The environment whose network the security groups belong to. */
  readonly networkEnvironment: string;
  /** The port the application's container listens on. */
  readonly port: number;
  /** E-mail addresses subscribed to the environment's notifications for this application. */
  readonly subscribers?: readonly string[];
  /** Where the instances may connect; anywhere when absent. */
  readonly egress?: Egress;
  /** Days the log group keeps container and boot logs. */
  readonly logRetentionDays: number;
  /**
   * The application has a release command or schedules: an ECS cluster to run them in (free
   * while idle), and the instance role may be taken by their one-off tasks, so that they run with the instances'
   * permissions and no others.
   */
  readonly releaseTasks?: boolean;
  /**
   * The database of another environment that these instances use (a preview's with
   * preview-database: staging): its secret becomes readable by the instance role, and its
   * security group opens its engine's port to these instances; both go with this stack.
   */
  readonly sharedDatabase?: { readonly environment: string; readonly engine: DatabaseEngine };
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

/**
 * The stack parameter that says the log group outlived an earlier resources stack (log groups are
 * kept when a stack goes): the template then leaves it alone instead of failing to create a
 * second one of the same name. The engine reads it from the stack, or from CloudWatch Logs when
 * the stack is new.
 */
export const KEEPS_LOG_GROUP = 'LogGroupAlreadyExists';
const CREATES_LOG_GROUP = 'CreatesLogGroup';

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

/** The ARNs the instance role's own wildcards stand in, named once for the policy and its suppressions. */
function instanceResources(application: string, environment: string) {
  const bucket = importOf(BASE_STACK, BASE_OUTPUTS.storageBucketName);
  // A preview's logs are its own; its secrets and storage are the previews' own (accessScope), never staging's.
  const logGroup = logGroupName(application, environment);
  const parameters = parameterPath(application, accessScope(environment));
  return {
    logGroup: arn(`logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${logGroup}`),
    logStreams: arn(`logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${logGroup}:log-stream:*`),
    // Joined rather than substituted, so that a suppression can name them without a `${` of its own.
    storageBucket: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', bucket]] },
    storageObjects: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', bucket, `/${storagePrefix(application, accessScope(environment))}*`]] },
    // GetParametersByPath names the path itself, without the trailing slash.
    secretsPath: arn(`ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${parameters.replace(/\/$/, '')}`),
    secrets: arn(`ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${parameters}*`),
  };
}

function instancePolicy(application: string, environment: string): Record<string, unknown> {
  const prefix = storagePrefix(application, accessScope(environment));
  const own = instanceResources(application, environment);
  const masterKey = importOf(BASE_STACK, BASE_OUTPUTS.kmsKeyArn);
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
        Resource: [own.logGroup, own.logStreams],
      },
      {
        Sid: 'UseItsOwnStoragePrefix',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        Resource: own.storageObjects,
      },
      {
        Sid: 'ListItsOwnStoragePrefix',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: own.storageBucket,
        Condition: { StringLike: { 's3:prefix': [prefix, `${prefix}*`] } },
      },
      {
        // The master key only as S3 uses it for the storage bucket (whose bucket key makes the
        // bucket its encryption context), never directly: the application's own KMS calls, and
        // other services' data encrypted with the key, stay out of reach.
        Sid: 'UseTheMasterKeyThroughTheStorageBucket',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: masterKey,
        Condition: {
          StringEquals: { 'kms:ViaService': { 'Fn::Sub': 's3.${AWS::Region}.amazonaws.com' } },
          ArnLike: { 'kms:EncryptionContext:aws:s3:arn': [own.storageBucket, own.storageObjects] },
        },
      },
      {
        Sid: 'ReadItsOwnSecrets',
        Effect: 'Allow',
        Action: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'],
        Resource: [own.secretsPath, own.secrets],
      },
      {
        // Secrets that are SecureString parameters encrypted with the master key: decrypted only
        // by SSM, and only for the parameters of its own path.
        Sid: 'DecryptItsOwnSecretsThroughSsm',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: masterKey,
        Condition: {
          StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' } },
          ArnLike: { 'kms:EncryptionContext:PARAMETER_ARN': own.secrets },
        },
      },
      // No CloudFormation permission: each application stack lets the role signal that stack
      // alone, by its exact id (see application.ts), so no name pattern can reach another
      // application's stacks.
    ],
  };
}

/** The role's wildcards that are left, each named with its reason (see security-exceptions.ts). */
function instanceRoleExceptions(application: string, environment: string) {
  const own = instanceResources(application, environment);
  return [
    EXCEPTIONS.registrySignIn,
    instanceRoleWildcards({ logStreams: resourceFinding(own.logStreams), storageObjects: resourceFinding(own.storageObjects), secrets: resourceFinding(own.secrets) }),
  ];
}

/**
 * Access to the database of another environment of the application (staging's, for a preview),
 * and to nothing else of it: its one secret, and its engine's port from these instances only.
 * The rules and the grant are this stack's resources, so they go when the preview goes, and the
 * imports keep that database's stack from being removed while a preview still uses it.
 */
function sharedDatabaseAccess(application: string, environment: string, shared: NonNullable<ResourcesOptions['sharedDatabase']>): Record<string, unknown> {
  const port = ENGINE_PORTS[shared.engine];
  const theirs = importOf(resourcesStack(application, shared.environment), RESOURCES_OUTPUTS.databaseSecurityGroupId);
  const ours = { 'Fn::GetAtt': ['InstanceSecurityGroup', 'GroupId'] };
  return {
    ReadTheSharedDatabaseSecret: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: `database-secret-of-${shared.environment}`,
        Roles: [{ Ref: 'InstanceRole' }],
        PolicyDocument: databaseSecretReading(importOf(databaseStack(application, shared.environment), DATABASE_OUTPUTS.secretName)),
      },
    },
    SharedDatabaseIngressFromInstances: {
      Type: 'AWS::EC2::SecurityGroupIngress',
      Properties: { GroupId: theirs, ...tcp(port), SourceSecurityGroupId: ours, Description: `The instances of ${application} ${environment}` },
    },
    InstanceEgressToSharedDatabase: {
      Type: 'AWS::EC2::SecurityGroupEgress',
      Properties: { GroupId: ours, ...tcp(port), DestinationSecurityGroupId: theirs, Description: `The database of ${application} ${shared.environment}` },
    },
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
  // The application's one load balancer in the network: staging's for a preview, whose
  // instances (with their own role, never staging's secrets) it reaches on their port alone.
  const sharedLoadBalancerGroup = importOf(loadBalancerStack(application, networkEnvironment), LOAD_BALANCER_OUTPUTS.securityGroupId);
  const resources: Record<string, unknown> = {
    // The group of the load balancer each release had of its own before the application's one
    // load balancer: those releases keep serving through it until they are removed.
    LoadBalancerSecurityGroup: withExceptions({
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
    }, EXCEPTIONS.publicLoadBalancer),
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
    InstanceIngressFromSharedLoadBalancer: {
      Type: 'AWS::EC2::SecurityGroupIngress',
      Properties: { GroupId: groupId('InstanceSecurityGroup'), ...tcp(port), SourceSecurityGroupId: sharedLoadBalancerGroup, Description: "The application's load balancer" },
    },
    // The load balancer's group lets nothing out by itself (load-balancer.ts): each application
    // and preview behind it opens the way to its own instances, and closes it when it goes.
    SharedLoadBalancerEgressToInstances: {
      Type: 'AWS::EC2::SecurityGroupEgress',
      Properties: { GroupId: sharedLoadBalancerGroup, ...tcp(port), DestinationSecurityGroupId: groupId('InstanceSecurityGroup'), Description: `${application} ${environment} instances` },
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
    InstanceRole: withExceptions({
      Type: 'AWS::IAM::Role',
      Properties: {
        Description: `Instances of ${application} in ${environment}`,
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
            // The release command's tasks, of this account only (ECS pulls their image and reads their secrets with it too).
            ...(options.releaseTasks ? [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }] : []),
          ],
        },
        Policies: [{ PolicyName: 'application', PolicyDocument: instancePolicy(application, environment) }],
        Tags: tags,
      },
    }, ...instanceRoleExceptions(application, environment)),
    InstanceProfile: { Type: 'AWS::IAM::InstanceProfile', Properties: { Roles: [{ Ref: 'InstanceRole' }] } },
    LogGroup: {
      Type: 'AWS::Logs::LogGroup',
      Condition: CREATES_LOG_GROUP,
      // Logs outlive the stack, as the buckets do: destroy removes them only when asked (destroy-logs).
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        LogGroupName: logGroupName(application, environment),
        RetentionInDays: options.logRetentionDays,
        KmsKeyId: importOf(BASE_STACK, BASE_OUTPUTS.kmsKeyArn),
        Tags: tags,
      },
    },
  };
  if (options.releaseTasks) {
    resources.ReleaseCluster = withExceptions({
      Type: 'AWS::ECS::Cluster',
      Properties: { ClusterName: releaseCluster(application, environment), Tags: tags.map(({ Key, Value }) => ({ Key, Value })) },
    }, EXCEPTIONS.releaseClusterInsights);
  }
  if (options.sharedDatabase) Object.assign(resources, sharedDatabaseAccess(application, environment, options.sharedDatabase));
  for (const databasePort of DATABASE_PORTS) {
    resources[`DatabaseIngressFromInstances${databasePort}`] = {
      Type: 'AWS::EC2::SecurityGroupIngress',
      Properties: { GroupId: groupId('DatabaseSecurityGroup'), ...tcp(databasePort), SourceSecurityGroupId: groupId('InstanceSecurityGroup'), Description: 'The application instances' },
    };
  }
  const topic = importOf(environmentStack(networkEnvironment), ENVIRONMENT_OUTPUTS.notificationTopicArn);
  for (const [index, address] of (options.subscribers ?? []).entries()) {
    // Each address confirms its subscription from the e-mail AWS sends it; until then it gets nothing.
    resources[`NotificationSubscriber${index + 1}`] = { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: topic, Protocol: 'email', Endpoint: address } };
  }
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Wimpy resources of ${application} in ${environment}: security groups, instance role, log group`,
    Parameters: {
      [KEEPS_LOG_GROUP]: { Type: 'String', AllowedValues: ['true', 'false'], Default: 'false', Description: 'true when the log group outlived an earlier stack of these resources and is kept as it is.' },
    },
    Conditions: { [CREATES_LOG_GROUP]: { 'Fn::Equals': [{ Ref: KEEPS_LOG_GROUP }, 'false'] } },
    Resources: resources,
    Outputs: exportedOutputs(resourcesStack(application, environment), {
      [RESOURCES_OUTPUTS.loadBalancerSecurityGroupId]: groupId('LoadBalancerSecurityGroup'),
      [RESOURCES_OUTPUTS.instanceSecurityGroupId]: groupId('InstanceSecurityGroup'),
      [RESOURCES_OUTPUTS.databaseSecurityGroupId]: groupId('DatabaseSecurityGroup'),
      [RESOURCES_OUTPUTS.instanceProfileArn]: { 'Fn::GetAtt': ['InstanceProfile', 'Arn'] },
      [RESOURCES_OUTPUTS.instanceProfileName]: { Ref: 'InstanceProfile' },
      [RESOURCES_OUTPUTS.instanceRoleArn]: { 'Fn::GetAtt': ['InstanceRole', 'Arn'] },
      // The name, not a reference: the log group may be one that an earlier stack left.
      [RESOURCES_OUTPUTS.logGroupName]: logGroupName(application, environment),
      [RESOURCES_OUTPUTS.instanceRoleName]: { Ref: 'InstanceRole' },
    }),
  };
}
