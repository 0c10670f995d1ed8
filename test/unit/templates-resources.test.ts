import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TAG_APPLICATION, TAG_ENVIRONMENT } from '../../src/config/names.js';
import type { Template } from '../../src/engine/ports.js';
import { applicationResources } from '../../src/stacks/application-resources.js';
import { plannedSpec } from '../../src/stacks/catalogue.js';
import { baseTemplate } from '../../src/templates/base.js';
import { environmentTemplate } from '../../src/templates/environment.js';
import { loadBalancerTemplate } from '../../src/templates/load-balancer.js';
import { KEEPS_LOG_GROUP, resourcesTemplate, SESSION_MANAGER_ACTIONS } from '../../src/templates/resources.js';
import { configOf } from '../support/config.js';
import { missingTags, resourcesOfType, specProblems } from '../support/resource-spec.js';

const PORT = 8080;
const staging = resourcesTemplate({ application: 'shop', environment: 'staging', networkEnvironment: 'staging', port: PORT, logRetentionDays: 30 });
const production = resourcesTemplate({ application: 'shop', environment: 'production', networkEnvironment: 'production', port: PORT, logRetentionDays: 30 });
/** A preview on another port than staging's, in the staging network. */
const preview = resourcesTemplate({ application: 'shop', environment: 'pr-7', networkEnvironment: 'staging', port: 9090, logRetentionDays: 30 });

type Plain = Record<string, unknown>;
interface Rule extends Plain {
  /** The logical id of the security group the rule belongs to. */
  group: string;
}
/** A group of the template by its logical id; an imported one (the application's load balancer's) by its export's name. */
const groupOf = (value: unknown) => (value as { 'Fn::ImportValue'?: string })['Fn::ImportValue'] ?? (value as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
const SHARED = 'shop-staging-load-balancer-LoadBalancerSecurityGroupId';

/** Every rule of one direction, written inline in a group or as a rule resource of its own. */
function rules(template: Template, direction: 'Ingress' | 'Egress'): Rule[] {
  const inline = Object.entries(resourcesOfType(template, 'AWS::EC2::SecurityGroup')).flatMap(([group, resource]) =>
    ((resource.Properties[`SecurityGroup${direction}`] ?? []) as Plain[]).map((rule) => ({ ...rule, group })));
  const separate = Object.values(resourcesOfType(template, `AWS::EC2::SecurityGroup${direction}`)).map(({ Properties: { GroupId, ...rule } }) => ({ ...rule, group: groupOf(GroupId) }));
  return [...inline, ...separate];
}
const covers = (rule: Plain, port: number) => rule.IpProtocol === '-1' || ((rule.FromPort as number) <= port && port <= (rule.ToPort as number));
const fromInternet = (rule: Plain) => rule.CidrIp === '0.0.0.0/0' || rule.CidrIpv6 === '::/0';

const role = resourcesOfType(staging, 'AWS::IAM::Role').InstanceRole!;
const statements = (template: Template) => (resourcesOfType(template, 'AWS::IAM::Role').InstanceRole!.Properties.Policies as { PolicyDocument: { Statement: Plain[] } }[])
  .flatMap((policy) => policy.PolicyDocument.Statement);
const list = (value: unknown): unknown[] => [value].flat();
const statementFor = (action: string) => statements(staging).find((statement) => list(statement.Action).includes(action))!;
const subText = (value: unknown): string => {
  const sub = (value as { 'Fn::Sub': string | [string, Plain] })['Fn::Sub'];
  return Array.isArray(sub) ? sub[0] : sub;
};
/** An ARN as text: a substitution's pattern, or a join's parts with the partition and the imported bucket named as a substitution would. */
const arnText = (value: unknown): string => {
  if (typeof value === 'string') return value;
  if ((value as Plain)['Fn::Sub']) return subText(value);
  const joined = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!joined) return JSON.stringify(value);
  return joined[1].map((part) => typeof part === 'string' ? part : JSON.stringify(part) === JSON.stringify({ Ref: 'AWS::Partition' }) ? '${AWS::Partition}' : '${Bucket}').join(joined[0]);
};

/** The actions of the statement that grants `action` in staging, and the ARNs it grants them on. */
const grant = (action: string) => {
  const statement = statementFor(action);
  return { actions: list(statement.Action).map(String).sort(), resources: list(statement.Resource).map(subText) };
};

describe('the resources stack of an application in an environment', () => {
  test('passes the CloudFormation resource specification', () => {
    assert.deepEqual(specProblems(staging), []);
    assert.deepEqual(specProblems(production), []);
  });

  test('lets the internet reach nothing but ports 80 and 443 of the load balancer', () => {
    const open = rules(staging, 'Ingress').filter(fromInternet);
    assert.deepEqual(open.map((rule) => [rule.group, rule.IpProtocol, rule.FromPort, rule.ToPort, rule.CidrIp ?? rule.CidrIpv6]), [
      ['LoadBalancerSecurityGroup', 'tcp', 80, 80, '0.0.0.0/0'],
      ['LoadBalancerSecurityGroup', 'tcp', 80, 80, '::/0'],
      ['LoadBalancerSecurityGroup', 'tcp', 443, 443, '0.0.0.0/0'],
      ['LoadBalancerSecurityGroup', 'tcp', 443, 443, '::/0'],
    ]);
  });

  test('opens port 22 to no one: people reach instances through Session Manager', () => {
    assert.deepEqual(rules(staging, 'Ingress').filter((rule) => covers(rule, 22)), []);
  });

  test("lets the instances be reached only by the application's load balancer (and the first layout's), on the application port", () => {
    assert.deepEqual(rules(staging, 'Ingress').filter((rule) => rule.group === 'InstanceSecurityGroup').map((rule) => [rule.IpProtocol, rule.FromPort, rule.ToPort, groupOf(rule.SourceSecurityGroupId)]), [
      ['tcp', PORT, PORT, 'LoadBalancerSecurityGroup'],
      ['tcp', PORT, PORT, SHARED],
    ]);
  });

  test('lets the load balancers send only to the instances, on the application port', () => {
    const balancers = rules(staging, 'Egress').filter((rule) => rule.group === 'LoadBalancerSecurityGroup' || rule.group === SHARED);
    assert.deepEqual(balancers.map((rule) => [rule.group, rule.FromPort, rule.ToPort, rule.DestinationSecurityGroupId]), [
      ['LoadBalancerSecurityGroup', PORT, PORT, { 'Fn::GetAtt': ['InstanceSecurityGroup', 'GroupId'] }],
      [SHARED, PORT, PORT, { 'Fn::GetAtt': ['InstanceSecurityGroup', 'GroupId'] }],
    ]);
  });

  test('lets the databases be reached only by the instances, on the PostgreSQL and MySQL ports', () => {
    const database = rules(staging, 'Ingress').filter((rule) => rule.group === 'DatabaseSecurityGroup');
    assert.deepEqual(database.map((rule) => [rule.IpProtocol, rule.FromPort, rule.ToPort, rule.SourceSecurityGroupId]), [
      ['tcp', 5432, 5432, { 'Fn::GetAtt': ['InstanceSecurityGroup', 'GroupId'] }],
      ['tcp', 3306, 3306, { 'Fn::GetAtt': ['InstanceSecurityGroup', 'GroupId'] }],
    ]);
  });

  test('lets the databases open no connection: their one egress rule matches no traffic', () => {
    assert.deepEqual(rules(staging, 'Egress').filter((rule) => rule.group === 'DatabaseSecurityGroup').map((rule) => rule.CidrIp), ['255.255.255.255/32']);
  });

  test('puts every security group in the VPC of the network environment', () => {
    const elsewhere = resourcesTemplate({ application: 'shop', environment: 'staging', networkEnvironment: 'qa', port: PORT, logRetentionDays: 30 });
    for (const group of Object.values(resourcesOfType(elsewhere, 'AWS::EC2::SecurityGroup'))) assert.deepEqual(group.Properties.VpcId, { 'Fn::ImportValue': 'wimpy-qa-VpcId' });
  });

  test('lets only EC2 assume the instance role', () => {
    assert.deepEqual(role.Properties.AssumeRolePolicyDocument, {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
  });

  test('opens Session Manager channels instead of SSH, with no managed policy that could read every parameter', () => {
    assert.equal(role.Properties.ManagedPolicyArns, undefined);
    assert.deepEqual(statementFor('ssmmessages:OpenDataChannel').Action, [...SESSION_MANAGER_ACTIONS]);
  });

  test('reads SSM parameters only under its own path, in no statement on every resource', () => {
    for (const statement of statements(staging)) {
      const reads = list(statement.Action).filter((action) => /^ssm:GetParameter/.test(String(action)));
      if (reads.length > 0) assert.ok(list(statement.Resource).every((resource) => JSON.stringify(resource).includes('parameter/shop/staging')), JSON.stringify(statement));
    }
  });

  test('allows no wildcard action and only Allow statements', () => {
    for (const statement of statements(staging)) {
      assert.equal(statement.Effect, 'Allow');
      for (const action of list(statement.Action)) assert.doesNotMatch(String(action), /\*/);
      assert.equal(statement.NotAction, undefined);
      assert.equal(statement.NotResource, undefined);
    }
  });

  test('grants nothing on every resource but the registry sign-in and the Session Manager channels, which AWS cannot scope', () => {
    const unscoped = statements(staging).filter((statement) => list(statement.Resource).some((resource) => resource === '*' || (typeof resource === 'string' && resource.includes('*'))));
    assert.deepEqual(unscoped.map((statement) => statement.Action), ['ecr:GetAuthorizationToken', [...SESSION_MANAGER_ACTIONS]]);
  });

  test('pulls images only from its own repository', () => {
    assert.deepEqual(statementFor('ecr:BatchGetImage').Resource, { 'Fn::Sub': 'arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/shop' });
  });

  test('writes only to its own log group', () => {
    assert.deepEqual(grant('logs:PutLogEvents'), {
      actions: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
      resources: ['arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/wimpy/staging/shop', 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/wimpy/staging/shop:log-stream:*'],
    });
  });

  test('reads, writes and deletes objects only under its own prefix of the storage bucket', () => {
    const objects = statementFor('s3:GetObject');
    assert.deepEqual(list(objects.Action).sort(), ['s3:DeleteObject', 's3:GetObject', 's3:PutObject']);
    assert.deepEqual(objects.Resource, { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { 'Fn::ImportValue': 'wimpy-base-StorageBucketName' }, '/storage/staging/shop/*']] });
  });

  test('lists the storage bucket only under its own prefix', () => {
    const listing = statementFor('s3:ListBucket');
    assert.deepEqual(listing.Resource, { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { 'Fn::ImportValue': 'wimpy-base-StorageBucketName' }]] });
    assert.deepEqual(listing.Condition, { StringLike: { 's3:prefix': ['storage/staging/shop/', 'storage/staging/shop/*'] } });
  });

  test('reads secrets only under its own parameter path', () => {
    assert.deepEqual(grant('ssm:GetParametersByPath'), {
      actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'],
      resources: ['arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/shop/staging', 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/shop/staging/*'],
    });
  });

  test('uses the master key only through S3, for its storage bucket, and never directly', () => {
    const kms = statements(staging).find((statement) => statement.Sid === 'UseTheMasterKeyThroughTheStorageBucket')!;
    assert.deepEqual(kms.Action, ['kms:Decrypt', 'kms:GenerateDataKey']);
    assert.deepEqual(kms.Resource, { 'Fn::ImportValue': 'wimpy-base-KmsKeyArn' });
    const bucket = ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { 'Fn::ImportValue': 'wimpy-base-StorageBucketName' }];
    assert.deepEqual(kms.Condition, {
      StringEquals: { 'kms:ViaService': { 'Fn::Sub': 's3.${AWS::Region}.amazonaws.com' } },
      // The storage bucket uses a bucket key: S3 names the bucket, not the object, as the context.
      ArnLike: { 'kms:EncryptionContext:aws:s3:arn': [{ 'Fn::Join': ['', bucket] }, { 'Fn::Join': ['', [...bucket, '/storage/staging/shop/*']] }] },
    });
  });

  test('decrypts secrets with the master key only through SSM, and only the parameters under its own path', () => {
    const kms = statements(staging).find((statement) => statement.Sid === 'DecryptItsOwnSecretsThroughSsm')!;
    assert.equal(kms.Action, 'kms:Decrypt');
    assert.deepEqual(kms.Condition, {
      StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' } },
      ArnLike: { 'kms:EncryptionContext:PARAMETER_ARN': { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/shop/staging/*' } },
    });
  });

  test('grants the master key in no statement without a kms:ViaService condition', () => {
    const kms = statements(staging).filter((statement) => list(statement.Action).some((action) => String(action).startsWith('kms:')));
    assert.equal(kms.length, 2);
    for (const statement of kms) assert.ok((statement.Condition as { StringEquals: Plain }).StringEquals['kms:ViaService'], JSON.stringify(statement));
  });

  test('grants no CloudFormation action: each application stack lets the role signal that stack alone', () => {
    assert.deepEqual(statements(staging).flatMap((statement) => list(statement.Action)).filter((action) => String(action).startsWith('cloudformation:')), []);
  });

  test('keeps the logs 30 days in a log group encrypted with the master key', () => {
    assert.deepEqual(resourcesOfType(staging, 'AWS::Logs::LogGroup').LogGroup!.Properties, {
      LogGroupName: '/wimpy/staging/shop',
      RetentionInDays: 30,
      KmsKeyId: { 'Fn::ImportValue': 'wimpy-base-KmsKeyArn' },
      Tags: [{ Key: TAG_APPLICATION, Value: 'shop' }, { Key: TAG_ENVIRONMENT, Value: 'staging' }],
    });
  });

  test('keeps the log group when the stack is deleted or the group replaced', () => {
    const logGroup = resourcesOfType(staging, 'AWS::Logs::LogGroup').LogGroup!;
    assert.equal(logGroup.DeletionPolicy, 'Retain');
    assert.equal(logGroup.UpdateReplacePolicy, 'Retain');
  });

  test('leaves alone a log group that an earlier stack kept, instead of failing to create it again', () => {
    const logGroup = resourcesOfType(staging, 'AWS::Logs::LogGroup').LogGroup!;
    assert.deepEqual((staging.Parameters as Plain)[KEEPS_LOG_GROUP], { Type: 'String', AllowedValues: ['true', 'false'], Default: 'false', Description: 'true when the log group outlived an earlier stack of these resources and is kept as it is.' });
    assert.deepEqual((staging.Conditions as Plain)[logGroup.Condition as string], { 'Fn::Equals': [{ Ref: KEEPS_LOG_GROUP }, 'false'] });
    // Nothing refers to the resource itself: the output and the role name the log group by its name.
    const { LogGroup: _, ...others } = staging.Resources as Plain;
    assert.doesNotMatch(JSON.stringify({ ...staging, Resources: others }), /"Ref":"LogGroup"|\["LogGroup",/);
    assert.equal((staging.Outputs as Record<string, { Value: unknown }>).LogGroupName!.Value, '/wimpy/staging/shop');
  });

  test("subscribes each address of notify to the environment's topic by e-mail, and nothing when there is none", () => {
    const subscribed = resourcesTemplate({ application: 'shop', environment: 'staging', networkEnvironment: 'staging', port: PORT, logRetentionDays: 30, subscribers: ['oncall@example.com', 'lead@example.com'] });
    assert.deepEqual(Object.values(resourcesOfType(subscribed, 'AWS::SNS::Subscription')).map((subscription) => subscription.Properties), [
      { TopicArn: { 'Fn::ImportValue': 'wimpy-staging-NotificationTopicArn' }, Protocol: 'email', Endpoint: 'oncall@example.com' },
      { TopicArn: { 'Fn::ImportValue': 'wimpy-staging-NotificationTopicArn' }, Protocol: 'email', Endpoint: 'lead@example.com' },
    ]);
    assert.deepEqual(resourcesOfType(staging, 'AWS::SNS::Subscription'), {});
    assert.deepEqual(specProblems(subscribed), []);
  });

  test('keeps the logs as long as log-retention-days says', () => {
    const spec = plannedSpec(applicationResources, configOf({ 'log-retention-days': '365' }));
    assert.equal((resourcesOfType(spec.template, 'AWS::Logs::LogGroup').LogGroup!.Properties as { RetentionInDays: number }).RetentionInDays, 365);
  });

  test('imports only what the base, environment and load balancer stacks export', () => {
    const exported = [baseTemplate({ cloudTrail: false }), environmentTemplate({ environment: 'staging', cidr: '10.1.0.0/16' }), loadBalancerTemplate({ application: 'shop', environment: 'staging' })]
      .flatMap((template) => Object.values(template.Outputs as Record<string, { Export: { Name: string } }>).map((output) => output.Export.Name));
    const imported = [...JSON.stringify(staging).matchAll(/"Fn::ImportValue":"([^"]+)"/g)].map((match) => match[1]!);
    assert.ok(imported.length > 0);
    assert.deepEqual(imported.filter((name) => !exported.includes(name)), []);
  });

  test('exports its groups, instance profile, role and log group under the names that importers use', () => {
    const outputs = staging.Outputs as Record<string, { Export: { Name: string } }>;
    assert.deepEqual(Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.Export.Name])), {
      LoadBalancerSecurityGroupId: 'shop-staging-resources-LoadBalancerSecurityGroupId',
      InstanceSecurityGroupId: 'shop-staging-resources-InstanceSecurityGroupId',
      DatabaseSecurityGroupId: 'shop-staging-resources-DatabaseSecurityGroupId',
      InstanceProfileArn: 'shop-staging-resources-InstanceProfileArn',
      InstanceProfileName: 'shop-staging-resources-InstanceProfileName',
      InstanceRoleArn: 'shop-staging-resources-InstanceRoleArn',
      LogGroupName: 'shop-staging-resources-LogGroupName',
      InstanceRoleName: 'shop-staging-resources-InstanceRoleName',
    });
  });

  test('tags every resource that takes tags with its application and environment', () => {
    assert.deepEqual(missingTags(staging, { [TAG_APPLICATION]: 'shop', [TAG_ENVIRONMENT]: 'staging' }), []);
  });
});

describe("a preview's own identity, in the staging network", () => {
  /** Every resource ARN pattern the preview role is granted, with the actions granted on it. */
  const grants = (template: Template) => statements(template).flatMap((statement) => list(statement.Resource).map((resource) => ({ actions: list(statement.Action).map(String), resource: arnText(resource) })));
  const S3_WRITES = ['s3:PutObject', 's3:DeleteObject'];
  const SSM_READS = ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'];

  test("reads secrets only under /<app>/preview/, none of staging's /<app>/staging/", () => {
    const reads = grants(preview).filter((grant) => grant.actions.some((action) => SSM_READS.includes(action))).map((grant) => grant.resource);
    assert.deepEqual(reads, ['arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/shop/preview', 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/shop/preview/*']);
    assert.ok(grants(preview).every((grant) => !grant.resource.includes('/shop/staging')), 'no statement names staging parameters');
    assert.ok(grants(preview).every((grant) => !grant.actions.some((action) => action === 'ssm:*' || action === '*')));
  });

  test("writes storage only under storage/preview/<app>/, none of staging's prefix", () => {
    const writes = grants(preview).filter((grant) => grant.actions.some((action) => S3_WRITES.includes(action) || action === 's3:*'));
    assert.deepEqual(writes.map((grant) => grant.resource), ['arn:${AWS::Partition}:s3:::${Bucket}/storage/preview/shop/*']);
    assert.ok(grants(preview).every((grant) => !grant.resource.includes('storage/staging/')));
    const listing = statements(preview).find((statement) => list(statement.Action).includes('s3:ListBucket'))!;
    assert.deepEqual(listing.Condition, { StringLike: { 's3:prefix': ['storage/preview/shop/', 'storage/preview/shop/*'] } });
  });

  test("uses the master key only through S3 for the previews' prefix and through SSM for the previews' parameters", () => {
    const kms = statements(preview).filter((statement) => list(statement.Action).some((action) => String(action).startsWith('kms:')));
    assert.deepEqual(kms.map((statement) => (statement.Condition as { StringEquals: Plain }).StringEquals['kms:ViaService']), [{ 'Fn::Sub': 's3.${AWS::Region}.amazonaws.com' }, { 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' }]);
    const contexts = kms.flatMap((statement) => Object.values((statement.Condition as { ArnLike: Plain }).ArnLike).flat()).map(arnText);
    assert.deepEqual(contexts, [
      'arn:${AWS::Partition}:s3:::${Bucket}',
      'arn:${AWS::Partition}:s3:::${Bucket}/storage/preview/shop/*',
      'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/shop/preview/*',
    ]);
  });

  test("lets staging's load balancer reach the preview on the preview's own port, in the staging network, and its own rules go with the preview", () => {
    const toInstances = rules(preview, 'Ingress').filter((rule) => rule.group === 'InstanceSecurityGroup');
    assert.deepEqual(toInstances.map((rule) => [rule.FromPort, rule.ToPort, groupOf(rule.SourceSecurityGroupId)]), [[9090, 9090, 'LoadBalancerSecurityGroup'], [9090, 9090, SHARED]]);
    const fromBalancer = rules(preview, 'Egress').filter((rule) => rule.group === SHARED);
    assert.deepEqual(fromBalancer.map((rule) => [rule.FromPort, rule.ToPort, rule.DestinationSecurityGroupId]), [[9090, 9090, { 'Fn::GetAtt': ['InstanceSecurityGroup', 'GroupId'] }]]);
    assert.deepEqual(resourcesOfType(preview, 'AWS::EC2::SecurityGroup').InstanceSecurityGroup!.Properties.VpcId, { 'Fn::ImportValue': 'wimpy-staging-VpcId' });
  });

  test('keeps its logs in a log group of its own', () => {
    assert.equal(resourcesOfType(preview, 'AWS::Logs::LogGroup').LogGroup!.Properties.LogGroupName, '/wimpy/pr-7/shop');
  });

  test('passes the CloudFormation resource specification', () => {
    assert.deepEqual(specProblems(preview), []);
  });
});

describe('outbound traffic of the instances', () => {
  const instanceEgress = (template: Template) => rules(template, 'Egress').filter((rule) => rule.group === 'InstanceSecurityGroup' && rule.CidrIp === '0.0.0.0/0');

  test('by default goes anywhere, as AWS allows by default: Redis, SMTP, plain HTTP and any API port work', () => {
    assert.deepEqual(instanceEgress(staging).map((rule) => [rule.IpProtocol, rule.CidrIp]), [['-1', '0.0.0.0/0']]);
    for (const port of [6379, 25, 80, 9200]) assert.ok(instanceEgress(staging).some((rule) => covers(rule, port)), String(port));
  });

  test('restricted, reaches only the listed TCP ports and HTTPS, and the databases through their security group', () => {
    const restricted = resourcesTemplate({ application: 'shop', environment: 'staging', networkEnvironment: 'staging', port: PORT, logRetentionDays: 30, egress: [{ from: 443, to: 443 }, { from: 6379, to: 6379 }, { from: 8000, to: 8100 }] });
    assert.deepEqual(instanceEgress(restricted).map((rule) => [rule.IpProtocol, rule.FromPort, rule.ToPort]), [['tcp', 443, 443], ['tcp', 6379, 6379], ['tcp', 8000, 8100]]);
    assert.ok(!instanceEgress(restricted).some((rule) => covers(rule, 25)), 'SMTP is not listed: not reachable');
    const toDatabases = rules(restricted, 'Egress').filter((rule) => rule.group === 'InstanceSecurityGroup' && rule.DestinationSecurityGroupId);
    assert.deepEqual(toDatabases.map((rule) => rule.FromPort), [5432, 3306]);
    assert.deepEqual(specProblems(restricted), []);
  });
});

describe('the resources of an application with a release command', () => {
  const withCommand = plannedSpec(applicationResources, configOf({ environment: 'staging', 'release-command': 'python manage.py migrate --noinput' })).template;
  const trust = (template: Template) => (resourcesOfType(template, 'AWS::IAM::Role').InstanceRole!.Properties.AssumeRolePolicyDocument as { Statement: Plain[] }).Statement;

  test('have a cluster of its own to run the command in', () => {
    assert.deepEqual(resourcesOfType(withCommand, 'AWS::ECS::Cluster').ReleaseCluster!.Properties.ClusterName, 'awesome-application-staging-release');
    assert.deepEqual(resourcesOfType(staging, 'AWS::ECS::Cluster'), {});
    assert.deepEqual(specProblems(withCommand), [], 'every resource and property is one AWS\'s resource specification knows');
  });

  test('let its tasks take the instance role, from this account only, and grant nothing more', () => {
    assert.deepEqual(trust(withCommand).map((statement) => statement.Principal), [{ Service: 'ec2.amazonaws.com' }, { Service: 'ecs-tasks.amazonaws.com' }]);
    assert.deepEqual(trust(withCommand)[1]!.Condition, { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
    assert.deepEqual(trust(staging).map((statement) => statement.Principal), [{ Service: 'ec2.amazonaws.com' }]);
    const policies = (template: Template) => resourcesOfType(template, 'AWS::IAM::Role').InstanceRole!.Properties.Policies;
    assert.deepEqual(policies(withCommand), policies(plannedSpec(applicationResources, configOf({ environment: 'staging' })).template));
  });
});
