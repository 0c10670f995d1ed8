/**
 * What the stacks tests share: a clock that never really sleeps, CloudFormation's answers as
 * AWS documents them, and one stacks adapter over a mocked client.
 */
import {
  CloudFormationClient,
  CloudFormationServiceException,
  CreateChangeSetCommand,
  CreateStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  type Change,
  type Stack,
  type StackEvent as SdkStackEvent,
} from '@aws-sdk/client-cloudformation';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import type { ApplyOptions, Clock, ResourceChange, StackEvent, StackSpec } from '../../src/engine/ports.js';
import { createStacks } from '../../src/aws/stacks.js';

export const START = Date.UTC(2026, 2, 1, 12, 0, 0);
export const NAME = 'shop-production';
export const STACK_ID = `arn:aws:cloudformation:eu-west-1:123456789012:stack/${NAME}/5b3c0f10-1a2b-11f0-9d3e-0a1b2c3d4e5f`;
/** The change set this adapter names after the clock at its creation: START plus the pauses before it. */
export const changeSetName = (at: number) => `wimpy-${at}`;

export interface FakeClock extends Clock {
  readonly sleeps: number[];
}

/** Time moves only when the code sleeps, and sleeping is instant. */
/** An SDK waiter's pauses (seconds) for tests: a millisecond, so that a wait happens and no test waits. */
export const QUICK = { minDelay: 0.001, maxDelay: 0.001 };

export function fakeClock(start = START): FakeClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

export const TEMPLATE = {
  AWSTemplateFormatVersion: '2010-09-09',
  Parameters: { ImageUri: { Type: 'String' }, AllowedCidrs: { Type: 'CommaDelimitedList' }, InstanceType: { Type: 'String', Default: 't3.small' } },
  Resources: {
    LaunchTemplate: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { ImageId: 'ami-0abc' } } },
    AutoScalingGroup: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { MinSize: '1', MaxSize: '2' } },
  },
  Outputs: { Url: { Value: 'https://shop.example.com' } },
};

export function spec(overrides: Partial<StackSpec> = {}): StackSpec {
  return {
    name: NAME,
    template: TEMPLATE,
    parameters: { ImageUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop:v1', AllowedCidrs: '10.0.0.0/8,192.168.0.0/16' },
    tags: { 'wimpy:application': 'shop', 'wimpy:environment': 'production' },
    terminationProtection: false,
    ...overrides,
  };
}

/** Tags of the same owner that differ from `spec()`'s: the stack needs an update. */
export const OUTDATED_TAGS = [{ Key: 'wimpy:application', Value: 'shop' }, { Key: 'wimpy:environment', Value: 'production' }, { Key: 'team', Value: 'before' }];

/** A stack as DescribeStacks returns it, deployed from `spec()`. */
export function deployed(overrides: Partial<Stack> = {}): Stack {
  const desired = spec();
  return {
    StackName: NAME,
    StackId: STACK_ID,
    StackStatus: 'UPDATE_COMPLETE',
    CreationTime: new Date(START - 86_400_000),
    LastUpdatedTime: new Date(START - 3_600_000),
    EnableTerminationProtection: false,
    Parameters: [
      ...Object.entries(desired.parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
      { ParameterKey: 'InstanceType', ParameterValue: 't3.small' },
    ],
    Tags: Object.entries(desired.tags).map(([Key, Value]) => ({ Key, Value })),
    Outputs: [{ OutputKey: 'Url', OutputValue: 'https://shop.example.com', ExportName: `${NAME}-url` }],
    ...overrides,
  };
}

let eventCount = 0;

/** A stack event as DescribeStackEvents returns it, `seconds` after START. */
export function event(logicalId: string, type: string, status: string, seconds: number, reason?: string): SdkStackEvent {
  eventCount += 1;
  return {
    StackId: STACK_ID,
    StackName: NAME,
    EventId: `${logicalId}-${status}-${eventCount}`,
    LogicalResourceId: logicalId,
    PhysicalResourceId: logicalId === NAME ? STACK_ID : `${logicalId.toLowerCase()}-1`,
    ResourceType: type,
    ResourceStatus: status,
    Timestamp: new Date(START + seconds * 1000),
    ...(reason ? { ResourceStatusReason: reason } : {}),
  } as SdkStackEvent;
}

export const stackEvent = (status: string, seconds: number, reason?: string) => event(NAME, 'AWS::CloudFormation::Stack', status, seconds, reason);

/** An error exactly as the SDK raises it for CloudFormation's answer. */
export function awsError(name: string, message: string, httpStatusCode = 400): CloudFormationServiceException {
  return new CloudFormationServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode } });
}

export const notFound = (stack = NAME) => awsError('ValidationError', `Stack with id ${stack} does not exist`);

export function change(logicalId: string, type: string, action: 'Add' | 'Modify' | 'Remove', replacement?: 'True' | 'False' | 'Conditional'): Change {
  return { Type: 'Resource', ResourceChange: { Action: action, LogicalResourceId: logicalId, ResourceType: type, ...(replacement ? { Replacement: replacement } : {}) } };
}

/** Sets up and records everything one adapter does. */
/** A Resource Groups Tagging API whose index holds no stack unless a test says otherwise. */
export function taggingIndex() {
  const client = new ResourceGroupsTaggingAPIClient({ region: 'eu-west-1' });
  const index = mockClient(client);
  index.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
  return { client, index };
}

export function harness() {
  const client = new CloudFormationClient({ region: 'eu-west-1' });
  const cfn = mockClient(client);
  const tagging = taggingIndex();
  const clock = fakeClock();
  const lines: string[] = [];
  const events: StackEvent[] = [];
  const shown: { stack: string; changes: readonly ResourceChange[] }[] = [];
  const stacks = createStacks({
    cloudformation: client,
    tagging: tagging.client,
    clock,
    log: (line) => lines.push(line),
  });
  const options = (extra: Partial<ApplyOptions> = {}): ApplyOptions => ({
    deadline: START + 30 * 60_000,
    onEvent: (e) => events.push(e),
    onChanges: (stack, changes) => shown.push({ stack, changes }),
    ...extra,
  });
  /** The change set this adapter creates first answers "being computed", then `status`. */
  const changeSetAnswers = (status: 'CREATE_COMPLETE' | 'FAILED', changes: Change[], statusReason?: string) => {
    cfn.on(CreateChangeSetCommand).resolves({ Id: `arn:aws:cloudformation:eu-west-1:123456789012:changeSet/${changeSetName(START)}/1`, StackId: STACK_ID });
    cfn
      .on(DescribeChangeSetCommand)
      .resolvesOnce({ Status: 'CREATE_IN_PROGRESS', StackId: STACK_ID })
      .resolves({ Status: status, StackId: STACK_ID, CreationTime: new Date(START), Changes: changes, ...(statusReason ? { StatusReason: statusReason } : {}) });
  };
  /**
   * The operation starts (CreateStack answers with the new stack's id, ExecuteChangeSet with
   * nothing), then the stack by id goes through `statuses`, one a poll, and the events arrive a
   * batch a poll (newest first, as AWS pages them).
   */
  const progress = (statuses: Partial<Stack>[], batches: SdkStackEvent[][]) => {
    cfn.on(CreateStackCommand).resolves({ StackId: STACK_ID });
    cfn.on(ExecuteChangeSetCommand).resolves({});
    let byId = cfn.on(DescribeStacksCommand, { StackName: STACK_ID });
    for (const state of statuses) byId = byId.resolvesOnce({ Stacks: [deployed(state)] });
    byId.resolves({ Stacks: [deployed(statuses.at(-1))] });
    const seen: SdkStackEvent[] = [];
    let eventsOf = cfn.on(DescribeStackEventsCommand, { StackName: STACK_ID });
    for (const batch of batches) {
      seen.unshift(...[...batch].reverse());
      eventsOf = eventsOf.resolvesOnce({ StackEvents: [...seen] });
    }
    eventsOf.resolves({ StackEvents: [...seen] });
  };
  return { client, cfn, tags: tagging.index, clock, stacks, lines, events, shown, options, changeSetAnswers, progress };
}
