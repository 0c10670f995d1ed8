/**
 * The Stacks port over CloudFormation: create or update through change sets, nothing done when
 * nothing changed, stuck states recovered or explained, events streamed once, and success only
 * when CloudFormation reached the state the operation aimed at.
 */
import {
  CloudFormationClient,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  paginateListImports,
  UpdateTerminationProtectionCommand,
  type ChangeSetType,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { randomUUID } from 'node:crypto';
import { GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { paginateGetResources, type ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { atMost } from '../engine/at-most.js';
import {
  StackFailure,
  type ApplyOptions,
  type ApplyOutcome,
  type Clock,
  type StackResult,
  type StackSpec,
  type StackSummary,
  type StackTagged,
  type Stacks,
  type Template,
} from '../engine/ports.js';
import {
  additionsOf,
  decide,
  describeFailure,
  eventLine,
  failedResources,
  isEmptyChangeSet,
  isSettled,
  succeeded,
  type StackOperation,
} from '../engine/stack-status.js';
import { foreignOwner } from '../engine/ownership.js';
import { classifyAwsError, errorCode, explainAwsError, isValidationError } from './aws-errors.js';
import { changeSetInput, computeChangeSet, createStackInput, templateSource } from './stacks-change-set.js';
import { resolvedNames, sameParameters, sameResolvedValues, sameTags, sameTemplate } from './stacks-compare.js';
import { EventStream, latestEvents } from './stacks-events.js';
import { pollUntil, type PollLimits, type StopReason } from './stacks-wait.js';

export interface StacksDeps {
  readonly cloudformation: CloudFormationClient;
  /** Finds stacks by their tags: CloudFormation itself can only list every stack of the account. */
  readonly tagging: ResourceGroupsTaggingAPIClient;
  /** Reads what SSM parameter types resolve to now; without it, a stack that has one is compared by a change set. */
  readonly ssm?: SSMClient;
  readonly clock: Clock;
  /** What the adapter decided on its own: a stack deleted to be created again, a wait for another operation. */
  readonly log?: (line: string) => void;
}

/** Change sets this action creates start with this prefix, then the time they were made. */
export const CHANGE_SET_PREFIX = 'wimpy-';

interface Run {
  readonly deps: StacksDeps;
  readonly options: ApplyOptions;
  readonly name: string;
  readonly reads: Reads;
}

const limits = (run: Run): PollLimits => ({ clock: run.deps.clock, deadline: run.options.deadline, signal: run.options.signal });
const sendOptions = (run: Run) => ({ abortSignal: run.options.signal });

/** The stack by name or id; undefined when CloudFormation does not know it. */
async function find(cloudformation: CloudFormationClient, stack: string, signal?: AbortSignal): Promise<Stack | undefined> {
  try {
    const answer = await cloudformation.send(new DescribeStacksCommand({ StackName: stack }), { abortSignal: signal });
    return answer.Stacks?.[0];
  } catch (error) {
    if (isValidationError(error, 'does not exist')) return undefined;
    throw error;
  }
}

const statusOf = (stack: Stack | undefined) => stack?.StackStatus ?? 'DELETE_COMPLETE';

/**
 * What this run has read of each stack, by name: a run decides from one read of each stack (a
 * run with nothing to change describes each once), the stacks a listing found are not described
 * again, and a stack this run changed is known as the wait for its operation last read it.
 * Waits and removals always read afresh.
 */
class Reads {
  private readonly known = new Map<string, Stack>();
  /**
   * The stacks a read found missing: asked for again, they are missing still (the run's own
   * creation makes them known), except by apply, which reads afresh before it creates one.
   */
  private readonly missing = new Set<string>();
  /** Reads under way: a stack asked for twice side by side (a listing and a describe) is read once. */
  private readonly pending = new Map<string, Promise<Stack | undefined>>();

  constructor(private readonly cloudformation: CloudFormationClient) {}

  async stack(name: string, signal?: AbortSignal): Promise<Stack | undefined> {
    const known = this.known.get(name);
    if (known) return known;
    if (this.missing.has(name)) return undefined;
    const under = this.pending.get(name);
    if (under) return under;
    const reading: Promise<Stack | undefined> = find(this.cloudformation, name, signal).then(
      // A read the run has since forgotten (the stack changed meanwhile) is not remembered.
      (stack) => (this.pending.get(name) === reading ? this.remember(stack, name) : stack),
    ).finally(() => {
      if (this.pending.get(name) === reading) this.pending.delete(name);
    });
    this.pending.set(name, reading);
    return reading;
  }

  /** `name`: the stack asked for, remembered as missing when the read found none. */
  remember(stack: Stack | undefined, name?: string): Stack | undefined {
    if (stack?.StackName && statusOf(stack) !== 'DELETE_COMPLETE') {
      this.known.set(stack.StackName, stack);
      this.missing.delete(stack.StackName);
    } else if (!stack && name) {
      this.missing.add(name);
    }
    return stack;
  }

  /** Whether the last read of the stack found none. */
  isMissing(name: string): boolean {
    return this.missing.has(name);
  }

  forget(name: string): void {
    this.known.delete(name);
    this.missing.delete(name);
    this.pending.delete(name);
  }
}

function pairs<T>(items: readonly T[] | undefined, key: (item: T) => string | undefined, value: (item: T) => string | undefined): Record<string, string> {
  return Object.fromEntries((items ?? []).map((item) => [key(item) ?? '', value(item) ?? '']));
}

function outputsOf(stack: Stack | undefined): Record<string, string> {
  return pairs(stack?.Outputs, (o) => o.OutputKey, (o) => o.OutputValue);
}

function toSummary(stack: Stack): StackSummary {
  return {
    name: stack.StackName ?? '',
    status: statusOf(stack),
    ...(stack.StackStatusReason ? { statusReason: stack.StackStatusReason } : {}),
    outputs: outputsOf(stack),
    parameters: pairs(stack.Parameters, (p) => p.ParameterKey, (p) => p.ParameterValue),
    tags: pairs(stack.Tags, (t) => t.Key, (t) => t.Value),
    ...(stack.CreationTime ? { createdAt: stack.CreationTime } : {}),
    ...(stack.LastUpdatedTime ? { updatedAt: stack.LastUpdatedTime } : {}),
  };
}

/** The error that ends a wait: which stack was left in which state, and that CloudFormation carries on. */
async function stopped(run: Run, reason: StopReason, state: string, ref: string, stream?: EventStream): Promise<StackFailure> {
  if (reason === 'cancelled') {
    return new StackFailure(
      `The run was cancelled while stack ${run.name} was ${state}: this action stopped watching it, and CloudFormation goes on with the operation.`,
      run.name,
      state,
    );
  }
  const last = stream?.events.at(-1) ?? (await latestEvents(run.deps.cloudformation, ref).catch(() => []))[0];
  return new StackFailure(
    `The run's deadline passed while stack ${run.name} was ${state}; its last event: ${last ? eventLine(last) : 'none'}. ` +
      `The operation goes on in CloudFormation: follow it with \`aws cloudformation describe-stack-events --stack-name ${run.name}\`.`,
    run.name,
    state,
  );
}

/** Polls the stack (and its new events) until `done`; the stack then, or undefined once it is gone. */
async function watch(run: Run, ref: string, from: Stack | undefined, done: (stack: Stack | undefined) => boolean, stream?: EventStream): Promise<Stack | undefined> {
  let current = from;
  const settled = await pollUntil(
    limits(run),
    async () => {
      // The stack before its events: events read after a final status include the final event.
      current = await find(run.deps.cloudformation, ref, run.options.signal);
      await stream?.poll(run.options.signal);
      return done(current) ? { stack: current } : undefined;
    },
    (reason) => stopped(run, reason, statusOf(current), ref, stream),
  );
  // The stack as the operation left it, read just now: what the run knows of it from here on.
  run.reads.remember(settled.stack);
  return settled.stack;
}

/** Waits out an operation this run did not start. */
async function waitForOthers(run: Run, stack: Stack): Promise<Stack | undefined> {
  const status = statusOf(stack);
  // A deletion is most often an earlier run's cleanup, which no run waited for.
  const what = status === 'DELETE_IN_PROGRESS' ? 'CloudFormation is deleting it; waiting for the deletion to end' : 'another operation is running on it; waiting for it to end';
  run.deps.log?.(`Stack ${run.name} is ${status}: ${what}.`);
  run.reads.forget(run.name);
  return watch(run, stack.StackId ?? run.name, stack, (current) => !current || isSettled(statusOf(current)));
}

async function waitForOwn(run: Run, ref: string, operation: StackOperation, stream: EventStream): Promise<Stack | undefined> {
  return watch(run, ref, undefined, (current) => {
    if (!current) return true;
    // A stack created by a change set shows REVIEW_IN_PROGRESS until its execution starts.
    return isSettled(statusOf(current)) && !(operation === 'create' && current.StackStatus === 'REVIEW_IN_PROGRESS');
  }, stream);
}

function failed(run: Run, operation: StackOperation, stack: Stack | undefined, stream: EventStream): StackFailure {
  const status = statusOf(stack);
  const report = describeFailure(run.name, operation, status, stream.events, stack?.StackStatusReason);
  return new StackFailure(report.message, run.name, status, report.rootCause);
}

function refuseIfProtected(run: Run, stack: Stack): void {
  if (!stack.EnableTerminationProtection) return;
  throw new StackFailure(
    `Stack ${run.name} has termination protection on, so it was not deleted. If it really must go, turn the protection off first: ` +
      `\`aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name ${run.name}\`.`,
    run.name,
    statusOf(stack),
  );
}

/** The events of a deletion to come; the events that exist now are marked seen by `skipPast`. */
function deletionEvents(run: Run, stack: Stack): EventStream {
  return new EventStream(run.deps.cloudformation, stack.StackId ?? run.name, undefined, run.options.onEvent);
}

/** `stream`: the deletion's events, already past the events that existed before it. */
async function deleteAndWait(run: Run, stack: Stack, stream?: EventStream): Promise<void> {
  const { cloudformation } = run.deps;
  const ref = stack.StackId ?? run.name;
  if (!stream) {
    // A deletion has no start time from CloudFormation: the events that exist now are not part of it.
    stream = deletionEvents(run, stack);
    await stream.skipPast(run.options.signal);
  }
  await cloudformation.send(new DeleteStackCommand({ StackName: run.name }), sendOptions(run));
  const final = await waitForOwn(run, ref, 'delete', stream);
  if (final && !succeeded('delete', statusOf(final))) throw failed(run, 'delete', final, stream);
}

function unchanged(run: Run, stack: Stack | undefined): StackResult {
  run.options.onChanges?.(run.name, []);
  return { name: run.name, outcome: 'unchanged', outputs: outputsOf(stack), changes: [] };
}

async function throughChangeSet(run: Run, spec: StackSpec, type: ChangeSetType, outcome: ApplyOutcome, stack: Stack | undefined): Promise<StackResult> {
  const { cloudformation, clock } = run.deps;
  const source = templateSource(spec.name, JSON.stringify(spec.template));
  const changeSetName = `${CHANGE_SET_PREFIX}${clock.now()}`;
  const computed = await computeChangeSet(cloudformation, changeSetInput(spec, changeSetName, type, source), limits(run), (reason) =>
    stopped(run, reason, `${statusOf(stack)} (change set ${changeSetName} not computed yet)`, spec.name),
  );
  const deleteChangeSet = () => cloudformation.send(new DeleteChangeSetCommand({ StackName: spec.name, ChangeSetName: changeSetName }), sendOptions(run));
  if (computed.status === 'FAILED') {
    if (isEmptyChangeSet(computed.statusReason)) {
      await deleteChangeSet();
      return unchanged(run, stack);
    }
    throw new StackFailure(`CloudFormation could not make a change set for stack ${spec.name}: ${computed.statusReason ?? 'no reason given'}`, spec.name, stack?.StackStatus);
  }
  run.options.onChanges?.(spec.name, computed.changes);
  if (run.options.dryRun) {
    await deleteChangeSet();
    return { name: spec.name, outcome, outputs: outputsOf(stack), changes: computed.changes };
  }
  const ref = computed.stackId ?? spec.name;
  const stream = new EventStream(cloudformation, ref, computed.creationTime, run.options.onEvent);
  await cloudformation.send(new ExecuteChangeSetCommand({ StackName: spec.name, ChangeSetName: changeSetName }), sendOptions(run));
  const operation = type === 'CREATE' ? 'create' : 'update';
  const final = await waitForOwn(run, ref, operation, stream);
  if (!succeeded(operation, statusOf(final))) throw failed(run, operation, final, stream);
  return { name: spec.name, outcome, outputs: outputsOf(final), changes: computed.changes };
}

/** SSM's GetParameters takes at most ten names a request. */
const SSM_NAMES_PER_REQUEST = 10;

/**
 * What SSM holds now under each name. Empty when it cannot be read: a change set then decides,
 * as CloudFormation resolves the parameters itself.
 */
async function currentValues(run: Run, names: readonly string[]): Promise<Map<string, string>> {
  const { ssm } = run.deps;
  if (!ssm || names.length === 0) return new Map();
  const batches = Array.from({ length: Math.ceil(names.length / SSM_NAMES_PER_REQUEST) }, (_, i) => names.slice(i * SSM_NAMES_PER_REQUEST, (i + 1) * SSM_NAMES_PER_REQUEST));
  try {
    const answers = await Promise.all(batches.map((batch) => ssm.send(new GetParametersCommand({ Names: batch }), sendOptions(run))));
    return new Map(answers.flatMap((answer) => (answer.Parameters ?? []).map((parameter): [string, string] => [parameter.Name ?? '', parameter.Value ?? ''])));
  } catch {
    return new Map();
  }
}

/** Whether the deployed stack already is the spec: compared without a change set. */
async function matches(run: Run, spec: StackSpec, stack: Stack): Promise<boolean> {
  const parameters = stack.Parameters ?? [];
  if (!sameParameters(spec, parameters) || !sameTags(spec.tags, stack.Tags ?? [])) return false;
  // Side by side: the template and the current values of SSM parameter types (the image id).
  const [deployed, current] = await Promise.all([
    run.deps.cloudformation.send(new GetTemplateCommand({ StackName: spec.name, TemplateStage: 'Original' }), sendOptions(run)),
    currentValues(run, resolvedNames(parameters)),
  ]);
  return sameTemplate(spec.template, deployed.TemplateBody) && sameResolvedValues(parameters, current);
}

async function update(run: Run, spec: StackSpec, stack: Stack): Promise<StackResult> {
  if (await matches(run, spec, stack)) return unchanged(run, stack);
  return throughChangeSet(run, spec, 'UPDATE', 'updated', stack);
}

async function inspect(deps: StacksDeps, reads: Reads, spec: StackSpec, signal?: AbortSignal): Promise<StackResult | undefined> {
  const run: Run = { deps, options: { deadline: Number.POSITIVE_INFINITY, ...(signal ? { signal } : {}) }, name: spec.name, reads };
  const stack = await reads.stack(spec.name, signal);
  if (!stack || decide(spec.name, statusOf(stack)).decision !== 'update') return undefined;
  // Protection still to be turned on is work for apply.
  if (spec.terminationProtection && !stack.EnableTerminationProtection) return undefined;
  if (!(await matches(run, spec, stack))) return undefined;
  return { name: spec.name, outcome: 'unchanged', outputs: outputsOf(stack), changes: [] };
}

/** A plan for a stack that does not exist yet makes no change set: that would create the stack. */
function planCreation(run: Run, spec: StackSpec, outcome: ApplyOutcome): StackResult {
  const changes = additionsOf(spec.template);
  run.options.onChanges?.(spec.name, changes);
  return { name: spec.name, outcome, outputs: {}, changes };
}

/** The id of the stack whose creation carried `token`: a CreateStack whose answer was lost. */
async function createdBy(run: Run, name: string, token: string): Promise<string | undefined> {
  const page = await run.deps.cloudformation.send(new DescribeStackEventsCommand({ StackName: name }), sendOptions(run));
  return page.StackEvents?.find((event) => event.ClientRequestToken === token)?.StackId;
}

/**
 * A new stack is created directly, as aws-actions/aws-cloudformation-github-deploy does: a
 * change set would have nothing to compare with, and CreateStack turns termination protection
 * on from the stack's first moment instead of once it is complete.
 */
async function createDirectly(run: Run, spec: StackSpec, outcome: ApplyOutcome): Promise<StackResult> {
  const { cloudformation } = run.deps;
  const source = templateSource(spec.name, JSON.stringify(spec.template));
  const changes = additionsOf(spec.template);
  run.options.onChanges?.(spec.name, changes);
  // The token makes the request recognisable: a retry CloudFormation already took is not a new stack.
  const token = `wimpy-${randomUUID()}`;
  const created = await cloudformation.send(new CreateStackCommand({ ...createStackInput(spec, source), ClientRequestToken: token }), sendOptions(run)).catch(async (error: unknown) => {
    const own = errorCode(error) === 'AlreadyExistsException' ? await createdBy(run, spec.name, token) : undefined;
    if (!own) throw error;
    run.deps.log?.(`Stack ${spec.name}: the answer to its creation was lost, but the stack is the one this run asked for (same request token): going on.`);
    return { StackId: own };
  });
  const ref = created.StackId ?? spec.name;
  // A new stack has no events but those of its creation.
  const stream = new EventStream(cloudformation, ref, undefined, run.options.onEvent);
  const final = await waitForOwn(run, ref, 'create', stream);
  if (!succeeded('create', statusOf(final))) throw failed(run, 'create', final, stream);
  return { name: spec.name, outcome, outputs: outputsOf(final), changes };
}

async function create(run: Run, spec: StackSpec, stack: Stack | undefined, outcome: ApplyOutcome): Promise<StackResult> {
  // A stack whose first change set was never executed takes a CREATE change set again.
  if (stack?.StackStatus === 'REVIEW_IN_PROGRESS') return throughChangeSet(run, spec, 'CREATE', outcome, stack);
  if (run.options.dryRun) return planCreation(run, spec, outcome);
  return createDirectly(run, spec, outcome);
}

/** Turns protection on when asked; never off: that takes an explicit `unprotect`. */
async function protect(run: Run, spec: StackSpec, protectedNow: boolean): Promise<void> {
  if (run.options.dryRun || protectedNow || !spec.terminationProtection) return;
  run.reads.forget(run.name);
  await run.deps.cloudformation.send(new UpdateTerminationProtectionCommand({ StackName: spec.name, EnableTerminationProtection: true }), sendOptions(run));
  run.deps.log?.(`Termination protection of stack ${spec.name} turned on.`);
}

/** Refuses a stack that another application or environment owns, before anything is sent to it. */
function refuseForeign(run: Run, stack: Stack | undefined, owner: Readonly<Record<string, string>> | undefined): void {
  // A stack still in review is an empty shell a change set left: nobody's resources yet.
  if (!stack || !owner || ['DELETE_COMPLETE', 'REVIEW_IN_PROGRESS'].includes(statusOf(stack))) return;
  const problem = foreignOwner(run.name, toSummary(stack).tags, owner);
  if (problem) throw new StackFailure(problem, run.name, statusOf(stack));
}

async function apply(deps: StacksDeps, reads: Reads, spec: StackSpec, options: ApplyOptions): Promise<StackResult> {
  const run: Run = { deps, options, name: spec.name, reads };
  // A stack is created only on a fresh read that finds none: another run may have made it since.
  if (reads.isMissing(spec.name)) reads.forget(spec.name);
  let stack = await reads.stack(spec.name, options.signal);
  refuseForeign(run, stack, spec.tags);
  let recreated = false;
  for (;;) {
    const status = statusOf(stack);
    const verdict = decide(spec.name, status);
    if (verdict.decision === 'wait' && stack) {
      stack = await waitForOthers(run, stack);
    } else if (verdict.decision === 'recreate' && stack) {
      if (options.dryRun) return planCreation(run, spec, 'recreated');
      refuseIfProtected(run, stack);
      deps.log?.(`Stack ${spec.name} is ROLLBACK_COMPLETE: its first creation failed and left it empty. Deleting it to create it again.`);
          await deleteAndWait(run, stack);
      stack = undefined;
      recreated = true;
    } else if (verdict.decision === 'update' && stack) {
      const result = await update(run, spec, stack);
      await protect(run, spec, stack.EnableTerminationProtection ?? false);
      return result;
    } else if (verdict.decision === 'create') {
      const result = await create(run, spec, stack, recreated ? 'recreated' : 'created');
      // CreateStack turned protection on already; a change set cannot.
      if (stack?.StackStatus === 'REVIEW_IN_PROGRESS') await protect(run, spec, false);
      return result;
    } else {
      const events = stack ? await latestEvents(deps.cloudformation, stack.StackId ?? spec.name, options.signal) : [];
      throw new StackFailure(decide(spec.name, status, failedResources(spec.name, events)).message ?? `Stack ${spec.name} is ${status}.`, spec.name, status);
    }
  }
}

async function importersOf(run: Run, exportName: string): Promise<string[]> {
  const importers: string[] = [];
  try {
    for await (const page of paginateListImports({ client: run.deps.cloudformation }, { ExportName: exportName }, sendOptions(run))) importers.push(...(page.Imports ?? []));
  } catch (error) {
    if (isValidationError(error, 'is not imported by any stack')) return [];
    throw error;
  }
  return importers;
}

async function refuseWhileImported(run: Run, stack: Stack): Promise<void> {
  // Each export's importers asked side by side: one round trip whatever the number of exports.
  const exports = (stack.Outputs ?? []).flatMap((output) => (output.ExportName ? [output.ExportName] : []));
  const importers = await Promise.all(exports.map((name) => importersOf(run, name)));
  const uses = exports.flatMap((name, i) => (importers[i]!.length > 0 ? [`${name} (imported by ${importers[i]!.join(', ')})`] : []));
  if (uses.length === 0) return;
  throw new StackFailure(
    `Stack ${run.name} was not deleted: other stacks import its exports ${uses.join('; ')}. Remove those stacks, or their imports, first.`,
    run.name,
    statusOf(stack),
  );
}

/**
 * The stack to delete, read afresh, once the refusals that need no other read have been heard
 * (another owner's, a protected one). Undefined when there is nothing to delete: it is gone, or,
 * with `alreadyDeleting` 'leave', being deleted. An operation of someone else is waited out first.
 */
async function deletable(run: Run, alreadyDeleting: 'wait' | 'leave'): Promise<Stack | undefined> {
  run.reads.forget(run.name);
  let stack = await find(run.deps.cloudformation, run.name, run.options.signal);
  refuseForeign(run, stack, run.options.owner);
  if (stack && alreadyDeleting === 'leave' && statusOf(stack) === 'DELETE_IN_PROGRESS') return undefined;
  if (stack && !isSettled(statusOf(stack))) stack = await waitForOthers(run, stack);
  if (!stack || statusOf(stack) === 'DELETE_COMPLETE') return undefined;
  refuseIfProtected(run, stack);
  return stack;
}

async function remove(deps: StacksDeps, reads: Reads, name: string, options: ApplyOptions): Promise<void> {
  const run: Run = { deps, options, name, reads };
  const stack = await deletable(run, 'wait');
  if (!stack) return;
  // The events that exist before the deletion are marked while its imports are checked: both
  // only read. A refusal is what people need to hear first.
  const stream = deletionEvents(run, stack);
  const skipped = stream.skipPast(options.signal);
  skipped.catch(() => undefined);
  await refuseWhileImported(run, stack);
  await skipped;
  await deleteAndWait(run, stack, stream);
}

/**
 * Asks CloudFormation to delete the stack and returns once it has accepted: nobody waits for a
 * deletion whose outcome changes nothing for the run (a release that left traffic). The same
 * refusals as remove; a stack already being deleted is left to it. A deletion that fails later
 * leaves the stack DELETE_FAILED, where the next run's cleanup finds it, says so and tries again.
 */
async function startRemoval(deps: StacksDeps, reads: Reads, name: string, options: ApplyOptions): Promise<void> {
  const run: Run = { deps, options, name, reads };
  const stack = await deletable(run, 'leave');
  if (!stack) return;
  await refuseWhileImported(run, stack);
  await deps.cloudformation.send(new DeleteStackCommand({ StackName: name }), sendOptions(run));
}

async function unprotect(deps: StacksDeps, reads: Reads, name: string, signal?: AbortSignal): Promise<void> {
  // A stack others still import from cannot be removed: refuse before the protection goes,
  // so that a refused removal never leaves it unprotected.
  reads.forget(name);
  const stack = await find(deps.cloudformation, name, signal);
  if (!stack || statusOf(stack) === 'DELETE_COMPLETE') return;
  await refuseWhileImported({ deps, options: { deadline: Number.POSITIVE_INFINITY, ...(signal ? { signal } : {}) }, name, reads }, stack);
  try {
    await deps.cloudformation.send(new UpdateTerminationProtectionCommand({ StackName: name, EnableTerminationProtection: false }), { abortSignal: signal });
  } catch (error) {
    if (isValidationError(error, 'does not exist')) return;
    throw error;
  }
  deps.log?.(`Termination protection of stack ${name} turned off, as asked.`);
}

/** The template as it was handed over (this action's are JSON); undefined when there is no such stack. */
async function deployedTemplate(cloudformation: CloudFormationClient, name: string): Promise<Template | undefined> {
  try {
    const answer = await cloudformation.send(new GetTemplateCommand({ StackName: name, TemplateStage: 'Original' }));
    return answer.TemplateBody === undefined ? undefined : (JSON.parse(answer.TemplateBody) as Template);
  } catch (error) {
    if (isValidationError(error, 'does not exist')) return undefined;
    throw error;
  }
}

/** Stacks described side by side when a listing found several. */
const DESCRIBED_AT_ONCE = 8;

/** `arn:aws:cloudformation:<region>:<account>:stack/<name>/<id>` names its stack. */
const stackNameOf = (arn: string) => (/:stack\/([^/]+)\//.exec(arn)?.[1] ?? '');

/** Every stack the tag index names with every tag. */
async function queryIndex(deps: StacksDeps, tags: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<StackTagged[]> {
  const tagged = new Map<string, StackTagged>();
  const TagFilters = Object.entries(tags).map(([Key, value]) => ({ Key, Values: [value] }));
  for await (const page of paginateGetResources({ client: deps.tagging, pageSize: 100 }, { ResourceTypeFilters: ['cloudformation:stack'], TagFilters }, { abortSignal: signal })) {
    for (const mapping of page.ResourceTagMappingList ?? []) {
      const name = stackNameOf(mapping.ResourceARN ?? '');
      if (name) tagged.set(name, { name, tags: pairs(mapping.Tags, (t) => t.Key, (t) => t.Value) });
    }
  }
  return [...tagged.values()];
}

const carries = (stack: StackTagged, tags: Readonly<Record<string, string>>) => Object.entries(tags).every(([key, value]) => stack.tags[key] === value);

/**
 * The tag index's answers of this run, each asked once: a listing whose tags include those of
 * an earlier one (the application's stacks in one environment, after all of the application's)
 * is that answer filtered. The index answers a moment behind a stack's creation anyway, so no
 * caller counts on it for a stack the run itself made (see withRecorded); what a listing finds
 * is described afresh or as this run last saw it.
 */
class TagIndex {
  private readonly answers: { readonly tags: Readonly<Record<string, string>>; readonly stacks: Promise<StackTagged[]> }[] = [];

  constructor(private readonly deps: StacksDeps) {}

  stacks(tags: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<StackTagged[]> {
    const earlier = this.answers.find((answer) => carriesAll(tags, answer.tags));
    // A listing that reuses an answer still in flight stops on its own cancellation.
    if (earlier) return untilAborted(earlier.stacks, signal).then((stacks) => stacks.filter((stack) => carries(stack, tags)));
    const stacks = queryIndex(this.deps, tags, signal);
    this.answers.push({ tags, stacks });
    // A failed query is asked again by the next listing.
    stacks.catch(() => {
      const at = this.answers.findIndex((answer) => answer.stacks === stacks);
      if (at >= 0) this.answers.splice(at, 1);
    });
    return stacks;
  }
}

/** The work's answer, or the signal's reason once the signal is aborted first. */
function untilAborted<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(signal.reason);
    signal.addEventListener('abort', stop, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}

/** Whether `tags` holds every tag of `subset`, with its value. */
const carriesAll = (tags: Readonly<Record<string, string>>, subset: Readonly<Record<string, string>>) => Object.entries(subset).every(([key, value]) => tags[key] === value);

/**
 * The stacks that carry every tag, found through the Resource Groups Tagging API: its answer
 * holds only them, so the cost follows the application's stacks, never the account's. Those
 * `only` keeps are described (by name: the index can still name a deleted stack), and kept
 * when live and tagged as asked.
 */
async function list(reads: Reads, index: TagIndex, tags: Readonly<Record<string, string>>, only?: (stack: StackTagged) => boolean, signal?: AbortSignal): Promise<StackSummary[]> {
  const wanted = (await index.stacks(tags, signal)).filter((stack) => !only || only(stack));
  const described = await atMost(DESCRIBED_AT_ONCE, wanted, (stack) => reads.stack(stack.name, signal));
  return described
    .filter((stack): stack is Stack => stack !== undefined)
    .map(toSummary)
    .filter((summary) => summary.status !== 'DELETE_COMPLETE' && Object.entries(tags).every(([key, value]) => summary.tags[key] === value));
}

/** Every failure leaves as a StackFailure naming the stack, its message explained when people cannot act on it as it is. */
async function guard<T>(stack: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StackFailure) throw error;
    const message =
      classifyAwsError(error) === 'cancelled'
        ? `The run was cancelled during an operation on stack ${stack}; CloudFormation goes on with whatever it had started.`
        : `Stack ${stack}: ${explainAwsError(error).message}`;
    const failure = new StackFailure(message, stack);
    failure.cause = error;
    throw failure;
  }
}

export function createStacks(deps: StacksDeps): Stacks {
  const reads = new Reads(deps.cloudformation);
  const index = new TagIndex(deps);
  return {
    apply: (spec, options) =>
      guard(spec.name, async () => {
        try {
          // A change leaves the stack as its wait last read it (watch), or forgotten (protection).
          return await apply(deps, reads, spec, options);
        } catch (error) {
          reads.forget(spec.name);
          throw error;
        }
      }),
    unchanged: (spec, signal) => guard(spec.name, () => inspect(deps, reads, spec, signal)),
    describe: (name, signal) =>
      guard(name, async () => {
        const stack = await reads.stack(name, signal);
        return stack && statusOf(stack) !== 'DELETE_COMPLETE' ? toSummary(stack) : undefined;
      }),
    list: async (tags, only, signal) => {
      try {
        return await list(reads, index, tags, only, signal);
      } catch (error) {
        throw explainAwsError(error);
      }
    },
    template: (name) => guard(name, () => deployedTemplate(deps.cloudformation, name)),
    remove: (name, options) => guard(name, () => remove(deps, reads, name, options)),
    startRemoval: (name, options) => guard(name, () => startRemoval(deps, reads, name, options)),
    unprotect: (name, signal) => guard(name, () => unprotect(deps, reads, name, signal)),
  };
}
