import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_STACK, TAG_APPLICATION, TAG_ENVIRONMENT, exportName } from '../../src/config/names.js';
import { accountBaseline } from '../../src/stacks/account-baseline.js';
import { plannedSpec } from '../../src/stacks/catalogue.js';
import { baseTemplate } from '../../src/templates/base.js';
import { BASE_OUTPUTS, importOf } from '../../src/templates/outputs.js';
import { configOf } from '../support/config.js';
import { missingTags, resourcesOfType, specProblems } from '../support/resource-spec.js';

const base = baseTemplate({ cloudTrail: true });
const KEY_ARN = { 'Fn::GetAtt': ['MasterKey', 'Arn'] };
const TRAIL_ARN = { 'Fn::Sub': 'arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/wimpy' };

type Statement = Record<string, unknown>;
const only = <T>(record: Record<string, T>): T => {
  const values = Object.values(record);
  assert.equal(values.length, 1);
  return values[0]!;
};
const key = only(resourcesOfType(base, 'AWS::KMS::Key'));
const trail = only(resourcesOfType(base, 'AWS::CloudTrail::Trail'));
const buckets = resourcesOfType(base, 'AWS::S3::Bucket');
const policies = Object.values(resourcesOfType(base, 'AWS::S3::BucketPolicy'));
const policyOf = (bucket: string) => policies.find((policy) => (policy.Properties.Bucket as { Ref: string }).Ref === bucket)!;
const statementsOf = (bucket: string) => (policyOf(bucket).Properties.PolicyDocument as { Statement: Statement[] }).Statement;
const keyStatements = (key.Properties.KeyPolicy as { Statement: Statement[] }).Statement;
const keyStatement = (sid: string) => keyStatements.find((statement) => statement.Sid === sid)!;

describe('the account base stack', () => {
  test('passes the CloudFormation resource specification, with and without CloudTrail', () => {
    assert.deepEqual(specProblems(base), []);
    assert.deepEqual(specProblems(baseTemplate({ cloudTrail: false })), []);
  });

  test('rotates the master key and names it alias/wimpy', () => {
    assert.equal(key.Properties.EnableKeyRotation, true);
    const alias = only(resourcesOfType(base, 'AWS::KMS::Alias'));
    assert.deepEqual(alias.Properties, { AliasName: 'alias/wimpy', TargetKeyId: { Ref: 'MasterKey' } });
  });

  test('lets the account administer the master key through IAM', () => {
    assert.deepEqual(keyStatement('AccountAdministersTheKey'), {
      Sid: 'AccountAdministersTheKey',
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
      Action: 'kms:*',
      Resource: '*',
    });
  });

  test('lets CloudTrail encrypt with the master key only for the account trail', () => {
    const encrypt = keyStatement('CloudTrailEncryptsItsLogs');
    assert.deepEqual(encrypt.Principal, { Service: 'cloudtrail.amazonaws.com' });
    assert.equal(encrypt.Action, 'kms:GenerateDataKey*');
    assert.deepEqual(encrypt.Condition, {
      StringEquals: { 'aws:SourceArn': TRAIL_ARN },
      StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': { 'Fn::Sub': 'arn:${AWS::Partition}:cloudtrail:*:${AWS::AccountId}:trail/*' } },
    });
  });

  test("lets CloudWatch Logs use the master key only for the product's log groups", () => {
    const logs = keyStatement('CloudWatchLogsEncryptsApplicationLogs');
    assert.deepEqual(logs.Principal, { Service: { 'Fn::Sub': 'logs.${AWS::Region}.amazonaws.com' } });
    assert.deepEqual(logs.Condition, {
      ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/wimpy/*/*' } },
    });
  });

  test('keeps an audit trail of every region, with validated log files encrypted by the master key', () => {
    assert.equal(trail.Properties.IsMultiRegionTrail, true);
    assert.equal(trail.Properties.EnableLogFileValidation, true);
    assert.equal(trail.Properties.IncludeGlobalServiceEvents, true);
    assert.equal(trail.Properties.IsLogging, true);
    assert.deepEqual(trail.Properties.KMSKeyId, KEY_ARN);
    assert.deepEqual(trail.Properties.S3BucketName, { Ref: 'LogBucket' });
  });

  test('creates the trail only once the log bucket lets CloudTrail write', () => {
    assert.deepEqual(trail.DependsOn, ['LogBucketPolicy']);
  });

  test('lets CloudTrail check and write the log bucket only on behalf of the account trail', () => {
    const cloudTrail = statementsOf('LogBucket').filter((statement) => JSON.stringify(statement.Principal) === '{"Service":"cloudtrail.amazonaws.com"}');
    assert.deepEqual(cloudTrail.map((statement) => statement.Action), ['s3:GetBucketAcl', 's3:PutObject']);
    for (const statement of cloudTrail) assert.deepEqual((statement.Condition as { StringEquals: Statement }).StringEquals['aws:SourceArn'], TRAIL_ARN);
    assert.deepEqual(cloudTrail[1]!.Resource, { 'Fn::Sub': '${LogBucket.Arn}/cloudtrail/AWSLogs/${AWS::AccountId}/*' });
  });

  test('encrypts the storage bucket with the master key', () => {
    assert.deepEqual(Object.keys(buckets).sort(), ['LogBucket', 'StorageBucket']);
    assert.deepEqual(buckets.StorageBucket!.Properties.BucketEncryption, {
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY_ARN }, BucketKeyEnabled: true }],
    });
  });

  test("encrypts the log bucket with S3's keys, the only encryption load balancers deliver their logs to", () => {
    assert.deepEqual(buckets.LogBucket!.Properties.BucketEncryption, { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
  });

  test('logs every request to the storage bucket into the log bucket', () => {
    assert.deepEqual(buckets.StorageBucket!.Properties.LoggingConfiguration, { DestinationBucketName: { Ref: 'LogBucket' }, LogFilePrefix: 's3-access/storage/' });
  });

  test("lets S3's logging service write only the storage bucket's access logs, for this account", () => {
    const statement = statementsOf('LogBucket').find((candidate) => JSON.stringify(candidate.Principal) === '{"Service":"logging.s3.amazonaws.com"}')!;
    assert.deepEqual(statement, {
      Sid: 'S3WritesTheStorageAccessLogs',
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: { 'Fn::Sub': '${LogBucket.Arn}/s3-access/storage/*' },
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': ['StorageBucket', 'Arn'] } } },
    });
  });

  test("lets the log delivery service check and write VPC flow logs only for this account's flow logs, under AWSLogs/<account>/vpcflowlogs/", () => {
    const delivery = statementsOf('LogBucket').filter((statement) => JSON.stringify(statement.Principal) === '{"Service":"delivery.logs.amazonaws.com"}');
    const fromThisAccount = { 'aws:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*' } };
    assert.deepEqual(delivery.map((statement) => [statement.Action, statement.Resource, statement.Condition]), [
      ['s3:GetBucketAcl', { 'Fn::GetAtt': ['LogBucket', 'Arn'] }, { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: fromThisAccount }],
      ['s3:PutObject', { 'Fn::Sub': '${LogBucket.Arn}/AWSLogs/${AWS::AccountId}/vpcflowlogs/*' }, { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: fromThisAccount }],
    ]);
  });

  test('lets Elastic Load Balancing write access logs under load-balancers/ as its log delivery service, and as its regional account where a region still needs that', () => {
    const loadBalancers = { 'Fn::Sub': '${LogBucket.Arn}/load-balancers/AWSLogs/${AWS::AccountId}/*' };
    const [modern, legacy] = statementsOf('LogBucket').filter((statement) => JSON.stringify(statement).includes('load-balancers/'));
    assert.deepEqual(modern, { Sid: 'LoadBalancersWriteTheirLogs', Effect: 'Allow', Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' }, Action: 's3:PutObject', Resource: loadBalancers });
    const [condition, statement, otherwise] = (legacy as { 'Fn::If': [string, Statement, unknown] })['Fn::If'];
    assert.deepEqual(otherwise, { Ref: 'AWS::NoValue' });
    assert.deepEqual(statement.Resource, loadBalancers);
    assert.deepEqual(statement.Principal, { AWS: { 'Fn::Sub': ['arn:${AWS::Partition}:iam::${Account}:root', { Account: { 'Fn::FindInMap': ['LoadBalancerLogAccounts', { Ref: 'AWS::Region' }, 'Account'] } }] } });
    // The condition holds in exactly the regions of the mapping, eu-west-1 among them.
    const regions = JSON.stringify((base.Conditions as Record<string, unknown>)[condition]).match(/"[a-z]{2}-[a-z]+-\d"/g)!.map((quoted) => JSON.parse(quoted) as string);
    const mapping = (base.Mappings as Record<string, Record<string, { Account: string }>>).LoadBalancerLogAccounts!;
    assert.deepEqual(regions.sort(), Object.keys(mapping).sort());
    assert.equal(mapping['eu-west-1']!.Account, '156460612806');
    assert.equal(mapping['ap-southeast-3'], undefined, 'a region opened since August 2022 knows only the service');
  });

  test('lets Auto Scaling encrypt its notifications with the master key only as its service-linked role, only through SNS', () => {
    const statement = keyStatement('AutoScalingPublishesToEncryptedTopics');
    assert.deepEqual(statement.Action, ['kms:GenerateDataKey*', 'kms:Decrypt']);
    assert.deepEqual(statement.Condition, {
      StringEquals: { 'kms:CallerAccount': { Ref: 'AWS::AccountId' }, 'kms:ViaService': { 'Fn::Sub': 'sns.${AWS::Region}.amazonaws.com' } },
      ArnEquals: { 'aws:PrincipalArn': { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling' } },
    });
  });

  test('blocks all four kinds of public access on both buckets, and lets no ACL grant access', () => {
    for (const bucket of Object.values(buckets)) {
      assert.deepEqual(bucket.Properties.PublicAccessBlockConfiguration, { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
      assert.deepEqual(bucket.Properties.OwnershipControls, { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    }
  });

  test('refuses every request to either bucket made without TLS', () => {
    for (const bucket of Object.keys(buckets)) {
      assert.deepEqual(statementsOf(bucket)[0], {
        Sid: 'DenyRequestsWithoutTls',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [{ 'Fn::GetAtt': [bucket, 'Arn'] }, { 'Fn::Sub': `\${${bucket}.Arn}/*` }],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
    }
  });

  test('allows nothing on the storage bucket through its policy: applications get access through their roles', () => {
    assert.equal(statementsOf('StorageBucket').filter((statement) => statement.Effect === 'Allow').length, 0);
  });

  test('keeps versions of stored objects, and removes old versions after 90 days', () => {
    const storage = buckets.StorageBucket!.Properties;
    assert.deepEqual(storage.VersioningConfiguration, { Status: 'Enabled' });
    assert.deepEqual((storage.LifecycleConfiguration as { Rules: Statement[] }).Rules[0]!.NoncurrentVersionExpiration, { NoncurrentDays: 90 });
  });

  test('expires logs after a year', () => {
    assert.equal((buckets.LogBucket!.Properties.LifecycleConfiguration as { Rules: Statement[] }).Rules[0]!.ExpirationInDays, 365);
  });

  test('retains the key and both buckets when the stack is deleted or a replacement is needed', () => {
    for (const resource of [key, ...Object.values(buckets)]) {
      assert.equal(resource.DeletionPolicy, 'Retain');
      assert.equal(resource.UpdateReplacePolicy, 'Retain');
    }
  });

  test('without CloudTrail, leaves out the trail and nothing else', () => {
    const withoutTrail = baseTemplate({ cloudTrail: false });
    const { Trail, ...others } = base.Resources as Record<string, unknown>;
    assert.ok(Trail);
    assert.deepEqual(withoutTrail, { ...base, Resources: others });
  });

  test('exports the key and bucket names under the names that importers use', () => {
    const outputs = base.Outputs as Record<string, { Export: { Name: string } }>;
    assert.deepEqual(Object.keys(outputs), ['KmsKeyArn', 'KmsKeyId', 'StorageBucketName', 'LogBucketName']);
    for (const name of Object.values(BASE_OUTPUTS)) {
      assert.equal(outputs[name]!.Export.Name, `wimpy-base-${name}`);
      assert.deepEqual(importOf(BASE_STACK, name), { 'Fn::ImportValue': exportName(BASE_STACK, name) });
    }
  });

  test('tags every resource that takes tags as belonging to wimpy in the account, the master key through the stack', () => {
    const owner = { [TAG_APPLICATION]: 'wimpy', [TAG_ENVIRONMENT]: 'account' };
    // CloudFormation copies a stack's tags onto each of its resources that takes tags; the key relies on that alone.
    const taggedByStack = ['MasterKey'];
    assert.deepEqual(plannedSpec(accountBaseline, configOf()).tags, { ...owner, 'wimpy:cloudtrail': 'true' }, 'the stack also says how the account set its trail');
    assert.deepEqual(
      missingTags(base, owner),
      taggedByStack.flatMap((logicalId) => Object.keys(owner).map((tag) => `${logicalId}: ${tag}`)),
    );
  });
});
