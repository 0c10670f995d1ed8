import { BASE_STACK, logGroupName } from '../config/names.js';
import type { Template } from '../engine/ports.js';
import { BASE_OUTPUTS, exportedOutputs } from './outputs.js';
import { ACCOUNT_OWNER, resourceTags } from './tags.js';

export interface BaseOptions {
  /** Some organisations already run an organisation-wide trail and pay for none twice. */
  readonly cloudTrail: boolean;
}

const TRAIL_NAME = 'wimpy';
const TRAIL_ARN = { 'Fn::Sub': `arn:\${AWS::Partition}:cloudtrail:\${AWS::Region}:\${AWS::AccountId}:trail/${TRAIL_NAME}` };
const TRAIL_PREFIX = 'cloudtrail';
const LOG_DAYS = 365;
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

/** Encrypted with the master key, never public, owned by the account alone. */
function bucket(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    Type: 'AWS::S3::Bucket',
    ...RETAIN,
    Properties: {
      BucketEncryption: {
        // The bucket key cuts KMS requests, and their cost, by orders of magnitude.
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY_ARN }, BucketKeyEnabled: true }],
      },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      ...extra,
      Tags: tags,
    },
  };
}

/** A bucket policy that refuses every request made without TLS, then allows what `statements` say. */
function bucketPolicy(logicalId: string, statements: readonly Record<string, unknown>[]): Record<string, unknown> {
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
    LogBucket: bucket({
      LifecycleConfiguration: {
        Rules: [{ Id: 'ExpireOldLogs', Status: 'Enabled', ExpirationInDays: LOG_DAYS, AbortIncompleteMultipartUpload: { DaysAfterInitiation: ABORT_UPLOAD_DAYS } }],
      },
    }),
    LogBucketPolicy: bucketPolicy('LogBucket', CLOUDTRAIL_DELIVERY),
    StorageBucket: bucket({
      VersioningConfiguration: { Status: 'Enabled' },
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
    Resources: resources,
    Outputs: exportedOutputs(BASE_STACK, {
      [BASE_OUTPUTS.kmsKeyArn]: KEY_ARN,
      [BASE_OUTPUTS.kmsKeyId]: { Ref: 'MasterKey' },
      [BASE_OUTPUTS.storageBucketName]: { Ref: 'StorageBucket' },
      [BASE_OUTPUTS.logBucketName]: { Ref: 'LogBucket' },
    }),
  };
}
