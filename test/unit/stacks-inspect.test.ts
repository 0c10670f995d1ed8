import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { NAME, STACK_ID, TEMPLATE, change, deployed, harness, notFound, spec } from './stacks-support.js';

describe('describing a stack', () => {
  test('gives its status, outputs, parameters, tags and times', async () => {
    const h = harness();
    const stack = deployed();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [stack] });
    assert.deepEqual(await h.stacks.describe(NAME), {
      name: NAME,
      status: 'UPDATE_COMPLETE',
      outputs: { Url: 'https://shop.example.com' },
      parameters: { ImageUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop:v1', AllowedCidrs: '10.0.0.0/8,192.168.0.0/16', InstanceType: 't3.small' },
      tags: { 'wimpy:application': 'shop', 'wimpy:environment': 'production' },
      createdAt: stack.CreationTime,
      updatedAt: stack.LastUpdatedTime,
    });
  });

  test('that does not exist gives nothing', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand).rejects(notFound());
    assert.equal(await h.stacks.describe(NAME), undefined);
  });

  test('that was deleted counts as absent', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand).resolves({ Stacks: [deployed({ StackStatus: 'DELETE_COMPLETE' })] });
    assert.equal(await h.stacks.describe(NAME), undefined);
  });
});

describe('listing stacks by their tags', () => {
  const arn = (name: string, id = '5b3c0f10') => `arn:aws:cloudformation:eu-west-1:123456789012:stack/${name}/${id}`;
  const tagsOf = (environment: string) => [{ Key: 'wimpy:application', Value: 'shop' }, { Key: 'wimpy:environment', Value: environment }];
  const tagged = (name: string, environment: string) => deployed({ StackName: name, StackId: arn(name), Tags: tagsOf(environment) });

  test('asks the tag index, page by page, and describes the live stacks it names that carry every tag', async () => {
    const h = harness();
    h.tags.on(GetResourcesCommand).resolvesOnce({ ResourceTagMappingList: [{ ResourceARN: arn('shop-production-a1b2c3d'), Tags: tagsOf('production') }, { ResourceARN: arn('shop-production-0000000'), Tags: tagsOf('production') }], PaginationToken: 'next' });
    h.tags.on(GetResourcesCommand, { PaginationToken: 'next' }).resolves({ ResourceTagMappingList: [{ ResourceARN: arn('shop-production-e4f5a6b'), Tags: tagsOf('production') }] });
    h.cfn.on(DescribeStacksCommand, { StackName: 'shop-production-a1b2c3d' }).resolves({ Stacks: [tagged('shop-production-a1b2c3d', 'production')] });
    h.cfn.on(DescribeStacksCommand, { StackName: 'shop-production-e4f5a6b' }).resolves({ Stacks: [tagged('shop-production-e4f5a6b', 'production')] });
    // The index can still name a deleted stack.
    h.cfn.on(DescribeStacksCommand, { StackName: 'shop-production-0000000' }).resolves({ Stacks: [{ ...tagged('shop-production-0000000', 'production'), StackStatus: 'DELETE_COMPLETE' }] });

    const found = await h.stacks.list({ 'wimpy:application': 'shop', 'wimpy:environment': 'production' });

    assert.deepEqual(found.map((stack) => stack.name), ['shop-production-a1b2c3d', 'shop-production-e4f5a6b']);
    const asked = h.tags.commandCalls(GetResourcesCommand).map((call) => call.args[0].input);
    assert.equal(asked.length, 2);
    assert.deepEqual(asked[0]!.ResourceTypeFilters, ['cloudformation:stack']);
    assert.deepEqual(asked[0]!.TagFilters, [{ Key: 'wimpy:application', Values: ['shop'] }, { Key: 'wimpy:environment', Values: ['production'] }]);
    // No listing of the account: every DescribeStacks names its stack.
    assert.ok(h.cfn.commandCalls(DescribeStacksCommand).every((call) => call.args[0].input.StackName));
  });

  test('describes only the stacks the filter keeps, judged by name and tags', async () => {
    const h = harness();
    h.tags.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [{ ResourceARN: arn('shop-pr-7'), Tags: tagsOf('pr-7') }, { ResourceARN: arn('shop-staging-resources'), Tags: tagsOf('staging') }] });
    h.cfn.on(DescribeStacksCommand, { StackName: 'shop-pr-7' }).resolves({ Stacks: [tagged('shop-pr-7', 'pr-7')] });

    const found = await h.stacks.list({ 'wimpy:application': 'shop' }, (stack) => stack.tags['wimpy:environment'] === 'pr-7');

    assert.deepEqual(found.map((stack) => stack.name), ['shop-pr-7']);
    assert.deepEqual(h.cfn.commandCalls(DescribeStacksCommand).map((call) => call.args[0].input.StackName), ['shop-pr-7']);
  });

  test("asks the tag index once a run: the stacks of one environment, after all of the application's, are that answer filtered", async () => {
    const h = harness();
    h.tags.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [{ ResourceARN: arn('shop-pr-7'), Tags: tagsOf('pr-7') }, { ResourceARN: arn('shop-staging-a1b2c3d'), Tags: tagsOf('staging') }] });
    h.cfn.on(DescribeStacksCommand, { StackName: 'shop-pr-7' }).resolves({ Stacks: [tagged('shop-pr-7', 'pr-7')] });
    h.cfn.on(DescribeStacksCommand, { StackName: 'shop-staging-a1b2c3d' }).resolves({ Stacks: [tagged('shop-staging-a1b2c3d', 'staging')] });

    const [previews, staging] = await Promise.all([
      h.stacks.list({ 'wimpy:application': 'shop' }, (stack) => stack.tags['wimpy:environment'] === 'pr-7'),
      h.stacks.list({ 'wimpy:application': 'shop', 'wimpy:environment': 'staging' }),
    ]);

    assert.deepEqual(previews.map((stack) => stack.name), ['shop-pr-7']);
    assert.deepEqual(staging.map((stack) => stack.name), ['shop-staging-a1b2c3d']);
    assert.equal(h.tags.commandCalls(GetResourcesCommand).length, 1);
  });
});

describe('a run reads each stack once', () => {
  test('a stack a listing described is not described again, nor compared from a second read', async () => {
    const h = harness();
    h.tags.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [{ ResourceARN: STACK_ID, Tags: deployed().Tags }] });
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed()] });
    h.cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify(TEMPLATE) });

    await h.stacks.list({ 'wimpy:application': 'shop' });
    await h.stacks.describe(NAME);
    await h.stacks.unchanged(spec());
    await h.stacks.apply(spec(), h.options());

    assert.equal(h.cfn.commandCalls(DescribeStacksCommand).length, 1);
  });

  test('a stack a listing and a describe ask for side by side is described once', async () => {
    const h = harness();
    h.tags.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [{ ResourceARN: STACK_ID, Tags: deployed().Tags }] });
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed()] });

    const [listed, described] = await Promise.all([h.stacks.list({ 'wimpy:application': 'shop' }), h.stacks.describe(NAME), h.stacks.describe(NAME)]);

    assert.deepEqual(listed.map((stack) => stack.name), [NAME]);
    assert.equal(described?.name, NAME);
    assert.equal(h.cfn.commandCalls(DescribeStacksCommand).length, 1);
  });

  test('a stack this run changed is known as the wait for its change last read it, without reading it again', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed()] });
    h.changeSetAnswers('CREATE_COMPLETE', [change('LaunchTemplate', 'AWS::EC2::LaunchTemplate', 'Modify', 'False')]);
    h.progress([{ StackStatus: 'UPDATE_IN_PROGRESS' }, { StackStatus: 'UPDATE_COMPLETE', Parameters: [{ ParameterKey: 'ImageUri', ParameterValue: 'shop:v2' }] }], [[], []]);

    await h.stacks.apply(spec({ parameters: { ...spec().parameters, ImageUri: 'shop:v2' } }), h.options());
    const reads = h.cfn.commandCalls(DescribeStacksCommand).length;
    const after = await h.stacks.describe(NAME);

    assert.equal(after?.status, 'UPDATE_COMPLETE');
    assert.equal(after?.parameters.ImageUri, 'shop:v2');
    assert.equal(h.cfn.commandCalls(DescribeStacksCommand).length, reads);
  });
});
