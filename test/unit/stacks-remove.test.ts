import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DeleteStackCommand, DescribeStackEventsCommand, DescribeStacksCommand, ListImportsCommand, UpdateTerminationProtectionCommand } from '@aws-sdk/client-cloudformation';
import { StackFailure } from '../../src/engine/ports.js';
import { NAME, STACK_ID, awsError, deployed, event, harness, notFound, stackEvent } from './stacks-support.js';
import { asSent } from '../support/sent-inputs.js';

const EXPORT = `${NAME}-url`;
const notImported = () => awsError('ValidationError', `Export ${EXPORT} is not imported by any stack.`);

function deletion(h: ReturnType<typeof harness>, final: 'DELETE_COMPLETE' | 'DELETE_FAILED') {
  const created = stackEvent('CREATE_COMPLETE', -600);
  const started = stackEvent('DELETE_IN_PROGRESS', 1, 'User Initiated');
  const ending =
    final === 'DELETE_COMPLETE'
      ? [stackEvent('DELETE_COMPLETE', 9)]
      : [stackEvent('DELETE_FAILED', 9, 'The following resource(s) failed to delete: [LogBucket].'), event('LogBucket', 'AWS::S3::Bucket', 'DELETE_FAILED', 8, 'The bucket you tried to delete is not empty')];
  h.cfn.on(DescribeStackEventsCommand, { StackName: STACK_ID })
    .resolvesOnce({ StackEvents: [created] })
    .resolvesOnce({ StackEvents: [started, created] })
    .resolves({ StackEvents: [...ending, started, created] });
  h.cfn.on(DeleteStackCommand).resolves({});
  h.cfn.on(DescribeStacksCommand, { StackName: STACK_ID })
    .resolvesOnce({ Stacks: [deployed({ StackStatus: 'DELETE_IN_PROGRESS' })] })
    .resolves({ Stacks: [deployed({ StackStatus: final })] });
}

describe('removing a stack', () => {
  test('deletes it, streams the deletion and waits until it is gone', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed()] });
    h.cfn.on(ListImportsCommand).rejects(notImported());
    deletion(h, 'DELETE_COMPLETE');

    await h.stacks.remove(NAME, h.options());

    assert.deepEqual(h.cfn.commandCalls(ListImportsCommand).map((call) => asSent(call.args[0].input)), [{ ExportName: EXPORT }]);
    assert.deepEqual(h.cfn.commandCalls(DeleteStackCommand).map((call) => call.args[0].input), [{ StackName: NAME }]);
    assert.deepEqual(h.events.map((e) => e.status), ['DELETE_IN_PROGRESS', 'DELETE_COMPLETE']);
  });

  test('that fails to delete raises the root cause and the remedy', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ Outputs: [] })] });
    deletion(h, 'DELETE_FAILED');
    await assert.rejects(h.stacks.remove(NAME, h.options()), (error) => {
      assert.ok(error instanceof StackFailure);
      assert.equal(error.status, 'DELETE_FAILED');
      assert.equal(error.rootCause?.logicalId, 'LogBucket');
      assert.match(error.message, /^Deleting stack shop-production failed; it is DELETE_FAILED\. Root cause: LogBucket \(AWS::S3::Bucket\) DELETE_FAILED: The bucket you tried to delete is not empty\./);
      assert.match(error.message, /--retain-resources LogBucket`/);
      return true;
    });
  });

  test('refuses while another stack imports one of its exports, and names the importers', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed()] });
    h.cfn.on(ListImportsCommand, { ExportName: EXPORT })
      .resolvesOnce({ Imports: ['shop-production-canary'], NextToken: 'more' })
      .resolves({ Imports: ['shop-production-dashboard'] });
    await assert.rejects(h.stacks.remove(NAME, h.options()), (error) => {
      assert.ok(error instanceof StackFailure);
      assert.equal(
        error.message,
        `Stack ${NAME} was not deleted: other stacks import its exports ${EXPORT} (imported by shop-production-canary, shop-production-dashboard). Remove those stacks, or their imports, first.`,
      );
      return true;
    });
    assert.equal(h.cfn.commandCalls(DeleteStackCommand).length, 0);
  });

  test("asks for every export's importers at once: a stack of many exports costs one round trip", { timeout: 10_000 }, async () => {
    const h = harness();
    const exports = ['url', 'security-group', 'role', 'log-group'].map((name) => `${NAME}-${name}`);
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ Outputs: exports.map((name) => ({ OutputKey: name, OutputValue: 'x', ExportName: name })) })] });
    let asked = 0;
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    h.cfn.on(ListImportsCommand).callsFake(async (input: { ExportName: string }) => {
      asked += 1;
      if (asked === exports.length) answer();
      // No question is answered before all of them were asked.
      await answered;
      throw awsError('ValidationError', `Export ${input.ExportName} is not imported by any stack.`);
    });
    deletion(h, 'DELETE_COMPLETE');

    await h.stacks.remove(NAME, h.options());

    assert.deepEqual(h.cfn.commandCalls(ListImportsCommand).map((call) => call.args[0].input.ExportName).sort(), [...exports].sort());
    assert.equal(h.cfn.commandCalls(DeleteStackCommand).length, 1);
  });

  test('refuses a stack with termination protection on, and turns nothing off by itself', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ EnableTerminationProtection: true })] });
    await assert.rejects(h.stacks.remove(NAME, h.options()), (error) => {
      assert.ok(error instanceof StackFailure);
      assert.match(error.message, new RegExp(`^Stack ${NAME} has termination protection on, so it was not deleted\\.`));
      return true;
    });
    assert.equal(h.cfn.commandCalls(DeleteStackCommand).length, 0);
    assert.equal(h.cfn.commandCalls(UpdateTerminationProtectionCommand).length, 0);
  });

  test('that does not exist is a success with nothing done', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand).rejects(notFound());
    await h.stacks.remove(NAME, h.options());
    assert.equal(h.cfn.calls().length, 1);
  });
});

describe('starting a removal nobody waits for', () => {
  test('asks CloudFormation to delete the stack and returns: no event, no wait', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed()] });
    h.cfn.on(ListImportsCommand).rejects(notImported());
    h.cfn.on(DeleteStackCommand).resolves({});

    await h.stacks.startRemoval(NAME, h.options());

    assert.deepEqual(h.cfn.commandCalls(DeleteStackCommand).map((call) => call.args[0].input), [{ StackName: NAME }]);
    assert.equal(h.cfn.commandCalls(DescribeStacksCommand).length, 1, 'one read, before the deletion: none after it');
    assert.equal(h.cfn.commandCalls(DescribeStackEventsCommand).length, 0);
  });

  test('leaves a stack already being deleted to that deletion', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ StackStatus: 'DELETE_IN_PROGRESS' })] });
    await h.stacks.startRemoval(NAME, h.options());
    assert.equal(h.cfn.commandCalls(DeleteStackCommand).length, 0);
  });

  test('starts again the deletion of a stack whose deletion failed', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ StackStatus: 'DELETE_FAILED' })] });
    h.cfn.on(ListImportsCommand).rejects(notImported());
    h.cfn.on(DeleteStackCommand).resolves({});
    await h.stacks.startRemoval(NAME, h.options());
    assert.equal(h.cfn.commandCalls(DeleteStackCommand).length, 1);
  });

  test("has remove's refusals: another owner's stack, termination protection, imported exports", async () => {
    const foreign = harness();
    foreign.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ Tags: [{ Key: 'wimpy:application', Value: 'other' }] })] });
    await assert.rejects(foreign.stacks.startRemoval(NAME, foreign.options({ owner: { 'wimpy:application': 'shop' } })), StackFailure);
    const guarded = harness();
    guarded.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ EnableTerminationProtection: true })] });
    await assert.rejects(guarded.stacks.startRemoval(NAME, guarded.options()), /termination protection on/);
    const imported = harness();
    imported.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed()] });
    imported.cfn.on(ListImportsCommand, { ExportName: EXPORT }).resolves({ Imports: ['shop-production-canary'] });
    await assert.rejects(imported.stacks.startRemoval(NAME, imported.options()), /other stacks import its exports/);
    for (const h of [foreign, guarded, imported]) assert.equal(h.cfn.commandCalls(DeleteStackCommand).length, 0);
  });
});

describe('turning termination protection off', () => {
  test('is one explicit request, once nothing imports from the stack', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ EnableTerminationProtection: true })] });
    h.cfn.on(ListImportsCommand).rejects(notImported());
    h.cfn.on(UpdateTerminationProtectionCommand).resolves({ StackId: STACK_ID });
    await h.stacks.unprotect(NAME);
    assert.deepEqual(h.cfn.commandCalls(UpdateTerminationProtectionCommand).map((call) => call.args[0].input), [{ StackName: NAME, EnableTerminationProtection: false }]);
    assert.deepEqual(h.lines, [`Termination protection of stack ${NAME} turned off, as asked.`]);
  });

  test('is refused while another stack imports from it, and the protection stays on', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ EnableTerminationProtection: true })] });
    h.cfn.on(ListImportsCommand, { ExportName: EXPORT }).resolves({ Imports: ['shop-production-resources'] });
    await assert.rejects(h.stacks.unprotect(NAME), /other stacks import its exports/);
    assert.equal(h.cfn.commandCalls(UpdateTerminationProtectionCommand).length, 0);
  });

  test('of a stack that does not exist is a success with nothing changed', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand).rejects(notFound());
    await h.stacks.unprotect(NAME);
    assert.equal(h.cfn.commandCalls(UpdateTerminationProtectionCommand).length, 0);
    assert.deepEqual(h.lines, []);
  });
});
