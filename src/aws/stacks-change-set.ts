/**
 * Change sets: the template handed over inline or through S3, the change set created and read
 * once CloudFormation has computed it, its rows in the product's words.
 */
import { createHash } from 'node:crypto';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  paginateDescribeChangeSet,
  waitUntilChangeSetCreateComplete,
  type Change,
  type ChangeSetType,
  type DescribeChangeSetCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { StackFailure, type ChangeAction, type ResourceChange, type StackSpec } from '../engine/ports.js';
import type { PollLimits, StopReason } from './stacks-wait.js';

/** CloudFormation's limit for TemplateBody; larger templates must be read from S3. */
export const INLINE_TEMPLATE_LIMIT = 51_200;

export type TemplateSource = { readonly TemplateBody: string } | { readonly TemplateURL: string };

export interface TemplateStore {
  readonly s3?: S3Client;
  readonly templateBucket?: string;
}

async function s3Url(s3: S3Client, bucket: string, key: string): Promise<string> {
  const region = await s3.config.region();
  const domain = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://${bucket}.s3.${region}.${domain}/${key}`;
}

/**
 * The template inline when it fits, else uploaded under a name derived from its content (the
 * same template is the same object, so reruns overwrite nothing that differs).
 */
export async function templateSource(store: TemplateStore, stack: string, body: string): Promise<TemplateSource> {
  const size = Buffer.byteLength(body, 'utf8');
  if (size <= INLINE_TEMPLATE_LIMIT) return { TemplateBody: body };
  if (!store.s3 || !store.templateBucket) {
    throw new StackFailure(
      `The template of stack ${stack} is ${size} bytes, over CloudFormation's limit of 51,200 bytes for a template sent inline; ` +
        "it must be uploaded to S3, which needs the base stack's storage bucket: deploy the environment step first.",
      stack,
    );
  }
  const key = `templates/${stack}/${createHash('sha256').update(body).digest('hex')}.json`;
  await store.s3.send(new PutObjectCommand({ Bucket: store.templateBucket, Key: key, Body: body, ContentType: 'application/json' }));
  return { TemplateURL: await s3Url(store.s3, store.templateBucket, key) };
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
  const maxWaitTime = (limits.deadline - limits.clock.now()) / 1000;
  if (limits.signal?.aborted) throw await stopped('cancelled');
  if (maxWaitTime <= CHANGE_SET_WAIT.minDelay) throw await stopped('deadline');
  try {
    const { reason } = await waitUntilChangeSetCreateComplete({ client: cloudformation, maxWaitTime, ...CHANGE_SET_WAIT, ...(limits.signal ? { abortSignal: limits.signal } : {}) }, names);
    return reason as DescribeChangeSetCommandOutput;
  } catch (error) {
    if (limits.signal?.aborted) throw await stopped('cancelled');
    if (error instanceof Error && error.name === 'TimeoutError') throw await stopped('deadline');
    // The waiter's failure carries the last answer: a FAILED change set, or the request's error.
    const failed = waiterReason(error);
    if (failed && typeof failed === 'object' && 'Status' in failed) return failed as DescribeChangeSetCommandOutput;
    throw error;
  }
}

/** What the SDK's waiter saw last, which its error carries as JSON. */
function waiterReason(error: unknown): unknown {
  try {
    return (JSON.parse((error as Error).message) as { reason?: unknown }).reason;
  } catch {
    return undefined;
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
