import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { NAME, deployed, harness, notFound } from './stacks-support.js';

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

test('listing stacks reads every page and keeps the live ones that carry every tag asked for', async () => {
  const h = harness();
  const tagged = (name: string, environment: string, status = 'CREATE_COMPLETE' as const) =>
    deployed({ StackName: name, StackStatus: status, Tags: [{ Key: 'wimpy:application', Value: 'shop' }, { Key: 'wimpy:environment', Value: environment }] });
  h.cfn.on(DescribeStacksCommand, {}).resolvesOnce({ Stacks: [tagged('shop-production-a1b2c3d', 'production'), tagged('shop-staging', 'staging')], NextToken: 'next' });
  h.cfn.on(DescribeStacksCommand, { NextToken: 'next' }).resolves({
    Stacks: [tagged('shop-production-e4f5a6b', 'production'), deployed({ StackName: 'other', Tags: [] }), { ...tagged('shop-production-0000000', 'production'), StackStatus: 'DELETE_COMPLETE' }],
  });

  const found = await h.stacks.list({ 'wimpy:application': 'shop', 'wimpy:environment': 'production' });

  assert.deepEqual(found.map((stack) => stack.name), ['shop-production-a1b2c3d', 'shop-production-e4f5a6b']);
  // Two requests, the second with the first page's token: only that token answers with the second page.
  assert.equal(h.cfn.commandCalls(DescribeStacksCommand).length, 2);
});
