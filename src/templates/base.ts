import { BASE_STACK, logGroupName } from '../config/names.js';
import type { Template } from './template.js';
import { LOG_PREFIXES, LOG_RETENTION_DAYS, elbLegacyAccountCondition, elbLegacyAccountMapping } from './log-delivery.js';
import { BASE_OUTPUTS, exportedOutputs } from './outputs.js';
import { EXCEPTIONS, withExceptions } from './security-exceptions.js';
import { ACCOUNT_OWNER, resourceTags } from './tags.js';

export interface BaseOptions {
  /** Some organisations already run an organisation-wide trail and pay for none twice. */
  readonly cloudTrail: boolean;
}

const TRAIL_NAME = 'wimpy';
const TRAIL_ARN = { 'Fn::Sub': `arn:\${AWS::Partition}:cloudtrail:\${AWS::Region}:\${AWS::AccountId}:trail/${TRAIL_NAME}` };
const TRAIL_PREFIX = LOG_PREFIXES.cloudTrail;
const STORAGE_OLD_VERSION_DAYS = 90;
const ABORT_UPLOAD_DAYS = 7;
const KEY_ARN = { 'Fn::GetAtt': ['MasterKey', 'Arn'] };
const tags = resourceTags(ACCOUNT_OWNER);

/** What survives the stack: losing the key makes every log and stored object unreadable. */
const RETAIN = { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' } as const;

function keyPolicy(): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        // Without this the account could lose control of its own key; IAM policies decide who else may use it.
        Sid: 'AccountAdministersTheKey',
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'CloudTrailEncryptsItsLogs',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 'kms:GenerateDataKey*',
        Resource: '*',
        Condition: {
          StringEquals: { 'aws:SourceArn': TRAIL_ARN },
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': { 'Fn::Sub': 'arn:${AWS::Partition}:cloudtrail:*:${AWS::AccountId}:trail/*' } },
        },
      },
      {
        Sid: 'CloudTrailDescribesTheKey',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 'kms:DescribeKey',
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceArn': TRAIL_ARN } },
      },
      {
        // Auto Scaling publishes its notifications to the environments' topics, which the key
        // encrypts, as its service-linked role. Named by condition, not as the principal: a key
        // policy that names a role the account does not have yet (no group ever made) is refused.
        Sid: 'AutoScalingPublishesToEncryptedTopics',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        Resource: '*',
        Condition: {
          StringEquals: { 'kms:CallerAccount': { Ref: 'AWS::AccountId' }, 'kms:ViaService': { 'Fn::Sub': 'sns.${AWS::Region}.amazonaws.com' } },
          ArnEquals: { 'aws:PrincipalArn': { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling` } },
        },
      },
      {
        // Only the product's own log groups may be encrypted with the key.
        Sid: 'CloudWatchLogsEncryptsApplicationLogs',
        Effect: 'Allow',
        Principal: { Service: { 'Fn::Sub': 'logs.${AWS::Region}.amazonaws.com' } },
        Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        Resource: '*',
        Condition: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${logGroupName('*', '*')}` } },
        },
      },
    ],
  };
}

/** The master key; the bucket key cuts KMS requests, and their cost, by orders of magnitude. */
const MASTER_KEY_ENCRYPTION = { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY_ARN }, BucketKeyEnabled: true };
/**
 * S3's own keys: load balancers deliver access logs only to buckets encrypted so (AWS refuses
 * SSE-KMS there). CloudTrail still encrypts its files with the master key, object by object.
 */
const S3_MANAGED_ENCRYPTION = { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } };

/** Encrypted, never public, owned by the account alone. */
function bucket(encryption: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    Type: 'AWS::S3::Bucket',
    ...RETAIN,
    Properties: {
      BucketEncryption: { ServerSideEncryptionConfiguration: [encryption] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      ...extra,
      Tags: tags,
    },
  };
}

/** A bucket policy that refuses every request made without TLS, then allows what `statements` say. */
function bucketPolicy(logicalId: string, statements: readonly unknown[]): Record<string, unknown> {
  return {
    Type: 'AWS::S3::BucketPolicy',
    Properties: {
      Bucket: { Ref: logicalId },
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyRequestsWithoutTls',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [{ 'Fn::GetAtt': [logicalId, 'Arn'] }, { 'Fn::Sub': `\${${logicalId}.Arn}/*` }],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
          ...statements,
        ],
      },
    },
  };
}

// Kept when the trail is off: they name a trail that does not exist and so allow nothing.
const CLOUDTRAIL_DELIVERY = [
  {
    Sid: 'CloudTrailChecksTheBucketAcl',
    Effect: 'Allow',
    Principal: { Service: 'cloudtrail.amazonaws.com' },
    Action: 's3:GetBucketAcl',
    Resource: { 'Fn::GetAtt': ['LogBucket', 'Arn'] },
    Condition: { StringEquals: { 'aws:SourceArn': TRAIL_ARN } },
  },
  {
    Sid: 'CloudTrailWritesItsLogs',
    Effect: 'Allow',
    Principal: { Service: 'cloudtrail.amazonaws.com' },
    Action: 's3:PutObject',
    Resource: { 'Fn::Sub': `\${LogBucket.Arn}/${TRAIL_PREFIX}/AWSLogs/\${AWS::AccountId}/*` },
    Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': TRAIL_ARN } },
  },
];

const logsOf = (prefix: string) => ({ 'Fn::Sub': `\${LogBucket.Arn}/${prefix}/AWSLogs/\${AWS::AccountId}/*` });
const SAME_ACCOUNT = { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } };

/** VPC flow logs, as AWS documents the delivery to S3: the log delivery service, for this account's flow logs only. */
const FLOW_LOG_DELIVERY = [
  {
    Sid: 'FlowLogsCheckTheBucketAcl',
    Effect: 'Allow',
    Principal: { Service: 'delivery.logs.amazonaws.com' },
    Action: 's3:GetBucketAcl',
    Resource: { 'Fn::GetAtt': ['LogBucket', 'Arn'] },
    Condition: { StringEquals: SAME_ACCOUNT, ArnLike: { 'aws:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*' } } },
  },
  {
    Sid: 'FlowLogsWriteTheirLogs',
    Effect: 'Allow',
    Principal: { Service: 'delivery.logs.amazonaws.com' },
    Action: 's3:PutObject',
    Resource: { 'Fn::Sub': '${LogBucket.Arn}/AWSLogs/${AWS::AccountId}/vpcflowlogs/*' },
    Condition: {
      StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', ...SAME_ACCOUNT },
      ArnLike: { 'aws:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*' } },
    },
  },
];

/**
 * Load balancer access logs. Elastic Load Balancing writes as its log delivery service in the
 * regions that have it; in the regions opened before August 2022 it still writes as a regional
 * account of AWS's own, which only those regions' policies name (see log-delivery.ts).
 */
const LOAD_BALANCER_DELIVERY = [
  {
    Sid: 'LoadBalancersWriteTheirLogs',
    Effect: 'Allow',
    Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' },
    Action: 's3:PutObject',
    Resource: logsOf(LOG_PREFIXES.loadBalancers),
  },
  {
    'Fn::If': [
      elbLegacyAccountCondition.name,
      {
        Sid: 'LoadBalancersWriteTheirLogsAsTheRegionalAccount',
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::Sub': ['arn:${AWS::Partition}:iam::${Account}:root', { Account: { 'Fn::FindInMap': [elbLegacyAccountMapping.name, { Ref: 'AWS::Region' }, 'Account'] } }] } },
        Action: 's3:PutObject',
        Resource: logsOf(LOG_PREFIXES.loadBalancers),
      },
      { Ref: 'AWS::NoValue' },
    ],
  },
];

/** Server access logs of the storage bucket, from S3's logging service, for that bucket alone. */
const STORAGE_ACCESS_LOG_DELIVERY = [
  {
    Sid: 'S3WritesTheStorageAccessLogs',
    Effect: 'Allow',
    Principal: { Service: 'logging.s3.amazonaws.com' },
    Action: 's3:PutObject',
    Resource: { 'Fn::Sub': `\${LogBucket.Arn}/${LOG_PREFIXES.storageAccess}/*` },
    Condition: { StringEquals: SAME_ACCOUNT, ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': ['StorageBucket', 'Arn'] } } },
  },
];

/**
 * The account and region baseline, shared by every application: the master key, the log
 * bucket with the account's audit trail, and the storage bucket whose prefixes applications
 * own. Wildcard certificates are not here: they are requested per hosted zone through ACM,
 * so that a new application never has to update this shared stack.
 */
export function baseTemplate(options: BaseOptions): Template {
  const resources: Record<string, unknown> = {
    MasterKey: {
      Type: 'AWS::KMS::Key',
      ...RETAIN,
      Properties: {
        Description: 'Wimpy master key: logs, storage and application secrets',
        EnableKeyRotation: true,
        KeyPolicy: keyPolicy(),
        // No Tags property: the stack's own tags, the same wimpy:* pair, reach the key by propagation.
      },
    },
    MasterKeyAlias: {
      Type: 'AWS::KMS::Alias',
      Properties: { AliasName: 'alias/wimpy', TargetKeyId: { Ref: 'MasterKey' } },
    },
    LogBucket: withExceptions(bucket(S3_MANAGED_ENCRYPTION, {
      LifecycleConfiguration: {
        Rules: [{ Id: 'ExpireOldLogs', Status: 'Enabled', ExpirationInDays: LOG_RETENTION_DAYS, AbortIncompleteMultipartUpload: { DaysAfterInitiation: ABORT_UPLOAD_DAYS } }],
      },
    }), EXCEPTIONS.logBucketAccessLogs),
    LogBucketPolicy: bucketPolicy('LogBucket', [...CLOUDTRAIL_DELIVERY, ...FLOW_LOG_DELIVERY, ...LOAD_BALANCER_DELIVERY, ...STORAGE_ACCESS_LOG_DELIVERY]),
    StorageBucket: bucket(MASTER_KEY_ENCRYPTION, {
      VersioningConfiguration: { Status: 'Enabled' },
      // Who read or changed which object, for the applications' data; CloudTrail records only the bucket's own settings.
      LoggingConfiguration: { DestinationBucketName: { Ref: 'LogBucket' }, LogFilePrefix: `${LOG_PREFIXES.storageAccess}/` },
      LifecycleConfiguration: {
        // Versions recover from mistakes; kept forever they would only grow the bill.
        Rules: [{ Id: 'ExpireOldVersions', Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: STORAGE_OLD_VERSION_DAYS }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: ABORT_UPLOAD_DAYS } }],
      },
    }),
    StorageBucketPolicy: bucketPolicy('StorageBucket', []),
  };
  if (options.cloudTrail) {
    resources.Trail = {
      Type: 'AWS::CloudTrail::Trail',
      // CloudTrail checks that it may write to the bucket when the trail is created.
      DependsOn: ['LogBucketPolicy'],
      Properties: {
        TrailName: TRAIL_NAME,
        S3BucketName: { Ref: 'LogBucket' },
        S3KeyPrefix: TRAIL_PREFIX,
        IsLogging: true,
        IsMultiRegionTrail: true,
        IncludeGlobalServiceEvents: true,
        EnableLogFileValidation: true,
        KMSKeyId: KEY_ARN,
        Tags: tags,
      },
    };
  }
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'Wimpy account baseline: master key, audit trail, log and storage buckets',
    Mappings: { [elbLegacyAccountMapping.name]: elbLegacyAccountMapping.value },
    Conditions: { [elbLegacyAccountCondition.name]: elbLegacyAccountCondition.value },
    Resources: resources,
    Outputs: exportedOutputs(BASE_STACK, {
      [BASE_OUTPUTS.kmsKeyArn]: KEY_ARN,
      [BASE_OUTPUTS.kmsKeyId]: { Ref: 'MasterKey' },
      [BASE_OUTPUTS.storageBucketName]: { Ref: 'StorageBucket' },
      [BASE_OUTPUTS.logBucketName]: { Ref: 'LogBucket' },
    }),
  };
}
