import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { missingTags, specProblems } from '../support/resource-spec.js';
import type { Template } from '../../src/engine/ports.js';

/** A small template that is right in every respect the checker looks at. */
function correct(): Template {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Parameters: { Rotate: { Type: 'String' } },
    Resources: {
      Key: { Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: { Ref: 'Rotate' }, Tags: [{ Key: 'a', Value: 'b' }] } },
      Bucket: {
        Type: 'AWS::S3::Bucket',
        Properties: {
          BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': ['Key', 'Arn'] } } }] },
          LifecycleConfiguration: { Rules: [{ Status: 'Enabled', ExpirationInDays: 30 }] },
        },
      },
      Logs: { Type: 'AWS::Logs::LogGroup', DependsOn: 'Bucket', Properties: { RetentionInDays: 30, LogGroupName: { 'Fn::Sub': '${Bucket.Arn}-${AWS::Region}-${Rotate}' } } },
    },
    Outputs: { BucketName: { Value: { Ref: 'Bucket' } } },
  };
}

/** The correct template with one resource's properties changed. */
function withProperties(logicalId: string, properties: Record<string, unknown>): Template {
  const template = correct();
  const resources = template.Resources as Record<string, { Properties: Record<string, unknown> }>;
  resources[logicalId]!.Properties = properties;
  return template;
}

describe('checking templates against the CloudFormation resource specification', () => {
  test('a correct template, with intrinsic functions in typed properties, has no problems', () => {
    const template = correct();
    const logs = (template.Resources as Record<string, { Properties: Record<string, unknown> }>).Logs!;
    logs.Properties.LogGroupName = { 'Fn::Sub': ['${Bucket.Arn}-${AWS::Region}-${Name}', { Name: 'x' }] };
    assert.deepEqual(specProblems(template), []);
  });

  test('an unknown resource type is a problem', () => {
    const template = correct();
    (template.Resources as Record<string, unknown>).Thing = { Type: 'AWS::S3::Bukket', Properties: {} };
    assert.deepEqual(specProblems(template), ['Resources.Thing: unknown resource type AWS::S3::Bukket']);
  });

  test('an unknown property is a problem, at the top and in nested property types', () => {
    const template = withProperties('Bucket', { BucketEncryptionn: {}, LifecycleConfiguration: { Rules: [{ Status: 'Enabled', ExpirationDays: 30 }] } });
    assert.deepEqual(specProblems(template), [
      'Resources.Bucket (AWS::S3::Bucket).Properties.BucketEncryptionn: unknown property',
      'Resources.Bucket (AWS::S3::Bucket).Properties.LifecycleConfiguration.Rules[0].ExpirationDays: unknown property',
    ]);
  });

  test('a missing required property is a problem, at the top and in nested property types', () => {
    const template = correct();
    (template.Resources as Record<string, unknown>).Alias = { Type: 'AWS::KMS::Alias', Properties: { AliasName: 'alias/x' } };
    const resources = template.Resources as Record<string, { Properties: Record<string, unknown> }>;
    resources.Key!.Properties.Tags = [{ Key: 'a' }];
    assert.deepEqual(specProblems(template), [
      'Resources.Key (AWS::KMS::Key).Properties.Tags[0].Value: required property is missing',
      'Resources.Alias (AWS::KMS::Alias).Properties.TargetKeyId: required property is missing',
    ]);
  });

  test('a literal of the wrong type is a problem: text for a boolean, a fraction for an integer, a list for an object, an object for text', () => {
    const template = withProperties('Logs', { RetentionInDays: 1.5, LogGroupName: { Name: 'x' }, DeletionProtectionEnabled: 'yes', ResourcePolicyDocument: {} });
    (template.Resources as Record<string, { Properties: Record<string, unknown> }>).Bucket!.Properties.BucketEncryption = [];
    assert.deepEqual(specProblems(template), [
      'Resources.Bucket (AWS::S3::Bucket).Properties.BucketEncryption: expected BucketEncryption, got []',
      'Resources.Logs (AWS::Logs::LogGroup).Properties.RetentionInDays: expected integer, got 1.5',
      'Resources.Logs (AWS::Logs::LogGroup).Properties.LogGroupName: expected string, got {"Name":"x"}',
      'Resources.Logs (AWS::Logs::LogGroup).Properties.DeletionProtectionEnabled: expected boolean, got "yes"',
    ]);
  });

  test('scalars that CloudFormation converts are accepted: "30" for an integer, "true" for a boolean, 5 for text', () => {
    const template = withProperties('Logs', { RetentionInDays: '30', DeletionProtectionEnabled: 'true', LogGroupName: 5 });
    assert.deepEqual(specProblems(template), []);
  });

  test('a value outside the allowed values is a problem', () => {
    const template = withProperties('Logs', { RetentionInDays: 31 });
    assert.match(specProblems(template).join('\n'), /^Resources\.Logs \(AWS::Logs::LogGroup\)\.Properties\.RetentionInDays: 31 is not one of 1, 3, 5, 7, 14, 30,/);
  });

  test('a Ref, Fn::GetAtt, Fn::Sub or DependsOn naming nothing is a problem', () => {
    const template = withProperties('Logs', { LogGroupName: { 'Fn::Sub': '${Bucket.Nope}-${Missing}' }, KmsKeyId: { 'Fn::GetAtt': 'Kee.Arn' } });
    (template.Resources as Record<string, Record<string, unknown>>).Logs!.DependsOn = ['Bucket', 'Ghost'];
    (template.Outputs as Record<string, unknown>).Other = { Value: { Ref: 'Nothing' } };
    assert.deepEqual(specProblems(template), [
      'Resources.Logs.DependsOn: no resource "Ghost"',
      'Resources.Logs.Properties.LogGroupName: AWS::S3::Bucket has no attribute Nope',
      'Resources.Logs.Properties.LogGroupName: Fn::Sub of unknown ${Missing}',
      'Resources.Logs.Properties.KmsKeyId: Fn::GetAtt of unknown resource Kee',
      'Outputs.Other.Value: Ref to unknown Nothing',
    ]);
  });

  test('a misspelt resource attribute such as Propertie is a problem', () => {
    const template = correct();
    (template.Resources as Record<string, Record<string, unknown>>).Key!.Propertie = {};
    assert.deepEqual(specProblems(template), ['Resources.Key.Propertie: unknown resource attribute']);
  });

  test('a template without resources is a problem', () => {
    assert.deepEqual(specProblems({ AWSTemplateFormatVersion: '2010-09-09', Resources: {} }), ['Resources: a template needs at least one resource']);
  });

  test('a resource whose type takes tags but lacks an expected one is reported; types without tags are not', () => {
    const template = correct();
    (template.Resources as Record<string, unknown>).Alias = { Type: 'AWS::KMS::Alias', Properties: { AliasName: 'alias/x', TargetKeyId: { Ref: 'Key' } } };
    assert.deepEqual(missingTags(template, { a: 'b' }), ['Bucket: a', 'Logs: a']);
    assert.deepEqual(missingTags(template, { a: 'c' }), ['Key: a', 'Bucket: a', 'Logs: a']);
  });
});
