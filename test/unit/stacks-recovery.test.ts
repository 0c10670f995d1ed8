import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  UpdateTerminationProtectionCommand,
} from '@aws-sdk/client-cloudformation';
import { StackFailure } from '../../src/engine/ports.js';
import { NAME, START, STACK_ID, TEMPLATE, change, changeSetName, deployed, event, harness, spec, stackEvent, OUTDATED_TAGS } from './stacks-support.js';

const OLD_ID = `arn:aws:cloudformation:eu-west-1:123456789012:stack/${NAME}/0f0e0d0c-0000-11f0-8000-000000000001`;
const ASG = 'AWS::AutoScaling::AutoScalingGroup';

function failure(error: unknown): StackFailure {
  assert.ok(error instanceof StackFailure, `not a StackFailure: ${String(error)}`);
  return error;
}

describe('a stack left in ROLLBACK_COMPLETE by a failed first create', () => {
  test('is deleted, waited for, created again, and the outcome says so', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ StackId: OLD_ID, StackStatus: 'ROLLBACK_COMPLETE' })] });
    const failedCreate = stackEvent('ROLLBACK_COMPLETE', -60);
    h.cfn.on(DescribeStackEventsCommand, { StackName: OLD_ID })
      .resolvesOnce({ StackEvents: [failedCreate] })
      .resolves({ StackEvents: [stackEvent('DELETE_COMPLETE', 3), stackEvent('DELETE_IN_PROGRESS', 1, 'User Initiated'), failedCreate] });
    h.cfn.on(DeleteStackCommand).resolves({});
    h.cfn.on(DescribeStacksCommand, { StackName: OLD_ID })
      .resolvesOnce({ Stacks: [deployed({ StackId: OLD_ID, StackStatus: 'DELETE_IN_PROGRESS' })] })
      .resolves({ Stacks: [deployed({ StackId: OLD_ID, StackStatus: 'DELETE_COMPLETE' })] });
    h.progress([{ StackStatus: 'CREATE_COMPLETE' }], [[stackEvent('CREATE_COMPLETE', 9)]]);

    const result = await h.stacks.apply(spec(), h.options());

    assert.equal(result.outcome, 'recreated');
    // Created again only once the old stack is gone, and the new one followed by its own id.
    assert.deepEqual(
      h.cfn.calls().map((call) => `${call.args[0].constructor.name.replace(/Command$/, '')} ${(call.args[0].input as { StackName?: string }).StackName}`),
      [
        `DescribeStacks ${NAME}`,
        `DescribeStackEvents ${OLD_ID}`,
        `DeleteStack ${NAME}`,
        `DescribeStacks ${OLD_ID}`,
        `DescribeStackEvents ${OLD_ID}`,
        `DescribeStacks ${OLD_ID}`,
        `DescribeStackEvents ${OLD_ID}`,
        `CreateStack ${NAME}`,
        `DescribeStacks ${STACK_ID}`,
        `DescribeStackEvents ${STACK_ID}`,
      ],
    );
    assert.deepEqual(h.lines, [`Stack ${NAME} is ROLLBACK_COMPLETE: its first creation failed and left it empty. Deleting it to create it again.`]);
    // The deletion is streamed too, but not the events from before it.
    assert.deepEqual(h.events.map((e) => e.status), ['DELETE_IN_PROGRESS', 'DELETE_COMPLETE', 'CREATE_COMPLETE']);
  });

  test('with termination protection on is not deleted', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ StackStatus: 'ROLLBACK_COMPLETE', EnableTerminationProtection: true })] });
    await assert.rejects(h.stacks.apply(spec(), h.options()), (error) => {
      assert.match(failure(error).message, /has termination protection on, so it was not deleted/);
      return true;
    });
    assert.equal(h.cfn.commandCalls(DeleteStackCommand).length, 0);
  });
});

describe('a stack whose first change set was never executed (REVIEW_IN_PROGRESS)', () => {
  function neverExecuted(h: ReturnType<typeof harness>) {
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ StackStatus: 'REVIEW_IN_PROGRESS', Parameters: [], Tags: [], Outputs: [] })] });
    h.changeSetAnswers('CREATE_COMPLETE', []);
    h.progress([{ StackStatus: 'REVIEW_IN_PROGRESS' }, { StackStatus: 'CREATE_IN_PROGRESS' }, { StackStatus: 'CREATE_COMPLETE' }], [[stackEvent('CREATE_COMPLETE', 9)]]);
  }

  test('gets a CREATE change set again, executed and watched by the id CloudFormation gives it', async () => {
    const h = harness();
    neverExecuted(h);

    const result = await h.stacks.apply(spec(), h.options());

    assert.equal(h.cfn.commandCalls(CreateChangeSetCommand)[0]?.args[0].input.ChangeSetType, 'CREATE');
    assert.deepEqual(h.cfn.commandCalls(ExecuteChangeSetCommand).map((call) => call.args[0].input), [{ StackName: NAME, ChangeSetName: changeSetName(START) }]);
    assert.equal(h.cfn.commandCalls(CreateStackCommand).length, 0);
    assert.equal(h.cfn.commandCalls(GetTemplateCommand).length, 0);
    // REVIEW_IN_PROGRESS after the execution only means it has not started yet.
    assert.deepEqual(h.cfn.commandCalls(DescribeStacksCommand).map((call) => call.args[0].input.StackName), [NAME, STACK_ID, STACK_ID, STACK_ID]);
    assert.equal(result.outcome, 'created');
  });

  test('has termination protection turned on once it exists, when asked, since a change set cannot set it', async () => {
    const h = harness();
    neverExecuted(h);
    h.cfn.on(UpdateTerminationProtectionCommand).resolves({});
    await h.stacks.apply(spec({ terminationProtection: true }), h.options());
    assert.deepEqual(h.cfn.commandCalls(UpdateTerminationProtectionCommand).map((call) => call.args[0].input), [{ StackName: NAME, EnableTerminationProtection: true }]);
    assert.deepEqual(h.lines, [`Termination protection of stack ${NAME} turned on.`]);
  });

  test('without termination protection asked, is left unprotected', async () => {
    const h = harness();
    neverExecuted(h);
    await h.stacks.apply(spec({ terminationProtection: false }), h.options());
    assert.equal(h.cfn.commandCalls(UpdateTerminationProtectionCommand).length, 0);
  });
});

describe('a stack that another run is updating', () => {
  test('is waited for, then deployed, and the log says why it waited', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ StackStatus: 'UPDATE_IN_PROGRESS' })] });
    h.cfn.on(DescribeStacksCommand, { StackName: STACK_ID })
      .resolvesOnce({ Stacks: [deployed({ StackStatus: 'UPDATE_IN_PROGRESS' })] })
      .resolvesOnce({ Stacks: [deployed({ StackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' })] })
      .resolves({ Stacks: [deployed({ StackStatus: 'UPDATE_COMPLETE' })] });
    h.cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify(TEMPLATE) });

    const result = await h.stacks.apply(spec(), h.options());

    assert.equal(result.outcome, 'unchanged');
    assert.deepEqual(h.clock.sleeps, [1000, 1500, 2250]);
    assert.deepEqual(h.lines, [`Stack ${NAME} is UPDATE_IN_PROGRESS: another operation is running on it; waiting for it to end.`]);
  });

  test('that never ends fails at the deadline, naming the stack, its state and its last event', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand).resolves({ Stacks: [deployed({ StackStatus: 'UPDATE_IN_PROGRESS' })] });
    h.cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [event('AutoScalingGroup', ASG, 'UPDATE_IN_PROGRESS', -30, 'Rolling update initiated. Terminating 1 obsolete instance(s) in batches of 1.')] });
    await assert.rejects(h.stacks.apply(spec(), h.options({ deadline: START + 60_000 })), (error) => {
      const stopped = failure(error);
      assert.equal(stopped.status, 'UPDATE_IN_PROGRESS');
      assert.equal(
        stopped.message,
        `The run's deadline passed while stack ${NAME} was UPDATE_IN_PROGRESS; its last event: 11:59:30 ${NAME} AutoScalingGroup (${ASG}) UPDATE_IN_PROGRESS Rolling update initiated. Terminating 1 obsolete instance(s) in batches of 1.. ` +
          `The operation goes on in CloudFormation: follow it with \`aws cloudformation describe-stack-events --stack-name ${NAME}\`.`,
      );
      return true;
    });
    assert.equal(h.clock.now(), START + 60_000);
    assert.ok(h.clock.sleeps.every((ms) => ms <= 5000));
  });
});

describe('a stack that needs a person', () => {
  test('in UPDATE_ROLLBACK_FAILED fails with the state and the continue-update-rollback command, changing nothing', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ StackStatus: 'UPDATE_ROLLBACK_FAILED' })] });
    h.cfn.on(DescribeStackEventsCommand).resolves({
      StackEvents: [stackEvent('UPDATE_ROLLBACK_FAILED', -10), event('Database', 'AWS::RDS::DBInstance', 'UPDATE_FAILED', -20, 'DB instance shop-db not found'), event('AutoScalingGroup', ASG, 'UPDATE_COMPLETE', -30)],
    });
    await assert.rejects(h.stacks.apply(spec(), h.options()), (error) => {
      const stuck = failure(error);
      assert.equal(stuck.status, 'UPDATE_ROLLBACK_FAILED');
      assert.match(stuck.message, new RegExp(`^Stack ${NAME} is UPDATE_ROLLBACK_FAILED \\(stuck: a failed update could not be rolled back\\); nothing was changed\\.`));
      assert.match(stuck.message, new RegExp(`\`aws cloudformation continue-update-rollback --stack-name ${NAME}\``));
      assert.match(stuck.message, /--resources-to-skip Database`/);
      return true;
    });
    assert.equal(h.cfn.commandCalls(CreateChangeSetCommand).length, 0);
  });

  test('in DELETE_FAILED fails with the resources left behind and how to delete it', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ StackStatus: 'DELETE_FAILED' })] });
    h.cfn.on(DescribeStackEventsCommand).resolves({
      StackEvents: [stackEvent('DELETE_FAILED', -10, 'The following resource(s) failed to delete: [LogBucket].'), event('LogBucket', 'AWS::S3::Bucket', 'DELETE_FAILED', -20, 'The bucket you tried to delete is not empty')],
    });
    await assert.rejects(h.stacks.apply(spec(), h.options()), (error) => {
      const stuck = failure(error);
      assert.match(stuck.message, /could not delete \(LogBucket\)/);
      assert.match(stuck.message, new RegExp(`\`aws cloudformation delete-stack --stack-name ${NAME} --retain-resources LogBucket\``));
      return true;
    });
    assert.equal(h.cfn.commandCalls(DeleteStackCommand).length, 0);
  });
});

describe('an operation that CloudFormation rolls back', () => {
  test('an update rolled back is a failure whose root cause is the first failure that is not a cancellation', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ Tags: OUTDATED_TAGS })] });
    h.changeSetAnswers('CREATE_COMPLETE', [change('AutoScalingGroup', ASG, 'Modify', 'False')]);
    const signals = 'Received 0 SUCCESS signal(s) out of 1.  Unable to satisfy 100% MinSuccessfulInstancesPercent requirement';
    h.progress(
      [{ StackStatus: 'UPDATE_IN_PROGRESS' }, { StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS' }, { StackStatus: 'UPDATE_ROLLBACK_COMPLETE' }],
      [
        [stackEvent('UPDATE_IN_PROGRESS', 1, 'User Initiated'), event('AutoScalingGroup', ASG, 'UPDATE_IN_PROGRESS', 2)],
        // Same second: CloudFormation lists the cancellation as the older of the two.
        [
          event('TargetGroup', 'AWS::ElasticLoadBalancingV2::TargetGroup', 'UPDATE_FAILED', 300, 'Resource update cancelled'),
          event('AutoScalingGroup', ASG, 'UPDATE_FAILED', 300, signals),
          stackEvent('UPDATE_ROLLBACK_IN_PROGRESS', 301, 'The following resource(s) failed to update: [AutoScalingGroup, TargetGroup].'),
        ],
        [stackEvent('UPDATE_ROLLBACK_COMPLETE', 400)],
      ],
    );

    await assert.rejects(h.stacks.apply(spec(), h.options()), (error) => {
      const rolledBack = failure(error);
      assert.equal(rolledBack.status, 'UPDATE_ROLLBACK_COMPLETE');
      assert.equal(rolledBack.rootCause?.logicalId, 'AutoScalingGroup');
      assert.equal(rolledBack.rootCause?.reason, signals);
      assert.equal(rolledBack.message, `Updating stack ${NAME} failed and CloudFormation rolled it back; it is UPDATE_ROLLBACK_COMPLETE. Root cause: AutoScalingGroup (${ASG}) UPDATE_FAILED: ${signals}.`);
      return true;
    });
  });

  test('a first create rolled back is a failure too, never a success', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [] });
    h.progress(
      [{ StackStatus: 'ROLLBACK_IN_PROGRESS' }, { StackStatus: 'ROLLBACK_COMPLETE' }],
      [[event('Queue', 'AWS::SQS::Queue', 'CREATE_FAILED', 3, 'Resource handler returned message: "Queue already exists"')], [stackEvent('ROLLBACK_COMPLETE', 9)]],
    );
    await assert.rejects(h.stacks.apply(spec(), h.options()), (error) => {
      const rolledBack = failure(error);
      assert.equal(rolledBack.status, 'ROLLBACK_COMPLETE');
      assert.equal(rolledBack.rootCause?.logicalId, 'Queue');
      return true;
    });
    assert.equal(h.cfn.commandCalls(CreateStackCommand).length, 1);
  });
});

describe('waiting for this run\'s own operation', () => {
  test('has no timeout but the deadline: a long, healthy update finishes', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ Tags: OUTDATED_TAGS })] });
    h.changeSetAnswers('CREATE_COMPLETE', []);
    const twoHours = Array.from({ length: 1500 }, () => ({ StackStatus: 'UPDATE_IN_PROGRESS' as const }));
    h.progress([...twoHours, { StackStatus: 'UPDATE_COMPLETE' }], [[stackEvent('UPDATE_COMPLETE', 7200)]]);
    const result = await h.stacks.apply(spec(), h.options({ deadline: START + 3 * 3_600_000 }));
    assert.equal(result.outcome, 'updated');
    assert.ok(h.clock.now() - START > 2 * 3_600_000);
  });

  test('stops at once when the run is cancelled and says which state the stack was left in', async () => {
    const h = harness();
    const cancel = new AbortController();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ Tags: OUTDATED_TAGS })] });
    h.changeSetAnswers('CREATE_COMPLETE', []);
    h.progress([{ StackStatus: 'UPDATE_IN_PROGRESS' }], [[stackEvent('UPDATE_IN_PROGRESS', 1, 'User Initiated')]]);
    await assert.rejects(h.stacks.apply(spec(), h.options({ signal: cancel.signal, onEvent: () => cancel.abort() })), (error) => {
      const cancelled = failure(error);
      assert.equal(cancelled.status, 'UPDATE_IN_PROGRESS');
      assert.equal(cancelled.message, `The run was cancelled while stack ${NAME} was UPDATE_IN_PROGRESS: this action stopped watching it, and CloudFormation goes on with the operation.`);
      return true;
    });
    assert.equal(h.cfn.commandCalls(DescribeStacksCommand, { StackName: STACK_ID }).length, 1);
    assert.equal(h.cfn.commandCalls(ExecuteChangeSetCommand).length, 1);
  });
});
