import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudFormationClient, DescribeStackEventsCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import type { StackEvent } from '../../src/engine/ports.js';
import { EventStream } from '../../src/aws/stacks-events.js';
import { START, STACK_ID, event, stackEvent } from './stacks-support.js';

function setup(since?: Date) {
  const client = new CloudFormationClient({ region: 'eu-west-1' });
  const cfn = mockClient(client);
  const delivered: StackEvent[] = [];
  const stream = new EventStream(client, STACK_ID, since, (e) => delivered.push(e));
  return { cfn, stream, delivered };
}

const LT = 'AWS::EC2::LaunchTemplate';

test('a poll delivers only the events not seen before, oldest first', async () => {
  const { cfn, stream, delivered } = setup(new Date(START));
  const begun = stackEvent('UPDATE_IN_PROGRESS', 1, 'User Initiated');
  const started = event('LaunchTemplate', LT, 'UPDATE_IN_PROGRESS', 2);
  const done = event('LaunchTemplate', LT, 'UPDATE_COMPLETE', 3);
  cfn.on(DescribeStackEventsCommand)
    .resolvesOnce({ StackEvents: [started, begun] })
    .resolvesOnce({ StackEvents: [done, started, begun] })
    .resolves({ StackEvents: [done, started, begun] });

  assert.deepEqual((await stream.poll()).map((e) => e.id), [begun.EventId, started.EventId]);
  assert.deepEqual((await stream.poll()).map((e) => e.id), [done.EventId]);
  assert.deepEqual(await stream.poll(), []);
  assert.deepEqual(delivered.map((e) => e.id), [begun.EventId, started.EventId, done.EventId]);
  assert.deepEqual(stream.events, delivered);
});

test('events older than the operation are never delivered and end the paging', async () => {
  const { cfn, stream } = setup(new Date(START));
  const current = stackEvent('UPDATE_IN_PROGRESS', 1, 'User Initiated');
  const previous = stackEvent('UPDATE_COMPLETE', -3600);
  cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [current, previous], NextToken: 'page-2' });
  assert.deepEqual((await stream.poll()).map((e) => e.id), [current.EventId]);
  assert.equal(cfn.commandCalls(DescribeStackEventsCommand).length, 1);
});

test('a burst of events over several pages is read to its start, and the next poll reads one page', async () => {
  const { cfn, stream } = setup(new Date(START));
  const older = Array.from({ length: 100 }, (_, i) => event(`Subnet${i}`, 'AWS::EC2::Subnet', 'CREATE_COMPLETE', 100 - i));
  const newer = Array.from({ length: 100 }, (_, i) => event(`Route${i}`, 'AWS::EC2::Route', 'CREATE_COMPLETE', 300 - i));
  const latest = event('Vpc', 'AWS::EC2::VPC', 'CREATE_COMPLETE', 400);
  cfn.on(DescribeStackEventsCommand, { StackName: STACK_ID })
    .resolvesOnce({ StackEvents: newer, NextToken: 'page-2' })
    .resolves({ StackEvents: [latest, ...newer.slice(0, 99)], NextToken: 'page-2' });
  cfn.on(DescribeStackEventsCommand, { StackName: STACK_ID, NextToken: 'page-2' }).resolves({ StackEvents: older });

  const first = await stream.poll();
  assert.equal(first.length, 200);
  assert.equal(first[0]?.logicalId, 'Subnet99');
  assert.equal(first.at(-1)?.logicalId, 'Route0');
  // Two requests, the second with page-2's token: only that token answers with the older events.
  assert.equal(cfn.commandCalls(DescribeStackEventsCommand).length, 2);

  assert.deepEqual((await stream.poll()).map((e) => e.logicalId), ['Vpc']);
  assert.equal(cfn.commandCalls(DescribeStackEventsCommand).length, 3);
});

test('events that exist before a deletion can be skipped, so only the deletion is streamed', async () => {
  const { cfn, stream } = setup();
  const old = stackEvent('CREATE_COMPLETE', -600);
  const deleting = stackEvent('DELETE_IN_PROGRESS', 1, 'User Initiated');
  cfn.on(DescribeStackEventsCommand).resolvesOnce({ StackEvents: [old] }).resolves({ StackEvents: [deleting, old] });
  await stream.skipPast();
  assert.deepEqual((await stream.poll()).map((e) => e.status), ['DELETE_IN_PROGRESS']);
});

test('an event that a page repeats, because newer ones arrived between two requests, is delivered once and paging goes on', async () => {
  const { cfn, stream } = setup(new Date(START));
  const [first, second, third] = [1, 2, 3].map((s) => event(`Subnet${s}`, 'AWS::EC2::Subnet', 'CREATE_COMPLETE', s));
  cfn.on(DescribeStackEventsCommand, { StackName: STACK_ID }).resolves({ StackEvents: [third!, second!], NextToken: 'page-2' });
  cfn.on(DescribeStackEventsCommand, { StackName: STACK_ID, NextToken: 'page-2' }).resolves({ StackEvents: [second!, first!] });
  assert.deepEqual((await stream.poll()).map((e) => e.logicalId), ['Subnet1', 'Subnet2', 'Subnet3']);
});
