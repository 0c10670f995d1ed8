import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { StackStatus } from '@aws-sdk/client-cloudformation';
import type { StackEvent } from '../../src/engine/ports.js';
import {
  STACK_STATUSES,
  additionsOf,
  changesAsLogLines,
  decide,
  describeFailure,
  eventLine,
  failedResources,
  isEmptyChangeSet,
  isSettled,
  rootCause,
  succeeded,
} from '../../src/engine/stack-status.js';

const at = (seconds: number) => new Date(Date.UTC(2026, 2, 1, 12, 0, seconds));
let ids = 0;
function ev(logicalId: string, status: string, seconds: number, reason?: string): StackEvent {
  ids += 1;
  return { id: `e${ids}`, stackName: 'shop', logicalId, type: logicalId === 'shop' ? 'AWS::CloudFormation::Stack' : 'AWS::AutoScaling::AutoScalingGroup', status, timestamp: at(seconds), ...(reason ? { reason } : {}) };
}

describe('the table of stack statuses', () => {
  test('covers every status CloudFormation documents, and nothing else', () => {
    assert.deepEqual(Object.keys(STACK_STATUSES).sort(), Object.values(StackStatus).sort());
  });

  const expected: Record<string, string> = {
    CREATE_IN_PROGRESS: 'wait',
    CREATE_COMPLETE: 'update',
    CREATE_FAILED: 'fail',
    ROLLBACK_IN_PROGRESS: 'wait',
    ROLLBACK_COMPLETE: 'recreate',
    ROLLBACK_FAILED: 'fail',
    DELETE_IN_PROGRESS: 'wait',
    DELETE_COMPLETE: 'create',
    DELETE_FAILED: 'fail',
    UPDATE_IN_PROGRESS: 'wait',
    UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: 'wait',
    UPDATE_COMPLETE: 'update',
    UPDATE_FAILED: 'fail',
    UPDATE_ROLLBACK_IN_PROGRESS: 'wait',
    UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: 'wait',
    UPDATE_ROLLBACK_COMPLETE: 'update',
    UPDATE_ROLLBACK_FAILED: 'fail',
    REVIEW_IN_PROGRESS: 'create',
    IMPORT_IN_PROGRESS: 'wait',
    IMPORT_COMPLETE: 'update',
    IMPORT_ROLLBACK_IN_PROGRESS: 'wait',
    IMPORT_ROLLBACK_COMPLETE: 'update',
    IMPORT_ROLLBACK_FAILED: 'fail',
  };
  for (const status of Object.values(StackStatus)) {
    test(`${status}: a deploy decides to ${expected[status]}`, () => {
      const verdict = decide('shop', status);
      assert.equal(verdict.decision, expected[status]);
      assert.equal(isSettled(status), expected[status] !== 'wait');
      if (verdict.decision === 'fail') {
        assert.match(verdict.message ?? '', new RegExp(`^Stack shop is ${status} \\(`));
        assert.match(verdict.message ?? '', /`aws cloudformation [a-z-]+ --stack-name shop/);
      } else {
        assert.equal(verdict.message, undefined);
      }
    });
  }

  test('UPDATE_ROLLBACK_FAILED names ContinueUpdateRollback, its command and the resources to skip', () => {
    const { message } = decide('shop', 'UPDATE_ROLLBACK_FAILED', ['Database']);
    assert.match(message ?? '', /ContinueUpdateRollback/);
    assert.match(message ?? '', /`aws cloudformation continue-update-rollback --stack-name shop`/);
    assert.match(message ?? '', /--resources-to-skip Database/);
  });

  test('DELETE_FAILED names the resources left behind and how to delete while keeping them', () => {
    const { message } = decide('shop', 'DELETE_FAILED', ['LogBucket', 'SecurityGroup']);
    assert.match(message ?? '', /\(LogBucket, SecurityGroup\)/);
    assert.match(message ?? '', /`aws cloudformation delete-stack --stack-name shop --retain-resources LogBucket SecurityGroup`/);
  });

  test('a status newer than the table is waited out while in progress and refused otherwise', () => {
    assert.equal(decide('shop', 'UPGRADE_IN_PROGRESS').decision, 'wait');
    assert.deepEqual(decide('shop', 'PAUSED'), { decision: 'fail', message: 'Stack shop is PAUSED, a state this action does not know; nothing was changed.' });
  });

  test('success is only the status the operation aims at: a rollback never counts', () => {
    assert.equal(succeeded('create', 'CREATE_COMPLETE'), true);
    assert.equal(succeeded('update', 'UPDATE_COMPLETE'), true);
    assert.equal(succeeded('delete', 'DELETE_COMPLETE'), true);
    for (const status of ['ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'CREATE_FAILED']) assert.equal(succeeded('create', status), false);
    for (const status of ['UPDATE_ROLLBACK_COMPLETE', 'UPDATE_ROLLBACK_FAILED', 'UPDATE_FAILED']) assert.equal(succeeded('update', status), false);
    assert.equal(succeeded('delete', 'DELETE_FAILED'), false);
  });
});

describe('the root cause of a failure', () => {
  test('is the oldest failed event whose reason is not a cancellation', () => {
    const events = [
      ev('shop', 'UPDATE_IN_PROGRESS', 0, 'User Initiated'),
      ev('TargetGroup', 'UPDATE_FAILED', 5, 'Resource update cancelled'),
      ev('Listener', 'CREATE_FAILED', 5, 'Resource creation cancelled'),
      ev('AutoScalingGroup', 'UPDATE_FAILED', 6, 'Received 0 SUCCESS signal(s) out of 1.'),
      ev('Alarm', 'UPDATE_FAILED', 7, 'Resource handler returned message: "Access denied"'),
    ];
    assert.equal(rootCause(events)?.logicalId, 'AutoScalingGroup');
  });

  test('does not depend on the order the events come in', () => {
    const events = [ev('Second', 'CREATE_FAILED', 9, 'later'), ev('First', 'CREATE_FAILED', 3, 'earlier')];
    assert.equal(rootCause(events)?.logicalId, 'First');
  });

  test('is absent when only cancellations failed', () => {
    assert.equal(rootCause([ev('Queue', 'CREATE_FAILED', 1, 'Resource creation cancelled')]), undefined);
  });

  test('a failed update says CloudFormation rolled it back, then the root cause', () => {
    const events = [ev('TargetGroup', 'UPDATE_FAILED', 1, 'Resource update cancelled'), ev('AutoScalingGroup', 'UPDATE_FAILED', 2, 'Received 0 SUCCESS signal(s) out of 1.')];
    const report = describeFailure('shop', 'update', 'UPDATE_ROLLBACK_COMPLETE', events);
    assert.equal(report.rootCause, events[1]);
    assert.equal(
      report.message,
      'Updating stack shop failed and CloudFormation rolled it back; it is UPDATE_ROLLBACK_COMPLETE. Root cause: AutoScalingGroup (AWS::AutoScaling::AutoScalingGroup) UPDATE_FAILED: Received 0 SUCCESS signal(s) out of 1.',
    );
  });

  test('a failed first create says the next deploy recreates the stack', () => {
    const report = describeFailure('shop', 'create', 'ROLLBACK_COMPLETE', [ev('Queue', 'CREATE_FAILED', 1, 'Queue already exists')]);
    assert.match(report.message, /^Creating stack shop failed and CloudFormation rolled it back; it is ROLLBACK_COMPLETE\. Root cause: Queue .*Queue already exists\. The next deploy deletes it and creates it again\.$/);
  });

  test('a failed rollback adds the remedy with the resources that failed', () => {
    const events = [ev('AutoScalingGroup', 'UPDATE_FAILED', 1, 'signals'), ev('Database', 'UPDATE_FAILED', 2, 'DB instance not found')];
    const report = describeFailure('shop', 'update', 'UPDATE_ROLLBACK_FAILED', events);
    assert.match(report.message, /--resources-to-skip Database AutoScalingGroup/);
  });

  test('without any failed event, the stack status reason explains', () => {
    const report = describeFailure('shop', 'delete', 'DELETE_FAILED', [], 'The following resource(s) failed to delete: [LogBucket].');
    assert.match(report.message, /^Deleting stack shop failed; it is DELETE_FAILED\. The following resource\(s\) failed to delete: \[LogBucket\]\. Delete or fix/);
  });

  test('the resources a remedy names are the ones whose latest event failed', () => {
    const newestFirst = [ev('LogBucket', 'DELETE_FAILED', 9, 'The bucket you tried to delete is not empty'), ev('Role', 'DELETE_COMPLETE', 8), ev('Role', 'DELETE_FAILED', 4), ev('shop', 'DELETE_FAILED', 10)];
    assert.deepEqual(failedResources('shop', newestFirst), ['LogBucket']);
  });
});

describe('an empty change set', () => {
  test('is recognised by both messages CloudFormation gives it', () => {
    assert.equal(isEmptyChangeSet("The submitted information didn't contain changes. Submit different information to create a change set."), true);
    assert.equal(isEmptyChangeSet('No updates are to be performed.'), true);
  });

  test('is not confused with a change set that failed for a reason', () => {
    assert.equal(isEmptyChangeSet('Template format error: Unresolved resource dependencies [Vpc] in the Resources block of the template'), false);
    assert.equal(isEmptyChangeSet(undefined), false);
  });
});

describe('a change set as people read it', () => {
  const changes = [
    { logicalId: 'LaunchTemplate', type: 'AWS::EC2::LaunchTemplate', action: 'Modify' as const, replacement: 'False' },
    { logicalId: 'AutoScalingGroup', type: 'AWS::AutoScaling::AutoScalingGroup', action: 'Modify' as const, replacement: 'True' },
    { logicalId: 'Alarm|High', type: 'AWS::CloudWatch::Alarm', action: 'Add' as const },
    { logicalId: 'OldQueue', type: 'AWS::SQS::Queue', action: 'Remove' as const },
  ];

  test('is one log line per resource with a sign for its action and whether it is replaced', () => {
    assert.deepEqual(changesAsLogLines('shop', changes), [
      'Stack shop: 4 changes',
      '  ~ Modify LaunchTemplate (AWS::EC2::LaunchTemplate)',
      '  ~ Modify AutoScalingGroup (AWS::AutoScaling::AutoScalingGroup): replaced',
      '  + Add    Alarm|High (AWS::CloudWatch::Alarm)',
      '  - Remove OldQueue (AWS::SQS::Queue)',
    ]);
  });

  test('says so when there is nothing to change', () => {
    assert.deepEqual(changesAsLogLines('shop', []), ['Stack shop: no changes']);
    assert.deepEqual(changesAsLogLines('shop', [{ logicalId: 'Queue', type: 'AWS::SQS::Queue', action: 'Modify', replacement: 'Conditional' }]), [
      'Stack shop: 1 change',
      '  ~ Modify Queue (AWS::SQS::Queue): may be replaced',
    ]);
  });

  test('for a stack not created yet lists every resource of the template as added', () => {
    assert.deepEqual(additionsOf({ Resources: { Vpc: { Type: 'AWS::EC2::VPC' }, Bucket: { Type: 'AWS::S3::Bucket' } } }), [
      { logicalId: 'Vpc', type: 'AWS::EC2::VPC', action: 'Add' },
      { logicalId: 'Bucket', type: 'AWS::S3::Bucket', action: 'Add' },
    ]);
  });

  test('an event is one log line with its time, resource, status and reason', () => {
    assert.equal(eventLine(ev('AutoScalingGroup', 'UPDATE_FAILED', 7, 'Received 0 SUCCESS signal(s) out of 1.')), '12:00:07 shop AutoScalingGroup (AWS::AutoScaling::AutoScalingGroup) UPDATE_FAILED Received 0 SUCCESS signal(s) out of 1.');
  });
});
