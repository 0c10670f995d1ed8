import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudFormationClient, CreateChangeSetCommand, DescribeChangeSetCommand, DescribeStackEventsCommand, DescribeStacksCommand, ExecuteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { createStacks } from '../../src/aws/stacks.js';
import { rollingStack } from '../../src/config/names.js';
import type { Config } from '../../src/config/types.js';
import type { EngineDeps } from '../../src/engine/context.js';
import type { Clock } from '../../src/engine/ports.js';
import { runCommand, type RunOutcome } from '../../src/engine/run.js';
import { configOf } from '../support/config.js';
import { blueGreen, FakeAws, STAGING_HOST, stagingRelease, V1, V2, V3 } from '../support/fake-aws.js';

/**
 * A cancelled run (the runner's SIGINT, then SIGTERM, then a kill ten seconds later) stops
 * at once, puts traffic back where it was, and says what it left behind.
 */

const A = stagingRelease(V1);
const B = stagingRelease(V2);

/** Runs `config` on `deps` with a cancellation the test controls. */
function runCancellable(aws: FakeAws, config: Config, cancel: AbortController, deps: EngineDeps = aws): Promise<RunOutcome> {
  const request = aws.request(config);
  return runCommand(config, deps, { ...request, run: { ...request.run, signal: cancel.signal } });
}

const weights = (aws: FakeAws) => aws.dns.batches.map((batch) => Object.fromEntries(batch.targets.map((target) => [target.setIdentifier, target.weight])));

describe('a cancelled canary', () => {
  test('cancelled while the 10 percent step is watched: all traffic goes back to the release that served, and the report says cancelled and where traffic is', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1));
    const cancel = new AbortController();
    let tenPercent = false;
    aws.dns.onChange((batch) => (tenPercent ||= batch.targets.some((target) => target.setIdentifier === B && target.weight === 10)));
    const sleep = aws.clock.sleep.bind(aws.clock);
    aws.clock.sleep = (ms) => {
      if (tenPercent) cancel.abort();
      return sleep(ms);
    };
    const from = aws.dns.batches.length;

    const { report, outputs } = await runCancellable(aws, blueGreen(V2), cancel);

    assert.deepEqual(weights(aws).slice(from), [{ [A]: 100, [B]: 0 }, { [A]: 90, [B]: 10 }, { [A]: 100, [B]: 0 }]);
    assert.deepEqual(aws.dns.weightsOf(STAGING_HOST), { [A]: 100, [B]: 0 });
    assert.equal(report.status, 'cancelled');
    assert.match(report.message ?? '', /^The run was cancelled during the rollout\. Traffic: /);
    assert.ok(report.message?.includes(`${A} 100%`) && report.message.includes(`${B} 0%`), 'the message says where traffic was left');
    assert.ok(aws.stacks.get(B), `${B} stays, at weight 0, for the next run`);
    assert.deepEqual(aws.stacks.removed, []);
    assert.equal(outputs['has-changes'], 'false');
  });

  test('a cancellation wakes the step watch at once: the revert does not wait for the end of a pause', { timeout: 5_000 }, async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1));
    const cancel = new AbortController();
    // A watch pause that lasts longer than the runner waits before it kills the step.
    const slow: Clock = {
      now: () => aws.clock.now(),
      sleep: () => {
        setImmediate(() => cancel.abort());
        return new Promise(() => undefined);
      },
    };
    const from = aws.dns.batches.length;

    const { report } = await runCancellable(aws, blueGreen(V2, { 'step-wait': '600' }), cancel, { ...aws, clock: slow } as EngineDeps);

    assert.equal(report.status, 'cancelled');
    assert.deepEqual(weights(aws).slice(from).at(-1), { [A]: 100, [B]: 0 });
  });
});

test('cancelled while old releases wait out the DNS TTL: the new release stays live and the old ones are left for a later run', { timeout: 5_000 }, async () => {
  const aws = new FakeAws();
  for (const version of [V1, V2]) await aws.run(blueGreen(version, { 'keep-releases': '0' }));
  const cancel = new AbortController();
  const sleep = aws.clock.sleep.bind(aws.clock);
  // Only the wait for resolvers lasts: twice the TTL, far longer than the runner's ten seconds.
  aws.clock.sleep = (ms) => (ms === 120_000 ? (setImmediate(() => cancel.abort()), new Promise(() => undefined)) : sleep(ms));

  const { report } = await runCancellable(aws, blueGreen(V3, { 'keep-releases': '0' }), cancel);

  assert.equal(report.status, 'success');
  assert.equal(aws.dns.weightsOf(STAGING_HOST)[stagingRelease(V3)], 100);
  assert.deepEqual(aws.stacks.removed, []);
  assert.ok(aws.stacks.get(A));
});

describe('a cancelled stack operation', () => {
  const STACK = rollingStack('shop', 'production');
  const STACK_ID = `arn:aws:cloudformation:eu-west-1:123456789012:stack/${STACK}/5b3c0f10-1a2b-11f0-9d3e-0a1b2c3d4e5f`;

  test('cancelled while CloudFormation updates the application stack: the run stops watching, touches no record, and says which stack was left in which state', async () => {
    const aws = new FakeAws();
    const config = configOf({ 'application-name': 'shop', environment: 'production', steps: 'deploy', version: V2 });
    aws.images.push(V2);
    const cancel = new AbortController();
    const client = new CloudFormationClient({ region: 'eu-west-1' });
    const cloudformation = mockClient(client);
    const stack = (status: string) => ({ StackName: STACK, StackId: STACK_ID, StackStatus: status, CreationTime: new Date(0), Parameters: [], Tags: [] }) as never;
    cloudformation.on(DescribeStacksCommand, { StackName: STACK }).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    cloudformation.on(CreateChangeSetCommand).resolves({ Id: 'change-set', StackId: STACK_ID });
    cloudformation.on(DescribeChangeSetCommand).resolves({ Status: 'CREATE_COMPLETE', StackId: STACK_ID, CreationTime: new Date(0), Changes: [] });
    cloudformation.on(ExecuteChangeSetCommand).resolves({});
    cloudformation.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    // The runner cancels while the update is under way.
    cloudformation.on(DescribeStacksCommand, { StackName: STACK_ID }).callsFake(() => {
      cancel.abort();
      return { Stacks: [stack('UPDATE_IN_PROGRESS')] };
    });
    const deps: EngineDeps = { ...aws, stacks: createStacks({ cloudformation: client, clock: aws.clock }) };

    const { report } = await runCancellable(aws, config, cancel, deps);

    assert.equal(report.status, 'cancelled');
    assert.equal(report.message, `The run was cancelled while stack ${STACK} was UPDATE_IN_PROGRESS: this action stopped watching it, and CloudFormation goes on with the operation.`);
    assert.equal(cloudformation.commandCalls(DescribeStacksCommand, { StackName: STACK_ID }).length, 1, 'no poll after the cancellation');
    assert.deepEqual(aws.dns.batches, []);
  });
});
