/**
 * Change sets: the template handed over inline, the change set created and read
 * once CloudFormation has computed it, its rows in the product's words.
 */
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  paginateDescribeChangeSet,
  waitUntilChangeSetCreateComplete,
  type Change,
  type ChangeSetType,
  type DescribeChangeSetCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { inlineLimitFailure } from '../stacks/inline-limit.js';
import { StackFailure, type ChangeAction, type ResourceChange, type StackSpec } from '../engine/ports.js';
import type { PollLimits, StopReason } from './stacks-wait.js';
import { waiterReason, withinLimits } from './waiters.js';

export type TemplateSource = { readonly TemplateBody: string };

/**
 * The template, sent inline. One over CloudFormation's inline limit fails here, before the stack
 * changes; the run checks every template of its stacks before its first change (inlineLimitFailure).
 */
export function templateSource(stack: string, body: string): TemplateSource {
  const failure = inlineLimitFailure(stack, Buffer.byteLength(body, 'utf8'));
  if (failure) throw new StackFailure(failure, stack);
  return { TemplateBody: body };
}

export const CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] as const;

/** What a change set and a direct creation both say about the stack. */
function stackSettings(spec: StackSpec, source: TemplateSource) {
  return {
    StackName: spec.name,
    ...source,
    // Every value exactly as given: a list parameter is one string, commas and all.
    Parameters: Object.entries(spec.parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
    Tags: Object.entries(spec.tags).map(([Key, Value]) => ({ Key, Value })),
    Capabilities: [...CAPABILITIES],
  };
}

export function changeSetInput(spec: StackSpec, changeSetName: string, type: ChangeSetType, source: TemplateSource) {
  return { ...stackSettings(spec, source), ChangeSetName: changeSetName, ChangeSetType: type };
}

export function createStackInput(spec: StackSpec, source: TemplateSource) {
  return { ...stackSettings(spec, source), EnableTerminationProtection: spec.terminationProtection };
}

const ACTIONS: Readonly<Record<string, ChangeAction>> = {
  Add: 'Add',
  Modify: 'Modify',
  Remove: 'Remove',
  Import: 'Import',
  Dynamic: 'Dynamic',
  // A drift-aware change set brings a resource back to its template: a modification to people.
  SyncWithActual: 'Modify',
};

export function toResourceChanges(changes: readonly Change[]): ResourceChange[] {
  return changes.flatMap((change) => {
    const resource = change.ResourceChange;
    if (!resource) return [];
    return [
      {
        logicalId: resource.LogicalResourceId ?? '',
        type: resource.ResourceType ?? '',
        action: ACTIONS[resource.Action ?? ''] ?? 'Dynamic',
        ...(resource.Replacement ? { replacement: resource.Replacement } : {}),
      },
    ];
  });
}

export interface ComputedChangeSet {
  readonly status: string;
  readonly statusReason?: string;
  readonly creationTime?: Date;
  readonly changes: ResourceChange[];
}


/** The SDK's waiter's pauses, in seconds: most change sets are computed within a few. */
export const CHANGE_SET_WAIT = { minDelay: 1, maxDelay: 5 };

/**
 * The SDK's waiter until CloudFormation has computed the change set, or failed to; a failed
 * change set (one with nothing to change among them) is an answer, not an error. The run's
 * deadline is the waiter's limit and the run's signal stops it.
 */
async function untilComputed(
  cloudformation: CloudFormationClient,
  names: { StackName: string; ChangeSetName: string },
  limits: PollLimits,
  stopped: (reason: StopReason) => Promise<Error>,
): Promise<DescribeChangeSetCommandOutput> {
  try {
    return await withinLimits(limits.clock, limits, CHANGE_SET_WAIT, async (settings) => (await waitUntilChangeSetCreateComplete({ client: cloudformation, ...settings }, names)).reason as DescribeChangeSetCommandOutput, stopped);
  } catch (error) {
    // The waiter's failure carries the last answer: a FAILED change set, or the request's error.
    const failed = waiterReason(error);
    if (failed && typeof failed === 'object' && 'Status' in failed) return failed as DescribeChangeSetCommandOutput;
    throw error;
  }
}

/** Creates the change set and waits until CloudFormation has computed it (or failed to); reads every page of changes. */
export async function computeChangeSet(
  cloudformation: CloudFormationClient,
  input: ReturnType<typeof changeSetInput>,
  limits: PollLimits,
  stopped: (reason: StopReason) => Promise<Error>,
): Promise<ComputedChangeSet & { readonly stackId?: string }> {
  const created = await cloudformation.send(new CreateChangeSetCommand(input), { abortSignal: limits.signal });
  const first = await untilComputed(cloudformation, { StackName: input.StackName, ChangeSetName: input.ChangeSetName }, limits, stopped);
  const changes = [...(first.Changes ?? [])];
  if (first.NextToken) {
    const rest = paginateDescribeChangeSet({ client: cloudformation, startingToken: first.NextToken }, { StackName: input.StackName, ChangeSetName: input.ChangeSetName }, { abortSignal: limits.signal });
    for await (const page of rest) changes.push(...(page.Changes ?? []));
  }
  return {
    status: first.Status ?? '',
    statusReason: first.StatusReason,
    creationTime: first.CreationTime,
    changes: toResourceChanges(changes),
    stackId: created.StackId ?? first.StackId,
  };
}
