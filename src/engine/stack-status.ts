/**
 * What CloudFormation's states mean for a deploy, as tables and pure functions: which status lets
 * a stack be updated, which one must be waited out, recreated, or left to a person with the
 * exact command that repairs it; which failed event is the root cause; how a change set reads.
 */
import type { ChangeAction, ResourceChange, StackEvent, Template } from './ports.js';

/**
 * - create: nothing to update (absent, deleted, or a stack whose first change set never ran);
 * - update: settled, and CloudFormation accepts a change set of type UPDATE;
 * - wait: another operation is running; it ends by itself;
 * - recreate: a failed first create left an empty stack that can only be deleted;
 * - fail: a person must act first; the rule says how.
 */
export type StatusDecision = 'create' | 'update' | 'wait' | 'recreate' | 'fail';

interface StatusRule {
  readonly decision: StatusDecision;
  /** The state in a person's words, for messages. */
  readonly meaning: string;
  /** The commands that get the stack out of a `fail` state; `resources` are the ones its events name. */
  readonly remedy?: (stack: string, resources: readonly string[]) => string;
}

const named = (resources: readonly string[]) => (resources.length > 0 ? resources.join(' ') : 'LOGICAL_ID ...');

const rollBackPreserved = (stack: string) =>
  `Roll it back with \`aws cloudformation rollback-stack --stack-name ${stack}\` (or delete it with \`aws cloudformation delete-stack --stack-name ${stack}\`), then run the deploy again.`;

/** What to do with a stack CloudFormation could not delete entirely. */
export const deleteLeftovers = (stack: string, resources: readonly string[]) =>
  `Delete or fix the resources that CloudFormation could not delete (${resources.length > 0 ? resources.join(', ') : 'see the stack events'}), then run \`aws cloudformation delete-stack --stack-name ${stack}\`; ` +
  `or keep them and delete the stack with \`aws cloudformation delete-stack --stack-name ${stack} --retain-resources ${named(resources)}\`.`;

/** Every status CloudFormation documents for a stack. */
export const STACK_STATUSES = {
  CREATE_IN_PROGRESS: { decision: 'wait', meaning: 'being created' },
  CREATE_COMPLETE: { decision: 'update', meaning: 'created' },
  CREATE_FAILED: {
    decision: 'fail',
    meaning: 'left half-created: its creation failed with rollback disabled',
    remedy: rollBackPreserved,
  },
  ROLLBACK_IN_PROGRESS: { decision: 'wait', meaning: 'rolling back a failed creation' },
  ROLLBACK_COMPLETE: { decision: 'recreate', meaning: 'empty after a failed creation; it can only be deleted' },
  ROLLBACK_FAILED: {
    decision: 'fail',
    meaning: 'left with resources after a failed creation whose rollback failed too',
    remedy: deleteLeftovers,
  },
  DELETE_IN_PROGRESS: { decision: 'wait', meaning: 'being deleted' },
  DELETE_COMPLETE: { decision: 'create', meaning: 'deleted' },
  DELETE_FAILED: { decision: 'fail', meaning: 'partly deleted: its deletion failed', remedy: deleteLeftovers },
  UPDATE_IN_PROGRESS: { decision: 'wait', meaning: 'being updated' },
  UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: { decision: 'wait', meaning: 'removing the resources an update replaced' },
  UPDATE_COMPLETE: { decision: 'update', meaning: 'updated' },
  UPDATE_FAILED: {
    decision: 'fail',
    meaning: 'left half-updated: its update failed with rollback disabled',
    remedy: rollBackPreserved,
  },
  UPDATE_ROLLBACK_IN_PROGRESS: { decision: 'wait', meaning: 'rolling back a failed update' },
  UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: { decision: 'wait', meaning: 'removing the resources of a rolled-back update' },
  UPDATE_ROLLBACK_COMPLETE: { decision: 'update', meaning: 'back to its previous state after a failed update' },
  UPDATE_ROLLBACK_FAILED: {
    decision: 'fail',
    meaning: 'stuck: a failed update could not be rolled back',
    remedy: (stack, resources) =>
      `Fix what stopped the rollback (see the stack events), then continue it with \`aws cloudformation continue-update-rollback --stack-name ${stack}\` ` +
      `(ContinueUpdateRollback); resources that cannot be rolled back can be skipped with \`--resources-to-skip ${named(resources)}\`. Then run the deploy again.`,
  },
  REVIEW_IN_PROGRESS: { decision: 'create', meaning: 'waiting for its first change set to be executed' },
  IMPORT_IN_PROGRESS: { decision: 'wait', meaning: 'importing resources' },
  IMPORT_COMPLETE: { decision: 'update', meaning: 'done importing resources' },
  IMPORT_ROLLBACK_IN_PROGRESS: { decision: 'wait', meaning: 'rolling back a failed import' },
  IMPORT_ROLLBACK_COMPLETE: { decision: 'update', meaning: 'back to its previous state after a failed import' },
  IMPORT_ROLLBACK_FAILED: {
    decision: 'fail',
    meaning: 'stuck: a failed import could not be rolled back',
    remedy: (stack, resources) =>
      `Fix the resources named in the stack events (${resources.length > 0 ? resources.join(', ') : 'see the stack events'}), then import them again ` +
      `or delete the stack with \`aws cloudformation delete-stack --stack-name ${stack}\`.`,
  },
} as const satisfies Record<string, StatusRule>;

export type StackStatusName = keyof typeof STACK_STATUSES;

export interface StatusVerdict {
  readonly decision: StatusDecision;
  /** For `fail`: the state and the remedy, ready to show. */
  readonly message?: string;
}

function ruleOf(status: string): StatusRule | undefined {
  return Object.hasOwn(STACK_STATUSES, status) ? (STACK_STATUSES as Record<string, StatusRule>)[status] : undefined;
}

/** What a deploy does with a stack found in `status`; `resources` are the failed ones its events name. */
export function decide(stack: string, status: string, resources: readonly string[] = []): StatusVerdict {
  const rule = ruleOf(status);
  if (!rule) {
    // A status added after this table: an operation in progress still ends by itself.
    if (status.endsWith('_IN_PROGRESS')) return { decision: 'wait' };
    return { decision: 'fail', message: `Stack ${stack} is ${status}, a state this action does not know; nothing was changed.` };
  }
  if (rule.decision !== 'fail') return { decision: rule.decision };
  const remedy = rule.remedy ? ` ${rule.remedy(stack, resources)}` : '';
  return { decision: 'fail', message: `Stack ${stack} is ${status} (${rule.meaning}); nothing was changed.${remedy}` };
}

/** Whether no operation is running on a stack in `status`. */
export function isSettled(status: string): boolean {
  return decide('', status).decision !== 'wait';
}

export type StackOperation = 'create' | 'update' | 'delete';

const SUCCESS: Readonly<Record<StackOperation, string>> = {
  create: 'CREATE_COMPLETE',
  update: 'UPDATE_COMPLETE',
  delete: 'DELETE_COMPLETE',
};

/** Success is the one status the operation aims at; every other settled status, rollbacks first, is a failure. */
export function succeeded(operation: StackOperation, status: string): boolean {
  return SUCCESS[operation] === status;
}

const CANCELLED = /^Resource (creation|update|deletion|import) cancelled/i;

function isCancellation(event: StackEvent): boolean {
  return CANCELLED.test(event.reason ?? '');
}

/**
 * The event that explains a failure: the oldest failed event that is not a cancellation (when
 * one resource fails, CloudFormation cancels the others, and those events say nothing).
 */
export function rootCause(events: readonly StackEvent[]): StackEvent | undefined {
  const chronological = [...events].sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
  return chronological.find((event) => event.status.endsWith('_FAILED') && !isCancellation(event));
}

/**
 * The resources of a stack whose latest event is a failure: the ones a remedy must name.
 * `newestFirst` is DescribeStackEvents' order.
 */
export function failedResources(stack: string, newestFirst: readonly StackEvent[]): string[] {
  const latest = new Map<string, StackEvent>();
  for (const event of newestFirst) {
    if (event.logicalId !== stack && !latest.has(event.logicalId)) latest.set(event.logicalId, event);
  }
  return [...latest.values()].filter((event) => event.status.endsWith('_FAILED')).map((event) => event.logicalId);
}

/** One event as a line of the log. */
export function eventLine(event: StackEvent): string {
  const time = event.timestamp.toISOString().slice(11, 19);
  const reason = event.reason ? ` ${event.reason}` : '';
  return `${time} ${event.stackName} ${event.logicalId} (${event.type}) ${event.status}${reason}`;
}

const VERBS: Readonly<Record<'create' | 'update' | 'delete', string>> = { create: 'Creating', update: 'Updating', delete: 'Deleting' };

const sentence = (words: string) => (/[.!?]$/.test(words) ? words : `${words}.`);

export interface FailureReport {
  readonly message: string;
  readonly rootCause?: StackEvent;
}

/**
 * Why an operation failed, from the status it ended in and its events (oldest first): what
 * CloudFormation did, the root cause, then the remedy when a person must act.
 */
export function describeFailure(
  stack: string,
  operation: StackOperation,
  status: string,
  events: readonly StackEvent[],
  statusReason?: string,
): FailureReport {
  const cause = rootCause(events);
  const rolledBack = /ROLLBACK_COMPLETE$/.test(status) ? ' and CloudFormation rolled it back' : '';
  const why = cause
    ? ` Root cause: ${sentence(`${cause.logicalId} (${cause.type}) ${cause.status}: ${cause.reason ?? 'no reason given'}`)}`
    : statusReason
      ? ` ${sentence(statusReason)}`
      : '';
  const next = status === 'ROLLBACK_COMPLETE' ? ' The next deploy deletes it and creates it again.' : '';
  const rule = ruleOf(status);
  const remedy = rule?.remedy ? ` ${rule.remedy(stack, failedResources(stack, [...events].reverse()))}` : '';
  return { message: `${VERBS[operation]} stack ${stack} failed${rolledBack}; it is ${status}.${why}${next}${remedy}`, rootCause: cause };
}

const EMPTY_CHANGE_SET = ["The submitted information didn't contain changes", 'No updates are to be performed'];

/** Whether a FAILED change set only says that there was nothing to change. */
export function isEmptyChangeSet(statusReason: string | undefined): boolean {
  return EMPTY_CHANGE_SET.some((message) => statusReason?.includes(message) ?? false);
}

/** The changes of creating a stack from `template`: every resource added, as a CREATE change set would list them. */
export function additionsOf(template: Template): ResourceChange[] {
  const resources = (template.Resources ?? {}) as Record<string, { Type?: unknown }>;
  return Object.entries(resources).map(([logicalId, resource]) => ({
    logicalId,
    type: typeof resource?.Type === 'string' ? resource.Type : '',
    action: 'Add' as const,
  }));
}

const SIGNS: Readonly<Record<ChangeAction, string>> = { Add: '+', Modify: '~', Remove: '-', Import: '>', Dynamic: '?' };

export function replacementWords(replacement: string | undefined): string {
  if (replacement === 'True') return 'replaced';
  if (replacement === 'Conditional') return 'may be replaced';
  return '';
}

/** The change set as log lines, one per resource: `+ Add Queue (AWS::SQS::Queue)`, and whether it is replaced. */
export function changesAsLogLines(stack: string, changes: readonly ResourceChange[]): string[] {
  if (changes.length === 0) return [`Stack ${stack}: no changes`];
  const width = Math.max(...changes.map((change) => change.action.length));
  return [
    `Stack ${stack}: ${changes.length} ${changes.length === 1 ? 'change' : 'changes'}`,
    ...changes.map((change) => {
      const replaced = replacementWords(change.replacement);
      return `  ${SIGNS[change.action]} ${change.action.padEnd(width)} ${change.logicalId} (${change.type})${replaced ? `: ${replaced}` : ''}`;
    }),
  ];
}
