import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseStack, exportName, resourcesStack } from '../../src/config/names.js';
import type { Config } from '../../src/config/types.js';
import { applicationDatabase, databaseSpec } from '../../src/stacks/application-database.js';
import { applicationResources } from '../../src/stacks/application-resources.js';
import { applicationInput, applicationTemplate } from '../../src/platforms/ec2/release-template.js';
import { DATABASE_OUTPUTS, DATABASE_USER, ENGINE_VERSIONS } from '../../src/templates/database.js';
import { DATABASE_READER_SCRIPT, SCRIPT_VALUES } from '../../src/platforms/ec2/user-data.js';
import { BASE_OUTPUTS, ENVIRONMENT_OUTPUTS, RESOURCES_OUTPUTS } from '../../src/templates/outputs.js';
import { configOf } from '../support/config.js';
import { resourcesOfType, specProblems } from '../support/resource-spec.js';

type Plain = Record<string, unknown>;
const APP = 'awesome-application';
const PREVIEW = { sha: '6113728f27ae82c7b1a177c8d03f9e96e0adf246', intent: { kind: 'preview-deploy' as const, pullRequest: 7 } };

const specOf = (config: Config) => databaseSpec(config)!;
const templateOf = (config: Config) => specOf(config).template;
const instanceOf = (config: Config) => resourcesOfType(templateOf(config), 'AWS::RDS::DBInstance').Database as { Properties: Plain; DeletionPolicy?: string; UpdateReplacePolicy?: string };

const staging = configOf({ database: 'postgres', environment: 'staging' });
const production = configOf({ database: 'postgres', environment: 'production', 'database-class': 'db.m7g.large', 'database-storage': '100' });
const preview = configOf({ database: 'postgres' }, PREVIEW);
const importOf = (stack: string, output: string) => ({ 'Fn::ImportValue': exportName(stack, output) });

describe('the database template', () => {
  test('encrypts the storage with the account\'s master key', () => {
    const props = instanceOf(staging).Properties;
    assert.equal(props.StorageEncrypted, true);
    assert.deepEqual(props.KmsKeyId, importOf('wimpy-base', BASE_OUTPUTS.kmsKeyArn));
  });

  test('is never publicly accessible', () => {
    for (const config of [staging, production, preview]) assert.equal(instanceOf(config).Properties.PubliclyAccessible, false);
  });

  test('puts the database in a subnet group of the environment\'s database subnets (a preview: staging\'s)', () => {
    for (const [config, network] of [[staging, 'staging'], [production, 'production'], [preview, 'staging']] as const) {
      const group = resourcesOfType(templateOf(config), 'AWS::RDS::DBSubnetGroup').SubnetGroup!;
      assert.deepEqual(group.Properties.SubnetIds, { 'Fn::Split': [',', importOf(`wimpy-${network}`, ENVIRONMENT_OUTPUTS.databaseSubnetIds)] });
      assert.deepEqual(instanceOf(config).Properties.DBSubnetGroupName, { Ref: 'SubnetGroup' });
    }
  });

  test('uses the database security group of the application\'s own resources stack, and no other', () => {
    assert.deepEqual(instanceOf(staging).Properties.VPCSecurityGroups, [importOf(resourcesStack(APP, 'staging'), RESOURCES_OUTPUTS.databaseSecurityGroupId)]);
    assert.deepEqual(instanceOf(preview).Properties.VPCSecurityGroups, [importOf(resourcesStack(APP, 'pr-7'), RESOURCES_OUTPUTS.databaseSecurityGroupId)]);
    assert.equal(Object.keys(resourcesOfType(templateOf(staging), 'AWS::EC2::SecurityGroup')).length, 0, 'no security group of its own');
  });

  test('keeps a snapshot when the database is deleted or replaced; a preview\'s own goes without one', () => {
    assert.equal(instanceOf(staging).DeletionPolicy, 'Snapshot');
    assert.equal(instanceOf(staging).UpdateReplacePolicy, 'Snapshot');
    assert.equal(instanceOf(preview).DeletionPolicy, 'Delete');
  });

  test('protects the database from deletion (and its stack from termination), except a preview\'s own', () => {
    assert.equal(instanceOf(staging).Properties.DeletionProtection, true);
    assert.equal(specOf(staging).terminationProtection, true);
    assert.equal(instanceOf(preview).Properties.DeletionProtection, false);
    assert.equal(specOf(preview).terminationProtection, false);
    // destroy-database: the protection comes off in an update before the stack is deleted.
    assert.equal((resourcesOfType(databaseSpec(staging, true)!.template, 'AWS::RDS::DBInstance').Database!.Properties as Plain).DeletionProtection, false);
  });

  test('keeps a standby in production, none elsewhere, as database-multi-az says', () => {
    assert.equal(instanceOf(production).Properties.MultiAZ, true);
    assert.equal(instanceOf(staging).Properties.MultiAZ, false);
    assert.equal(instanceOf(configOf({ database: 'postgres', environment: 'staging', 'database-multi-az': 'true' })).Properties.MultiAZ, true);
    assert.equal(instanceOf(configOf({ database: 'postgres', environment: 'production', 'database-multi-az': 'false' })).Properties.MultiAZ, false);
    assert.equal(instanceOf(configOf({ database: 'postgres', 'database-multi-az': 'true' }, PREVIEW)).Properties.MultiAZ, false, 'a preview never');
  });

  test('backs up for 7 days; a preview\'s own, the smallest class, keeps no backups', () => {
    assert.equal(instanceOf(staging).Properties.BackupRetentionPeriod, 7);
    const small = instanceOf(configOf({ database: 'postgres', 'database-class': 'db.r7g.4xlarge', 'database-storage': '500' }, PREVIEW)).Properties;
    assert.equal(small.BackupRetentionPeriod, 0);
    assert.equal(small.DBInstanceClass, 'db.t4g.micro');
    assert.equal(small.AllocatedStorage, '20');
  });

  test('pins the engine\'s current major version, and takes the class and storage asked for', () => {
    const props = instanceOf(production).Properties;
    assert.deepEqual([props.Engine, props.EngineVersion, props.DBInstanceClass, props.AllocatedStorage], ['postgres', ENGINE_VERSIONS.postgres, 'db.m7g.large', '100']);
    const mysql = instanceOf(configOf({ database: 'mysql', environment: 'staging' })).Properties;
    assert.deepEqual([mysql.Engine, mysql.EngineVersion], ['mysql', ENGINE_VERSIONS.mysql]);
  });

  test('holds no password anywhere: the master password is a dynamic reference to a secret Secrets Manager generates', () => {
    const spec = specOf(staging);
    assert.deepEqual(spec.parameters, {});
    assert.equal(spec.template.Parameters, undefined);
    const props = instanceOf(staging).Properties;
    assert.equal(props.MasterUsername, DATABASE_USER);
    const password = JSON.stringify(props.MasterUserPassword);
    assert.match(password, /^\{"Fn::Join":\["",\["\{\{resolve:secretsmanager:",.*":SecretString:password\}\}"\]\]\}$/);
    const secret = resourcesOfType(spec.template, 'AWS::SecretsManager::Secret').MasterSecret!;
    assert.deepEqual((secret.Properties.GenerateSecretString as Plain).GenerateStringKey, 'password');
    assert.equal(secret.Properties.SecretString, undefined, 'generated, never given');
    assert.deepEqual(secret.Properties.KmsKeyId, importOf('wimpy-base', BASE_OUTPUTS.kmsKeyArn));
    // No output hands out the value: only the secret's name.
    const text = JSON.stringify(spec.template);
    assert.doesNotMatch(text, /"(?:MasterUserPassword|SecretString)":"[^{]/);
    for (const [key, output] of Object.entries(spec.template.Outputs as Record<string, { Value: unknown }>)) {
      assert.doesNotMatch(JSON.stringify(output.Value), /resolve:|password/i, key);
    }
  });

  test('lets the application\'s instance role read that one secret, decrypted only through Secrets Manager', () => {
    const policy = resourcesOfType(templateOf(staging), 'AWS::IAM::Policy').ReadTheSecret!.Properties as { Roles: unknown[]; PolicyDocument: { Statement: Plain[] } };
    assert.deepEqual(policy.Roles, [importOf(resourcesStack(APP, 'staging'), RESOURCES_OUTPUTS.instanceRoleName)]);
    const [read, decrypt] = policy.PolicyDocument.Statement;
    assert.deepEqual(read!.Action, 'secretsmanager:GetSecretValue');
    const secretName = (templateOf(staging).Resources as Record<string, { Properties: Plain }>).MasterSecret!.Properties.Name;
    // The secret's own name and AWS's six-character suffix, never a pattern of other secrets.
    assert.deepEqual(read!.Resource, { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':secret:', secretName, '-??????']] });
    assert.doesNotMatch(JSON.stringify(read!.Resource), /\*/);
    assert.equal(policy.PolicyDocument.Statement.length, 2);
    assert.deepEqual(decrypt!.Action, 'kms:Decrypt');
    assert.deepEqual((decrypt!.Condition as { StringEquals: Plain }).StringEquals['kms:ViaService'], { 'Fn::Sub': 'secretsmanager.${AWS::Region}.amazonaws.com' });
    assert.deepEqual((decrypt!.Condition as { StringLike: Plain }).StringLike['kms:EncryptionContext:SecretARN'], read!.Resource);
  });

  test('names the secret after its stack and the stack\'s id, so a database created again never meets a kept secret', () => {
    const name = JSON.stringify((templateOf(staging).Resources as Record<string, { Properties: Plain }>).MasterSecret!.Properties.Name);
    assert.ok(name.includes(`${databaseStack(APP, 'staging')}/master-`));
    assert.ok(name.includes('AWS::StackId'));
  });

  test('keeps the secret beside the final snapshot that it opens; a preview\'s goes with it', () => {
    const secret = (config: Config) => (templateOf(config).Resources as Record<string, Plain>).MasterSecret!;
    assert.equal(secret(staging).DeletionPolicy, 'Retain');
    assert.equal(secret(preview).DeletionPolicy, 'Delete');
  });

  test('has a stack per application and environment; a preview on staging\'s database has none', () => {
    assert.equal(specOf(staging).name, 'awesome-application-staging-database');
    assert.equal(specOf(preview).name, 'awesome-application-pr-7-database');
    assert.equal(applicationDatabase.applies!(configOf({ database: 'postgres', 'preview-database': 'staging' }, PREVIEW)), false);
    assert.equal(applicationDatabase.applies!(configOf({ database: 'postgres', 'preview-database': 'none' }, PREVIEW)), false);
    assert.equal(applicationDatabase.applies!(configOf({ environment: 'staging' })), false);
    assert.equal(applicationDatabase.applies!(preview), true);
  });

  test('every resource and property is one AWS\'s resource specification knows', () => {
    for (const config of [staging, production, preview, configOf({ database: 'mysql', environment: 'staging' })]) assert.deepEqual(specProblems(templateOf(config)), []);
  });
});

describe('a preview on staging\'s database (preview-database: staging)', () => {
  const onStaging = (engine = 'postgres') => configOf({ database: engine, 'preview-database': 'staging' }, PREVIEW);
  const resourcesOf = (config: Config) => applicationResources.spec(config, { keepsLogGroup: false }).template;
  const previewGroup = { 'Fn::GetAtt': ['InstanceSecurityGroup', 'GroupId'] };
  const stagingGroup = importOf(resourcesStack(APP, 'staging'), RESOURCES_OUTPUTS.databaseSecurityGroupId);

  test('its instance role may read staging\'s database secret and no other, decrypted only through Secrets Manager', () => {
    const policy = resourcesOfType(resourcesOf(onStaging()), 'AWS::IAM::Policy').ReadTheSharedDatabaseSecret!.Properties as { Roles: unknown[]; PolicyDocument: { Statement: Plain[] } };
    assert.deepEqual(policy.Roles, [{ Ref: 'InstanceRole' }]);
    const [read, decrypt] = policy.PolicyDocument.Statement;
    const secret = importOf(databaseStack(APP, 'staging'), DATABASE_OUTPUTS.secretName);
    assert.deepEqual(read!.Action, 'secretsmanager:GetSecretValue');
    assert.deepEqual(read!.Resource, { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':secret:', secret, '-??????']] });
    assert.equal(policy.PolicyDocument.Statement.length, 2);
    assert.deepEqual((decrypt!.Condition as { StringLike: Plain }).StringLike['kms:EncryptionContext:SecretARN'], read!.Resource);
  });

  test('staging\'s database security group opens its engine\'s port to the preview\'s instances only, and they may reach it', () => {
    for (const [engine, port] of [['postgres', 5432], ['mysql', 3306]] as const) {
      const template = resourcesOf(onStaging(engine));
      const ingress = resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress').SharedDatabaseIngressFromInstances!.Properties;
      assert.deepEqual(ingress, { GroupId: stagingGroup, IpProtocol: 'tcp', FromPort: port, ToPort: port, SourceSecurityGroupId: previewGroup, Description: 'The instances of awesome-application pr-7' });
      const egress = resourcesOfType(template, 'AWS::EC2::SecurityGroupEgress').InstanceEgressToSharedDatabase!.Properties;
      assert.deepEqual(egress, { GroupId: previewGroup, IpProtocol: 'tcp', FromPort: port, ToPort: port, DestinationSecurityGroupId: stagingGroup, Description: 'The database of awesome-application staging' });
    }
  });

  test('a preview with a database of its own, and staging itself, get neither', () => {
    for (const config of [preview, staging, configOf({ database: 'postgres', 'preview-database': 'none' }, PREVIEW)]) {
      const template = resourcesOf(config);
      assert.equal(resourcesOfType(template, 'AWS::IAM::Policy').ReadTheSharedDatabaseSecret, undefined);
      assert.equal(resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress').SharedDatabaseIngressFromInstances, undefined);
      assert.equal(resourcesOfType(template, 'AWS::EC2::SecurityGroupEgress').InstanceEgressToSharedDatabase, undefined);
    }
  });

  test('the plan says so, and the resources stay within AWS\'s resource specification', () => {
    assert.match(applicationResources.purpose(onStaging()), /read access to staging's database secret and its port/);
    assert.deepEqual(specProblems(resourcesOf(onStaging())), []);
  });
});

describe('the application stack of an application with a database', () => {
  const userDataOf = (config: Config) => {
    const template = applicationTemplate(applicationInput(config));
    const launch = resourcesOfType(template, 'AWS::EC2::LaunchTemplate').LaunchTemplate!.Properties as { LaunchTemplateData: { UserData: { 'Fn::Base64': { 'Fn::Sub': [string, Record<string, unknown>] } } } };
    return launch.LaunchTemplateData.UserData['Fn::Base64']['Fn::Sub'];
  };

  test('gives the container DATABASE_URL and its parts, read at boot from the database stack\'s exports and its secret', () => {
    const [script, values] = userDataOf(staging);
    const stack = databaseStack(APP, 'staging');
    assert.deepEqual(values[SCRIPT_VALUES.databaseHost], importOf(stack, DATABASE_OUTPUTS.host));
    assert.deepEqual(values[SCRIPT_VALUES.databasePort], importOf(stack, DATABASE_OUTPUTS.port));
    assert.deepEqual(values[SCRIPT_VALUES.databaseName], importOf(stack, DATABASE_OUTPUTS.name));
    assert.deepEqual(values[SCRIPT_VALUES.databaseSecret], importOf(stack, DATABASE_OUTPUTS.secretName));
    assert.match(script, /database='postgres \$\{DatabaseHost\} \$\{DatabasePort\} \$\{DatabaseName\} \$\{DatabaseSecretName\}'/);
    // The reader that writes them (its output is checked in user-data.test.ts), run before every start.
    assert.ok(script.includes(DATABASE_READER_SCRIPT.replaceAll('${', '${!')));
    assert.match(script, /ExecStartPre=\/usr\/local\/sbin\/wimpy-read-database /);
  });

  test('a preview reads its own database; on staging\'s, staging\'s', () => {
    assert.deepEqual(userDataOf(preview)[1][SCRIPT_VALUES.databaseSecret], importOf(databaseStack(APP, 'pr-7'), DATABASE_OUTPUTS.secretName));
    assert.deepEqual(userDataOf(configOf({ database: 'postgres', 'preview-database': 'staging' }, PREVIEW))[1][SCRIPT_VALUES.databaseSecret], importOf(databaseStack(APP, 'staging'), DATABASE_OUTPUTS.secretName));
  });

  test('a MySQL database gives a mysql:// URL; no database, no variables', () => {
    assert.match(userDataOf(configOf({ database: 'mysql', environment: 'staging' }))[0], /database='mysql /);
    const [script, values] = userDataOf(configOf({ environment: 'staging' }));
    assert.doesNotMatch(script, /DATABASE_URL/);
    assert.equal(values[SCRIPT_VALUES.databaseSecret], undefined);
  });
});
