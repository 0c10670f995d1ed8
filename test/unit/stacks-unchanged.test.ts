import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateChangeSetCommand, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { NAME, TEMPLATE, deployed, harness, notFound, spec } from './stacks-support.js';

/** The read-only check that lets every stack of a run be compared side by side. */
describe('checking whether a stack is unchanged', () => {
  test('returns the stack and its outputs when template, parameters and tags match, in two reads', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed()] });
    h.cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify(TEMPLATE) });
    assert.deepEqual(await h.stacks.unchanged(spec()), { name: NAME, outcome: 'unchanged', outputs: { Url: 'https://shop.example.com' }, changes: [] });
    assert.equal(h.cfn.calls().length, 2);
  });

  test('says nothing is known when a parameter differs, without reading the template or making a change set', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed()] });
    assert.equal(await h.stacks.unchanged(spec({ parameters: { ...spec().parameters, ImageUri: 'shop:v2' } })), undefined);
    assert.equal(h.cfn.commandCalls(GetTemplateCommand).length, 0);
    assert.equal(h.cfn.commandCalls(CreateChangeSetCommand).length, 0);
  });

  test('leaves a stack whose termination protection is still to be turned on to apply', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed()] });
    h.cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify(TEMPLATE) });
    assert.equal(await h.stacks.unchanged(spec({ terminationProtection: true })), undefined);
  });

  test('leaves a stack in the middle of an operation, or missing, to apply', async () => {
    const busy = harness();
    busy.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ StackStatus: 'UPDATE_IN_PROGRESS' })] });
    assert.equal(await busy.stacks.unchanged(spec()), undefined);
    const missing = harness();
    missing.cfn.on(DescribeStacksCommand).rejects(notFound());
    assert.equal(await missing.stacks.unchanged(spec()), undefined);
  });
});
