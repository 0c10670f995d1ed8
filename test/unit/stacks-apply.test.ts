import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  UpdateTerminationProtectionCommand,
} from '@aws-sdk/client-cloudformation';
import { StackFailure } from '../../src/engine/ports.js';
import { NAME, START, STACK_ID, TEMPLATE, change, changeSetName, deployed, event, harness, notFound, spec, stackEvent, OUTDATED_TAGS } from './stacks-support.js';
import { asSent } from '../support/sent-inputs.js';

const CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'];
const TAGS = [
  { Key: 'wimpy:application', Value: 'shop' },
  { Key: 'wimpy:environment', Value: 'production' },
];
const PARAMETERS = [
  { ParameterKey: 'ImageUri', ParameterValue: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop:v1' },
  { ParameterKey: 'AllowedCidrs', ParameterValue: '10.0.0.0/8,192.168.0.0/16' },
];
const OUTPUTS = [{ OutputKey: 'Url', OutputValue: 'https://shop.example.com' }];

describe('creating a stack', () => {
  const ADDITIONS = [
    { logicalId: 'LaunchTemplate', type: 'AWS::EC2::LaunchTemplate', action: 'Add' },
    { logicalId: 'AutoScalingGroup', type: 'AWS::AutoScaling::AutoScalingGroup', action: 'Add' },
  ];

  /** A stack CloudFormation does not know yet, created over `working` looks at it in progress. */
  function firstCreate(h: ReturnType<typeof harness>, working = 1) {
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).rejects(notFound());
    h.progress(
      [...Array.from({ length: working }, () => ({ StackStatus: 'CREATE_IN_PROGRESS' as const })), { StackStatus: 'CREATE_COMPLETE', Outputs: OUTPUTS }],
      [
        [stackEvent('CREATE_IN_PROGRESS', 0, 'User Initiated'), event('LaunchTemplate', 'AWS::EC2::LaunchTemplate', 'CREATE_IN_PROGRESS', 1)],
        [event('LaunchTemplate', 'AWS::EC2::LaunchTemplate', 'CREATE_COMPLETE', 4), stackEvent('CREATE_COMPLETE', 5)],
      ],
    );
  }

  test('creates a new stack with CreateStack, termination protection on from the start, the IAM capabilities, the exact parameters and tags, and returns the outputs', async () => {
    const h = harness();
    firstCreate(h);
    const result = await h.stacks.apply(spec({ terminationProtection: true }), h.options());

    assert.deepEqual(h.cfn.commandCalls(CreateStackCommand).map((call) => call.args[0].input), [
      {
        StackName: NAME,
        TemplateBody: JSON.stringify(TEMPLATE),
        Parameters: PARAMETERS,
        Tags: TAGS,
        Capabilities: CAPABILITIES,
        EnableTerminationProtection: true,
        ClientRequestToken: h.cfn.commandCalls(CreateStackCommand)[0]?.args[0].input.ClientRequestToken,
      },
    ]);
    assert.match(h.cfn.commandCalls(CreateStackCommand)[0]?.args[0].input.ClientRequestToken ?? '', /^wimpy-[0-9a-f-]{36}$/, 'a token of its own, so that a retry is recognised');
    assert.deepEqual(result, { name: NAME, outcome: 'created', outputs: { Url: 'https://shop.example.com' }, changes: ADDITIONS });
    // Protection came with the stack: nothing to turn on afterwards, and no change set on the way.
    assert.equal(h.cfn.commandCalls(UpdateTerminationProtectionCommand).length, 0);
    assert.deepEqual(h.lines, []);
    assert.equal(h.cfn.commandCalls(CreateChangeSetCommand).length, 0);
    assert.equal(h.cfn.commandCalls(ExecuteChangeSetCommand).length, 0);
  });

  test('a stack the run found missing is not described again, except by apply, which reads afresh before it creates it; once created it is known', async () => {
    const h = harness();
    firstCreate(h);
    const byName = () => h.cfn.commandCalls(DescribeStacksCommand).filter((call) => call.args[0].input.StackName === NAME).length;

    assert.equal(await h.stacks.describe(NAME), undefined);
    assert.equal(await h.stacks.describe(NAME), undefined);
    assert.equal(await h.stacks.unchanged(spec()), undefined);
    assert.equal(byName(), 1);
    await h.stacks.apply(spec(), h.options());
    assert.equal(byName(), 2, 'apply asked again: another run may have made the stack meanwhile');
    assert.equal((await h.stacks.describe(NAME))?.status, 'CREATE_COMPLETE');
    assert.equal(byName(), 2);
  });

  test('a CreateStack whose answer was lost (the stack exists, made by this request) is adopted, not failed with "already exists"', async () => {
    const h = harness();
    firstCreate(h);
    h.cfn.on(CreateStackCommand).callsFake((input: { ClientRequestToken: string }) => {
      // CloudFormation took the first request; its answer never came back; the retry is refused.
      h.cfn.on(DescribeStackEventsCommand, { StackName: NAME }).resolves({ StackEvents: [{ ...stackEvent('CREATE_IN_PROGRESS', 0, 'User Initiated'), ClientRequestToken: input.ClientRequestToken }] });
      throw Object.assign(new Error(`Stack [${NAME}] already exists`), { name: 'AlreadyExistsException' });
    });

    const result = await h.stacks.apply(spec(), h.options());

    assert.equal(result.outcome, 'created');
    assert.deepEqual(h.lines, [`Stack ${NAME}: the answer to its creation was lost, but the stack is the one this run asked for (same request token): going on.`]);
  });

  test('a stack of the same name created by another request is not adopted', async () => {
    const h = harness();
    firstCreate(h);
    h.cfn.on(DescribeStackEventsCommand, { StackName: NAME }).resolves({ StackEvents: [{ ...stackEvent('CREATE_IN_PROGRESS', 0, 'User Initiated'), ClientRequestToken: 'wimpy-someone-else' }] });
    h.cfn.on(CreateStackCommand).rejects(Object.assign(new Error(`Stack [${NAME}] already exists`), { name: 'AlreadyExistsException' }));

    await assert.rejects(h.stacks.apply(spec(), h.options()), /already exists/);
  });

  test('leaves termination protection off when the stack does not ask for it', async () => {
    const h = harness();
    firstCreate(h);
    await h.stacks.apply(spec({ terminationProtection: false }), h.options());
    assert.deepEqual(h.cfn.commandCalls(CreateStackCommand).map((call) => call.args[0].input.EnableTerminationProtection), [false]);
    assert.equal(h.cfn.commandCalls(UpdateTerminationProtectionCommand).length, 0);
  });

  test("shows the template's resources as additions before creating anything", async () => {
    const h = harness();
    firstCreate(h);
    let createdBeforeShown = -1;
    await h.stacks.apply(spec(), h.options({ onChanges: (stack, changes) => {
      createdBeforeShown = h.cfn.commandCalls(CreateStackCommand).length;
      h.shown.push({ stack, changes });
    } }));
    assert.equal(createdBeforeShown, 0);
    assert.deepEqual(h.shown, [{ stack: NAME, changes: ADDITIONS }]);
  });

  test('is watched by the id CreateStack returns, never by its name, which an older stack may have had', async () => {
    const h = harness();
    firstCreate(h);
    await h.stacks.apply(spec(), h.options());
    assert.deepEqual(h.cfn.commandCalls(DescribeStacksCommand).map((call) => call.args[0].input.StackName), [NAME, STACK_ID, STACK_ID]);
    assert.deepEqual(h.cfn.commandCalls(DescribeStackEventsCommand).map((call) => asSent(call.args[0].input)), [{ StackName: STACK_ID }, { StackName: STACK_ID }]);
  });

  test('streams each event once, oldest first, while it waits', async () => {
    const h = harness();
    firstCreate(h);
    await h.stacks.apply(spec(), h.options());
    assert.deepEqual(
      h.events.map((e) => `${e.logicalId} ${e.status}`),
      [`${NAME} CREATE_IN_PROGRESS`, 'LaunchTemplate CREATE_IN_PROGRESS', 'LaunchTemplate CREATE_COMPLETE', `${NAME} CREATE_COMPLETE`],
    );
  });

  test('polls after about a second, then less and less often, never beyond five seconds', async () => {
    const h = harness();
    firstCreate(h, 7);
    await h.stacks.apply(spec(), h.options());
    // No change set to wait for: every pause is a look at the stack.
    assert.deepEqual(h.clock.sleeps, [1000, 1500, 2250, 3375, 5000, 5000, 5000, 5000]);
  });
});

describe('updating a stack', () => {
  function update(h: ReturnType<typeof harness>) {
    h.changeSetAnswers('CREATE_COMPLETE', [
      change('LaunchTemplate', 'AWS::EC2::LaunchTemplate', 'Modify', 'False'),
      change('AutoScalingGroup', 'AWS::AutoScaling::AutoScalingGroup', 'Modify', 'Conditional'),
    ]);
    h.progress(
      [{ StackStatus: 'UPDATE_IN_PROGRESS' }, { StackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' }, { StackStatus: 'UPDATE_COMPLETE', Outputs: OUTPUTS }],
      [[stackEvent('UPDATE_IN_PROGRESS', 1, 'User Initiated')], [stackEvent('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 8)], [stackEvent('UPDATE_COMPLETE', 9)]],
    );
  }

  test('with new parameters goes through an UPDATE change set without reading the template', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed()] });
    update(h);
    const desired = spec({ parameters: { ...spec().parameters, ImageUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop:v2' } });
    const result = await h.stacks.apply(desired, h.options());

    assert.equal(h.cfn.commandCalls(GetTemplateCommand).length, 0);
    assert.deepEqual(h.cfn.commandCalls(CreateChangeSetCommand)[0]?.args[0].input, {
      StackName: NAME,
      ChangeSetName: changeSetName(START),
      ChangeSetType: 'UPDATE',
      TemplateBody: JSON.stringify(TEMPLATE),
      Parameters: [{ ParameterKey: 'ImageUri', ParameterValue: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop:v2' }, PARAMETERS[1]],
      Tags: TAGS,
      Capabilities: CAPABILITIES,
    });
    assert.equal(h.cfn.commandCalls(ExecuteChangeSetCommand).length, 1);
    assert.equal(result.outcome, 'updated');
    assert.deepEqual(result.outputs, { Url: 'https://shop.example.com' });
  });

  test('waits for the change set to be computed, then for the stack, each wait starting fast again', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ Tags: OUTDATED_TAGS })] });
    update(h);
    await h.stacks.apply(spec(), h.options());
    // The change set is the SDK's waiter's to wait for; then three looks at the stack, starting fast.
    assert.deepEqual(h.clock.sleeps, [1000, 1500, 2250]);
    assert.equal(h.cfn.commandCalls(DescribeChangeSetCommand).length, 2);
  });

  test('with the same parameters but a new template reads the deployed template, then changes it', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed()] });
    h.cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify({ ...TEMPLATE, Outputs: {} }) });
    update(h);
    const result = await h.stacks.apply(spec(), h.options());
    assert.deepEqual(h.cfn.commandCalls(GetTemplateCommand).map((call) => call.args[0].input), [{ StackName: NAME, TemplateStage: 'Original' }]);
    assert.equal(result.outcome, 'updated');
  });

  test('shows every change, its action and replacement, before executing it', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ Tags: OUTDATED_TAGS })] });
    update(h);
    let executedBeforeShown = -1;
    await h.stacks.apply(spec(), h.options({ onChanges: () => (executedBeforeShown = h.cfn.commandCalls(ExecuteChangeSetCommand).length) }));
    assert.equal(executedBeforeShown, 0);

    const shown = harness();
    shown.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ Tags: OUTDATED_TAGS })] });
    update(shown);
    await shown.stacks.apply(spec(), shown.options());
    assert.deepEqual(shown.shown, [
      {
        stack: NAME,
        changes: [
          { logicalId: 'LaunchTemplate', type: 'AWS::EC2::LaunchTemplate', action: 'Modify', replacement: 'False' },
          { logicalId: 'AutoScalingGroup', type: 'AWS::AutoScaling::AutoScalingGroup', action: 'Modify', replacement: 'Conditional' },
        ],
      },
    ]);
  });

  test('a plan shows the change set and deletes it without executing it', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ Tags: OUTDATED_TAGS })] });
    update(h);
    h.cfn.on(DeleteChangeSetCommand).resolves({});
    const result = await h.stacks.apply(spec({ terminationProtection: true }), h.options({ dryRun: true }));
    assert.equal(h.cfn.commandCalls(ExecuteChangeSetCommand).length, 0);
    assert.equal(h.cfn.commandCalls(UpdateTerminationProtectionCommand).length, 0);
    assert.deepEqual(h.cfn.commandCalls(DeleteChangeSetCommand).map((call) => call.args[0].input), [{ StackName: NAME, ChangeSetName: changeSetName(START) }]);
    assert.equal(result.outcome, 'updated');
    assert.equal(result.changes.length, 2);
    assert.equal(h.shown.length, 1);
  });

  test('a plan for a stack that does not exist yet creates nothing and lists every resource as added', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).rejects(notFound());
    const result = await h.stacks.apply(spec(), h.options({ dryRun: true }));
    assert.deepEqual(h.cfn.calls().map((call) => call.args[0].constructor.name), ['DescribeStacksCommand']);
    assert.deepEqual(result, {
      name: NAME,
      outcome: 'created',
      outputs: {},
      changes: [
        { logicalId: 'LaunchTemplate', type: 'AWS::EC2::LaunchTemplate', action: 'Add' },
        { logicalId: 'AutoScalingGroup', type: 'AWS::AutoScaling::AutoScalingGroup', action: 'Add' },
      ],
    });
  });
});

describe('nothing to change', () => {
  test('is recognised from the deployed template, parameters and tags, in at most three requests and no change set', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ Outputs: OUTPUTS })] });
    // The same template written another way: other key order, indented.
    const { Resources, Outputs, Parameters, AWSTemplateFormatVersion } = TEMPLATE;
    h.cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify({ Outputs, Resources, Parameters, AWSTemplateFormatVersion }, null, 2) });

    const result = await h.stacks.apply(spec(), h.options());

    assert.deepEqual(result, { name: NAME, outcome: 'unchanged', outputs: { Url: 'https://shop.example.com' }, changes: [] });
    assert.ok(h.cfn.calls().length <= 3, `${h.cfn.calls().length} requests`);
    assert.equal(h.cfn.commandCalls(CreateChangeSetCommand).length, 0);
    assert.deepEqual(h.clock.sleeps, []);
    assert.deepEqual(h.shown, [{ stack: NAME, changes: [] }]);
  });

  test('a parameter left to its default is the same as the default deployed', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ Parameters: [...(deployed().Parameters ?? []).slice(0, 2), { ParameterKey: 'InstanceType', ParameterValue: 't3.large' }] })] });
    h.cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify(TEMPLATE) });
    h.changeSetAnswers('FAILED', [], "The submitted information didn't contain changes. Submit different information to create a change set.");
    await h.stacks.apply(spec(), h.options());
    // t3.large was passed once; leaving it out now means the default, t3.small: a change.
    assert.equal(h.cfn.commandCalls(CreateChangeSetCommand).length, 1);
  });

  test('is recognised from the empty change set, which is deleted and never executed', async () => {
    const h = harness();
    // A template deployed in YAML by hand cannot be compared as data: only a change set can tell.
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ Outputs: OUTPUTS })] });
    h.cfn.on(GetTemplateCommand).resolves({ TemplateBody: 'AWSTemplateFormatVersion: "2010-09-09"\nResources: {}\n' });
    h.changeSetAnswers('FAILED', [], "The submitted information didn't contain changes. Submit different information to create a change set.");
    h.cfn.on(DeleteChangeSetCommand).resolves({});

    const result = await h.stacks.apply(spec(), h.options());

    assert.deepEqual(result, { name: NAME, outcome: 'unchanged', outputs: { Url: 'https://shop.example.com' }, changes: [] });
    assert.equal(h.cfn.commandCalls(ExecuteChangeSetCommand).length, 0);
    assert.deepEqual(h.cfn.commandCalls(DeleteChangeSetCommand).map((call) => call.args[0].input), [{ StackName: NAME, ChangeSetName: changeSetName(START) }]);
    // Only the change set's computing was waited for, by the SDK's waiter: no pause of the run's own.
    assert.deepEqual(h.clock.sleeps, []);
    assert.equal(h.cfn.commandCalls(DescribeChangeSetCommand).length, 2);
  });

  test('a change set that fails for another reason is a failure with that reason', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ Tags: OUTDATED_TAGS })] });
    h.changeSetAnswers('FAILED', [], 'Parameters: [Subnets] must have values');
    await assert.rejects(h.stacks.apply(spec(), h.options()), (error: unknown) => {
      assert.ok(error instanceof StackFailure);
      assert.equal(error.message, `CloudFormation could not make a change set for stack ${NAME}: Parameters: [Subnets] must have values`);
      return true;
    });
    assert.equal(h.cfn.commandCalls(ExecuteChangeSetCommand).length, 0);
  });
});

describe('parameters', () => {
  const tricky = {
    Subnets: 'subnet-0a,subnet-0b, subnet-0c',
    Greeting: 'say "hello", then \'bye\'',
    Script: '#!/bin/sh\necho one\necho "two, three"\n',
    Empty: '',
  };

  test('with commas, quotes and newlines reach CloudFormation exactly, one value each', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).rejects(notFound());
    h.progress([{ StackStatus: 'CREATE_COMPLETE' }], [[stackEvent('CREATE_COMPLETE', 5)]]);
    await h.stacks.apply(spec({ parameters: tricky }), h.options());
    assert.deepEqual(h.cfn.commandCalls(CreateStackCommand)[0]?.args[0].input.Parameters, [
      { ParameterKey: 'Subnets', ParameterValue: 'subnet-0a,subnet-0b, subnet-0c' },
      { ParameterKey: 'Greeting', ParameterValue: 'say "hello", then \'bye\'' },
      { ParameterKey: 'Script', ParameterValue: '#!/bin/sh\necho one\necho "two, three"\n' },
      { ParameterKey: 'Empty', ParameterValue: '' },
    ]);
  });

  test('deployed with the same tricky values count as unchanged', async () => {
    const h = harness();
    const template = { Parameters: Object.fromEntries(Object.keys(tricky).map((key) => [key, { Type: 'String' }])), Resources: TEMPLATE.Resources };
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({
      Stacks: [deployed({ Parameters: Object.entries(tricky).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })) })],
    });
    h.cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify(template) });
    const result = await h.stacks.apply(spec({ parameters: tricky, template }), h.options());
    assert.equal(result.outcome, 'unchanged');
  });
});

describe('templates over the inline limit', () => {
  const big = { ...TEMPLATE, Description: 'x'.repeat(60_000) };
  const body = JSON.stringify(big);

  test('fail before any change, naming the stack, its size and the limit', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ Tags: OUTDATED_TAGS })] });
    await assert.rejects(h.stacks.apply(spec({ template: big }), h.options()), (error: unknown) => {
      assert.ok(error instanceof StackFailure);
      assert.equal(error.stackName, NAME);
      assert.match(error.message, new RegExp(`template of stack ${NAME} is ${Buffer.byteLength(body).toLocaleString('en-US')} bytes`));
      assert.match(error.message, /limit of 51,200 bytes/);
      return true;
    });
    assert.equal(h.cfn.commandCalls(CreateChangeSetCommand).length, 0);
    assert.equal(h.cfn.commandCalls(CreateStackCommand).length, 0);
  });
});

test('never turns termination protection off by itself', async () => {
  const h = harness();
  h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ EnableTerminationProtection: true })] });
  h.cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify(TEMPLATE) });
  const result = await h.stacks.apply(spec({ terminationProtection: false }), h.options());
  assert.equal(result.outcome, 'unchanged');
  assert.equal(h.cfn.commandCalls(UpdateTerminationProtectionCommand).length, 0);
});
