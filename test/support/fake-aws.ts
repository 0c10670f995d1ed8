import { createHash } from 'node:crypto';
import { hostname, releaseRecordKey, releaseStack } from '../../src/config/names.js';
import { processGroupsOf } from '../../src/platforms/platform.js';
import type { Config } from '../../src/config/types.js';
import type { Certificates, EngineDeps, Images, Probe } from '../../src/engine/context.js';
import {
  RulePriorityTaken,
  StackFailure,
  type AlarmState,
  type Alarms,
  type ApplyOptions,
  type ApplyOutcome,
  type Clock,
  type AliasTarget,
  type Dns,
  type ForwardTarget,
  type HostedZone,
  type HostRecords,
  type NamedRecord,
  type HostRule,
  type Identity,
  type Listeners,
  type ImageRef,
  type LogGroups,
  type Notification,
  type Notifications,
  type LogEvent,
  type LogQuery,
  type Logs,
  type DatabaseSnapshots,
  type GroupSizes,
  type ProcessGroups,
  type ReleaseTasks,
  type ReleaseTaskSpec,
  type StartedTask,
  type TaskState,
  type ResourceChange,
  type StackEvent,
  type StackResult,
  type StackSpec,
  type StackSummary,
  type StackTagged,
  type Stacks,
  type Template,
  type WaitLimits,
  type WeightedTarget,
} from '../../src/engine/ports.js';
import { foreignOwner } from '../../src/engine/ownership.js';
import type { LastRun, LockClaim, LockHolder, Locks, TakeResult, TrafficRoute } from '../../src/engine/lock.js';
import { parseRecord, type ReleaseRecord, type ReleaseRecords } from '../../src/engine/release-record.js';
import { runCommand, type RunOutcome } from '../../src/commands.js';
import type { RunRequest } from '../../src/engine/run.js';
import { additionsOf, describeFailure } from '../../src/engine/stack-status.js';
import { configOf, VALID_INPUTS } from './config.js';
import { RecordingLog } from './recording-log.js';

/**
 * An in-memory AWS account for scenario tests of the use cases: every port of EngineDeps,
 * holding state between runs the way AWS does, and recording every call.
 *
 *   const aws = new FakeAws();
 *   const first = await aws.run(configOf({ strategy: 'blue-green' }));
 *   aws.dns.batches        // every setWeights call, one atomic batch each
 *   aws.stacks.calls       // every apply, remove and unprotect, with its outcome
 *   aws.journal            // every port call of every fake, in the order it was made
 *
 * What it models, and how:
 * - Stacks: a stack is created (CREATE_COMPLETE), updated (UPDATE_COMPLETE) when its template,
 *   parameters or tags differ, else left `unchanged`, as the real adapter decides. Outputs are
 *   resolved from the template's Outputs: literals as given, Ref to a parameter by its value,
 *   Fn::GetAtt to a literal property of the resource (a VPC's CidrBlock), and a load balancer's
 *   DNSName and CanonicalHostedZoneID as Elastic Load Balancing answers them, so an application
 *   stack has LoadBalancerDnsName and LoadBalancerHostedZoneId like the real template.
 *   `failApply(name, cause)` makes the next apply of that stack fail as CloudFormation does:
 *   the stack is rolled back (UPDATE_ROLLBACK_COMPLETE, or ROLLBACK_COMPLETE on creation,
 *   keeping its previous template, parameters, tags and outputs), the failed event is streamed
 *   to onEvent, and a StackFailure with that root cause is thrown, with the message the real
 *   adapter writes. `remove` refuses a stack with termination protection, as the adapter does
 *   (it does not model exports: removing a stack others import from succeeds here).
 * - Dns: weighted alias records per hostname. `setWeights` upserts the given targets and
 *   deletes the `remove` ones in one batch (the real adapter's behaviour; other records stay),
 *   refuses a target that is both, and records the batch with the records after it. `setAlias`
 *   replaces every weighted record of the name with a plain alias, in one batch too.
 * - Listeners: host rules per listener, each forwarding to weighted target groups; `forward`
 *   creates a rule (refusing a priority in use, as Elastic Load Balancing does) or changes one,
 *   and records the change with the rule's targets after it. `aws.weightsOf(hostname)` names
 *   them by the stacks whose TargetGroupArn output they are.
 * - Images: a registry by version; `publish` builds (and records a build) only what is missing.
 * - Clock: starts at 2026-06-01T12:00Z; `sleep` advances time at once. Each stack operation
 *   takes APPLY_MS of fake time, so releases deployed one after the other have distinct
 *   creation times.
 * - Log: the RecordingLog of test/support.
 *
 * The fakes only read their inputs; tests may read any field, and arrange state with the
 * `seed`/`set`/`push` methods before a run. The end of this module has the words scenarios
 * share: APP, V1 to V3, STAGING_HOST, stagingRelease and blueGreen.
 */

export const ACCOUNT_ID = '123456789012';
export const REGION = 'eu-west-1';
/** The hosted zone id every zone name resolves to unless `dns.zones` says otherwise. */
export const ZONE_ID = 'Z0FAKEZONE0000000000';
/** Elastic Load Balancing's own hosted zone for application load balancers in eu-west-1. */
export const LOAD_BALANCER_ZONE_ID = 'Z32O12XQLNTSW2';
/** Fake time one stack operation takes. */
export const APPLY_MS = 60_000;
export const START = Date.UTC(2026, 5, 1, 12, 0, 0);

/** Every port call of every fake, in order: `"<port>.<method> <subject>"` when a call starts;
 * stack apply and remove add `"<port>.<method> <subject>: <outcome>"` when they end. */
export type Journal = string[];

/** Lets the other calls of a Promise.all start before this one finishes, as real I/O does. */
const io = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Writes the call in the journal, then lets other calls run, as a request to AWS would. */
async function called(journal: Journal, entry: string): Promise<void> {
  journal.push(entry);
  await io();
}

const hash = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length);

export class FakeClock implements Clock {
  private time: number;
  /** Every sleep asked for, in milliseconds. */
  readonly sleeps: number[] = [];

  constructor(start = START) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.advance(ms);
    await io();
  }

  advance(ms: number): void {
    this.time += Math.max(0, ms);
  }
}

/** A stack as the fake account holds it. */
export interface FakeStack {
  name: string;
  status: string;
  statusReason?: string;
  template: Template;
  parameters: Record<string, string>;
  tags: Record<string, string>;
  outputs: Record<string, string>;
  terminationProtection: boolean;
  createdAt: Date;
  updatedAt?: Date;
}

export interface StackCall {
  readonly kind: 'apply' | 'remove' | 'unprotect';
  readonly name: string;
  /** apply: what it did, or 'failed'; remove: 'removed', 'deletion started', 'absent' or 'failed'; unprotect: 'done'. */
  readonly outcome: ApplyOutcome | 'failed' | 'removed' | 'deletion started' | 'absent' | 'done';
}

/** The failed resource event CloudFormation reports when a scripted apply fails. */
export interface ScriptedCause {
  readonly logicalId: string;
  readonly type: string;
  readonly reason: string;
}

const DEFAULT_CAUSE: ScriptedCause = {
  logicalId: 'Fleet',
  type: 'AWS::AutoScaling::AutoScalingGroup',
  reason: 'Received 0 SUCCESS signal(s) out of 1. Unable to satisfy 100% MinSuccessfulInstancesPercent requirement',
};

type Resources = Record<string, { Type?: string; Properties?: Record<string, unknown> }>;

function resourcesOf(template: Template): Resources {
  return (template.Resources ?? {}) as Resources;
}

/** An output value as CloudFormation would resolve it, deterministic per stack. */
function resolve(stack: string, value: unknown, template: Template, parameters: Readonly<Record<string, string>>): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    if (typeof node.Ref === 'string') return parameters[node.Ref] ?? `${stack}-${node.Ref}-${hash(stack + node.Ref, 8)}`;
    const join = node['Fn::Join'];
    if (Array.isArray(join)) return (join[1] as unknown[]).map((part) => resolve(stack, part, template, parameters)).join(join[0] as string);
    const getAtt = node['Fn::GetAtt'];
    if (Array.isArray(getAtt)) {
      const [logicalId, attribute] = getAtt as [string, string];
      const resource = resourcesOf(template)[logicalId];
      if (resource?.Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer') {
        if (attribute === 'DNSName') return `${stack.slice(0, 20).toLowerCase()}-${parseInt(hash(stack, 8), 16)}.${REGION}.elb.amazonaws.com`;
        if (attribute === 'CanonicalHostedZoneID') return LOAD_BALANCER_ZONE_ID;
      }
      // ARNs look like ARNs: the release command reads the partition, region and account from the key's.
      if (resource?.Type === 'AWS::KMS::Key' && attribute === 'Arn') return `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${hash(stack + logicalId, 8)}`;
      const property = resource?.Properties?.[attribute];
      if (typeof property === 'string') return property;
      return `${stack}-${logicalId}-${attribute}`;
    }
  }
  return `${stack}-${hash(JSON.stringify(value), 8)}`;
}

function outputsOf(name: string, template: Template, parameters: Readonly<Record<string, string>>): Record<string, string> {
  const outputs = (template.Outputs ?? {}) as Record<string, { Value?: unknown }>;
  return Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, resolve(name, output.Value, template, parameters)]));
}

const same = (a: unknown, b: unknown) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([key, child]) => [key, sortKeys(child)]));
  return value;
}

/**
 * The resource changes between two versions of a stack, as a change set lists them: a resource
 * is modified when its definition changed or when it refers to a parameter whose value changed.
 */
function changesBetween(before: FakeStack, spec: StackSpec): ResourceChange[] {
  const old = resourcesOf(before.template);
  const next = resourcesOf(spec.template);
  const changedParameters = Object.keys(spec.parameters).filter((key) => before.parameters[key] !== spec.parameters[key]);
  const refersToChange = (resource: unknown) => changedParameters.some((key) => JSON.stringify(resource).includes(JSON.stringify({ Ref: key })));
  const changes: ResourceChange[] = [];
  for (const [logicalId, resource] of Object.entries(next)) {
    const was = old[logicalId];
    if (!was) changes.push({ logicalId, type: resource.Type ?? '', action: 'Add' });
    else if (!same(was, resource)) changes.push({ logicalId, type: resource.Type ?? '', action: 'Modify', replacement: 'False' });
    else if (refersToChange(resource)) changes.push({ logicalId, type: resource.Type ?? '', action: 'Modify', replacement: 'Conditional' });
  }
  for (const [logicalId, resource] of Object.entries(old)) {
    if (!next[logicalId]) changes.push({ logicalId, type: resource.Type ?? '', action: 'Remove' });
  }
  return changes;
}

const summaryOf = (stack: FakeStack): StackSummary => ({
  name: stack.name,
  status: stack.status,
  ...(stack.statusReason ? { statusReason: stack.statusReason } : {}),
  outputs: { ...stack.outputs },
  parameters: { ...stack.parameters },
  tags: { ...stack.tags },
  createdAt: stack.createdAt,
  ...(stack.updatedAt ? { updatedAt: stack.updatedAt } : {}),
});

export class FakeStacks implements Stacks {
  /** The account's stacks by name; a removed stack is gone from here. */
  readonly stacks = new Map<string, FakeStack>();
  /** Every apply, remove and unprotect, in the order they ended. */
  readonly calls: StackCall[] = [];
  /** describe, list and unchanged calls. */
  readonly reads = { describe: 0, list: 0, unchanged: 0 };
  private readonly failures = new Map<string, ScriptedCause>();
  private eventCount = 0;

  constructor(
    private readonly clock: FakeClock,
    private readonly journal: Journal,
  ) {}

  /** Names of the stacks applied, in order, whatever the outcome. */
  get applied(): string[] {
    return this.calls.filter((call) => call.kind === 'apply').map((call) => call.name);
  }

  /** Names of the stacks an apply created, updated or recreated: the ones CloudFormation changed. */
  get updated(): string[] {
    return this.calls.filter((call) => call.kind === 'apply' && ['created', 'updated', 'recreated'].includes(call.outcome)).map((call) => call.name);
  }

  /** Names of the stacks removed, or whose deletion was started, in order. */
  get removed(): string[] {
    return this.calls.filter((call) => call.kind === 'remove' && (call.outcome === 'removed' || call.outcome === 'deletion started')).map((call) => call.name);
  }

  /** CloudFormation ends the deletions startRemoval asked for: the stacks are gone, or, with `failing`, DELETE_FAILED. */
  finishDeletions(failing: readonly string[] = []): void {
    for (const [name, stack] of this.stacks) {
      if (stack.status !== 'DELETE_IN_PROGRESS') continue;
      if (failing.includes(name)) stack.status = 'DELETE_FAILED';
      else this.stacks.delete(name);
    }
  }

  get(name: string): FakeStack | undefined {
    return this.stacks.get(name);
  }

  names(): string[] {
    return [...this.stacks.keys()].sort();
  }

  /** The next apply of `name` fails and CloudFormation rolls it back, blaming `cause`. */
  failApply(name: string, cause: Partial<ScriptedCause> = {}): void {
    this.failures.set(name, { ...DEFAULT_CAUSE, ...cause });
  }

  /** Puts a stack in the account as if an earlier run had made it. */
  seed(stack: Partial<FakeStack> & Pick<FakeStack, 'name' | 'tags'>): FakeStack {
    const template = stack.template ?? {};
    const parameters = stack.parameters ?? {};
    const full: FakeStack = {
      status: 'CREATE_COMPLETE',
      outputs: outputsOf(stack.name, template, parameters),
      terminationProtection: false,
      createdAt: new Date(this.clock.now()),
      ...stack,
      template,
      parameters,
    };
    this.stacks.set(full.name, full);
    return full;
  }

  private event(stackName: string, logicalId: string, type: string, status: string, reason?: string): StackEvent {
    this.eventCount += 1;
    return { id: `event-${this.eventCount}`, stackName, logicalId, type, status, ...(reason ? { reason } : {}), timestamp: new Date(this.clock.now()) };
  }

  /** The most `unchanged` checks that were waiting for an answer at the same moment. */
  maxChecksAtOnce = 0;
  private checksNow = 0;

  async unchanged(spec: StackSpec): Promise<StackResult | undefined> {
    this.checksNow += 1;
    this.maxChecksAtOnce = Math.max(this.maxChecksAtOnce, this.checksNow);
    await called(this.journal, `stacks.unchanged ${spec.name}`).finally(() => (this.checksNow -= 1));
    this.reads.unchanged += 1;
    const current = this.stacks.get(spec.name);
    if (!current || !['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'].includes(current.status)) return undefined;
    if (spec.terminationProtection && !current.terminationProtection) return undefined;
    if (!same(current.template, spec.template) || !same(current.parameters, spec.parameters) || !same(current.tags, spec.tags)) return undefined;
    return { name: spec.name, outcome: 'unchanged', outputs: { ...current.outputs }, changes: [] };
  }

  async apply(spec: StackSpec, options: ApplyOptions): Promise<StackResult> {
    await called(this.journal, `stacks.apply ${spec.name}`);
    const outcome = await this.applyNow(spec, options).catch((error: unknown) => {
      this.calls.push({ kind: 'apply', name: spec.name, outcome: 'failed' });
      this.journal.push(`stacks.apply ${spec.name}: failed`);
      throw error;
    });
    this.calls.push({ kind: 'apply', name: spec.name, outcome: outcome.outcome });
    this.journal.push(`stacks.apply ${spec.name}: ${outcome.outcome}`);
    return outcome;
  }

  /** As the adapter does: a stack another application or environment owns is refused. */
  private refuseForeign(name: string, owner: Readonly<Record<string, string>> | undefined): void {
    const stack = this.stacks.get(name);
    const problem = stack && owner ? foreignOwner(name, stack.tags, owner) : undefined;
    if (problem) throw new StackFailure(problem, name, stack?.status);
  }

  private async applyNow(spec: StackSpec, options: ApplyOptions): Promise<StackResult> {
    this.refuseForeign(spec.name, spec.tags);
    if (this.stacks.get(spec.name)?.status === 'DELETE_IN_PROGRESS') {
      // As the adapter does: a deletion in progress is waited out, then the stack is created.
      this.clock.advance(APPLY_MS);
      this.stacks.delete(spec.name);
    }
    const existing = this.stacks.get(spec.name);
    const recreate = existing?.status === 'ROLLBACK_COMPLETE';
    const current = recreate ? undefined : existing;
    if (current && same(current.template, spec.template) && same(current.parameters, spec.parameters) && same(current.tags, spec.tags)) {
      options.onChanges?.(spec.name, []);
      current.terminationProtection = spec.terminationProtection;
      return { name: spec.name, outcome: 'unchanged', outputs: { ...current.outputs }, changes: [] };
    }
    const changes = current ? changesBetween(current, spec) : additionsOf(spec.template);
    options.onChanges?.(spec.name, changes);
    if (options.dryRun) return { name: spec.name, outcome: current ? 'updated' : recreate ? 'recreated' : 'created', outputs: { ...(current?.outputs ?? {}) }, changes };
    this.clock.advance(APPLY_MS);
    const operation = current ? 'update' : 'create';
    const failure = this.failures.get(spec.name);
    if (failure) {
      this.failures.delete(spec.name);
      throw this.rollBack(spec, operation, failure, options);
    }
    const now = new Date(this.clock.now());
    const stack: FakeStack = {
      name: spec.name,
      status: current ? 'UPDATE_COMPLETE' : 'CREATE_COMPLETE',
      template: spec.template,
      parameters: { ...spec.parameters },
      tags: { ...spec.tags },
      outputs: outputsOf(spec.name, spec.template, spec.parameters),
      terminationProtection: spec.terminationProtection,
      createdAt: current?.createdAt ?? now,
      ...(current ? { updatedAt: now } : {}),
    };
    this.stacks.set(spec.name, stack);
    options.onEvent?.(this.event(spec.name, spec.name, 'AWS::CloudFormation::Stack', stack.status));
    return { name: spec.name, outcome: current ? 'updated' : recreate ? 'recreated' : 'created', outputs: { ...stack.outputs }, changes };
  }

  /** What CloudFormation does when a resource fails: events, a rollback, and the adapter's StackFailure. */
  private rollBack(spec: StackSpec, operation: 'create' | 'update', cause: ScriptedCause, options: ApplyOptions): StackFailure {
    const status = operation === 'update' ? 'UPDATE_ROLLBACK_COMPLETE' : 'ROLLBACK_COMPLETE';
    const events = [
      this.event(spec.name, spec.name, 'AWS::CloudFormation::Stack', `${operation.toUpperCase()}_IN_PROGRESS`, 'User Initiated'),
      this.event(spec.name, cause.logicalId, cause.type, `${operation.toUpperCase()}_FAILED`, cause.reason),
      this.event(spec.name, spec.name, 'AWS::CloudFormation::Stack', operation === 'update' ? 'UPDATE_ROLLBACK_IN_PROGRESS' : 'ROLLBACK_IN_PROGRESS', `The following resource(s) failed to ${operation}: [${cause.logicalId}].`),
      this.event(spec.name, spec.name, 'AWS::CloudFormation::Stack', status),
    ];
    for (const event of events) options.onEvent?.(event);
    const existing = this.stacks.get(spec.name);
    if (existing && operation === 'update') existing.status = status;
    else {
      this.stacks.set(spec.name, {
        name: spec.name,
        status,
        template: spec.template,
        parameters: { ...spec.parameters },
        tags: { ...spec.tags },
        outputs: {},
        terminationProtection: spec.terminationProtection,
        createdAt: new Date(this.clock.now()),
      });
    }
    const report = describeFailure(spec.name, operation, status, events);
    return new StackFailure(report.message, spec.name, status, report.rootCause);
  }

  async describe(name: string): Promise<StackSummary | undefined> {
    this.reads.describe += 1;
    await called(this.journal, `stacks.describe ${name}`);
    const stack = this.stacks.get(name);
    return stack ? summaryOf(stack) : undefined;
  }

  async list(tags: Readonly<Record<string, string>>, only?: (stack: StackTagged) => boolean, _signal?: AbortSignal): Promise<StackSummary[]> {
    this.reads.list += 1;
    await called(this.journal, `stacks.list ${JSON.stringify(tags)}`);
    return [...this.stacks.values()].filter((stack) => Object.entries(tags).every(([key, value]) => stack.tags[key] === value) && (!only || only(stack))).map(summaryOf);
  }

  async remove(name: string, options: ApplyOptions): Promise<void> {
    await called(this.journal, `stacks.remove ${name}`);
    const stack = this.deletable(name, options, 'remove');
    if (!stack) return;
    this.clock.advance(APPLY_MS);
    this.stacks.delete(name);
    options.onEvent?.(this.event(name, name, 'AWS::CloudFormation::Stack', 'DELETE_COMPLETE'));
    this.calls.push({ kind: 'remove', name, outcome: 'removed' });
    this.journal.push(`stacks.remove ${name}: removed`);
  }

  /** Like remove, but the stack stays DELETE_IN_PROGRESS until finishDeletions. */
  async startRemoval(name: string, options: ApplyOptions): Promise<void> {
    await called(this.journal, `stacks.startRemoval ${name}`);
    const stack = this.deletable(name, options, 'startRemoval');
    if (!stack) return;
    stack.status = 'DELETE_IN_PROGRESS';
    this.calls.push({ kind: 'remove', name, outcome: 'deletion started' });
    this.journal.push(`stacks.startRemoval ${name}: deletion started`);
  }

  /** The stack a removal may delete, with the adapter's refusals; undefined when absent (or already being deleted). */
  private deletable(name: string, options: ApplyOptions, method: 'remove' | 'startRemoval'): FakeStack | undefined {
    const stack = this.stacks.get(name);
    if (stack?.status === 'DELETE_IN_PROGRESS') {
      // An earlier run's deletion: remove waits it out, as the adapter does; startRemoval leaves it be.
      if (method === 'remove') {
        this.clock.advance(APPLY_MS);
        this.stacks.delete(name);
      }
    }
    if (!stack || stack.status === 'DELETE_IN_PROGRESS') {
      this.calls.push({ kind: 'remove', name, outcome: 'absent' });
      this.journal.push(`stacks.${method} ${name}: absent`);
      return undefined;
    }
    try {
      this.refuseForeign(name, options.owner);
    } catch (error) {
      this.journal.push(`stacks.${method} ${name}: refused`);
      throw error;
    }
    if (stack.terminationProtection) {
      this.calls.push({ kind: 'remove', name, outcome: 'failed' });
      this.journal.push(`stacks.${method} ${name}: failed`);
      throw new StackFailure(`Stack ${name} has termination protection on, so it was not deleted.`, name, stack.status);
    }
    return stack;
  }

  async template(name: string): Promise<Template | undefined> {
    await called(this.journal, `stacks.template ${name}`);
    return this.stacks.get(name)?.template;
  }

  async unprotect(name: string): Promise<void> {
    await called(this.journal, `stacks.unprotect ${name}`);
    const stack = this.stacks.get(name);
    if (stack) stack.terminationProtection = false;
    this.calls.push({ kind: 'unprotect', name, outcome: 'done' });
  }
}

/** One setWeights call: one atomic Route 53 change batch. */
export interface DnsBatch {
  readonly zoneId: string;
  readonly hostname: string;
  readonly targets: readonly WeightedTarget[];
  readonly remove: readonly WeightedTarget[];
  /** The hostname's records once the batch is applied. */
  readonly after: readonly WeightedTarget[];
  /** The plain alias the batch made, in place of every weighted record. */
  readonly alias?: AliasTarget;
}

/** One change of a host rule: a CreateRule or a ModifyRule. */
export interface RuleChange {
  readonly listenerArn: string;
  readonly hostname: string;
  readonly created: boolean;
  readonly targets: readonly ForwardTarget[];
}

export class FakeListeners implements Listeners {
  /** Rules by listener ARN. */
  readonly rules_ = new Map<string, HostRule[]>();
  /** Every forward call, in order. */
  readonly changes: RuleChange[] = [];
  /** Called after every change: a test can make an alarm fire at a given weight. */
  private readonly watchers: ((change: RuleChange) => void)[] = [];
  private count = 0;

  constructor(private readonly journal: Journal) {}

  onChange(watcher: (change: RuleChange) => void): void {
    this.watchers.push(watcher);
  }

  /** The rule of a hostname on any listener, without counting a read. */
  ruleOf(hostname: string): HostRule | undefined {
    for (const rules of this.rules_.values()) {
      const rule = rules.find((candidate) => candidate.hosts.some((host) => hostKey(host) === hostKey(hostname)));
      if (rule) return rule;
    }
    return undefined;
  }

  /** The changes of one hostname's rule. */
  changesFor(hostname: string): RuleChange[] {
    return this.changes.filter((change) => hostKey(change.hostname) === hostKey(hostname));
  }

  async rules(listenerArn: string): Promise<HostRule[]> {
    await called(this.journal, `listeners.rules ${listenerArn}`);
    return (this.rules_.get(listenerArn) ?? []).map((rule) => ({ ...rule, targets: rule.targets.map((target) => ({ ...target })) }));
  }

  async forward(listenerArn: string, hosts: readonly string[], targets: readonly ForwardTarget[], where: { readonly ruleArn: string } | { readonly priority: number }): Promise<string> {
    const hostname = hosts[0]!;
    await called(this.journal, `listeners.forward ${hostname}`);
    const rules = this.rules_.get(listenerArn) ?? [];
    const copy = targets.map((target) => ({ ...target }));
    let ruleArn: string;
    if ('ruleArn' in where) {
      const at = rules.findIndex((rule) => rule.ruleArn === where.ruleArn);
      if (at === -1) throw new Error(`RuleNotFound: ${where.ruleArn}`);
      rules[at] = { ...rules[at]!, hosts: [...hosts], targets: copy };
      ruleArn = where.ruleArn;
    } else {
      if (rules.some((rule) => rule.priority === where.priority)) throw new RulePriorityTaken(where.priority, `PriorityInUse: ${where.priority}`);
      this.count += 1;
      ruleArn = `${listenerArn.replace(':listener/', ':listener-rule/')}/rule${this.count}`;
      rules.push({ ruleArn, priority: where.priority, hosts: [...hosts], targets: copy });
    }
    this.rules_.set(listenerArn, rules);
    const change: RuleChange = { listenerArn, hostname, created: !('ruleArn' in where), targets: copy };
    this.changes.push(change);
    for (const watcher of this.watchers) watcher(change);
    return ruleArn;
  }

  async removeRule(ruleArn: string): Promise<void> {
    await called(this.journal, `listeners.removeRule ${ruleArn}`);
    for (const [listener, rules] of this.rules_) this.rules_.set(listener, rules.filter((rule) => rule.ruleArn !== ruleArn));
  }
}

const hostKey = (hostname: string) => hostname.toLowerCase().replace(/\.$/, '');

export class FakeDns implements Dns {
  /** Public hosted zones by name; a zone not listed resolves to ZONE_ID. */
  readonly zones = new Map<string, string>();
  /** Every setWeights call, in order. */
  readonly batches: DnsBatch[] = [];
  /** Every read: zoneId and weights calls. */
  readonly reads = { zoneId: 0, weights: 0 };
  private readonly held = new Map<string, WeightedTarget[]>();
  /** Plain alias records by hostname. */
  readonly aliases = new Map<string, AliasTarget>();
  /** Other record sets by hostname, as recordsAt answers them beside the aliases (a foreign A record, a CNAME). */
  readonly others = new Map<string, NamedRecord[]>();
  private readonly listeners: ((batch: DnsBatch) => void)[] = [];

  constructor(private readonly journal: Journal) {}

  /** The weighted records of a hostname now (in any zone), without counting a read. */
  recordsOf(hostname: string): WeightedTarget[] {
    return (this.held.get(hostKey(hostname)) ?? []).map((target) => ({ ...target }));
  }

  /** Weight by set identifier, for short assertions. */
  weightsOf(hostname: string): Record<string, number> {
    return Object.fromEntries(this.recordsOf(hostname).map((target) => [target.setIdentifier, target.weight]));
  }

  /** The batches that changed `hostname`. */
  batchesFor(hostname: string): DnsBatch[] {
    return this.batches.filter((batch) => hostKey(batch.hostname) === hostKey(hostname));
  }

  seed(hostname: string, targets: readonly WeightedTarget[]): void {
    this.held.set(hostKey(hostname), targets.map((target) => ({ ...target })));
  }

  /** Called after every batch is applied: a test can make an alarm fire at a given weight. */
  onChange(listener: (batch: DnsBatch) => void): void {
    this.listeners.push(listener);
  }

  async zoneId(zone: string): Promise<string> {
    this.reads.zoneId += 1;
    await called(this.journal, `dns.zoneId ${zone}`);
    return this.zones.get(hostKey(zone)) ?? ZONE_ID;
  }

  async publicZones(): Promise<HostedZone[]> {
    await called(this.journal, 'dns.publicZones');
    return [...this.zones].map(([name, id]) => ({ name, id }));
  }

  async recordsAt(zoneId: string, hostname: string): Promise<NamedRecord[]> {
    await called(this.journal, `dns.recordsAt ${hostname}`);
    const alias = this.aliases.get(hostKey(hostname));
    const aliases = alias ? ['A', 'AAAA'].map((type) => ({ type, aliasTarget: alias.dnsName, values: [] })) : [];
    return [...aliases, ...(this.others.get(hostKey(hostname)) ?? [])];
  }

  async weights(zoneId: string, hostname: string): Promise<WeightedTarget[]> {
    this.reads.weights += 1;
    await called(this.journal, `dns.weights ${hostname}`);
    return this.recordsOf(hostname);
  }

  async records(zoneId: string, hostname: string): Promise<HostRecords> {
    this.reads.weights += 1;
    await called(this.journal, `dns.records ${hostname}`);
    const alias = this.aliases.get(hostKey(hostname));
    return { weighted: this.recordsOf(hostname), ...(alias ? { alias: { ...alias } } : {}) };
  }

  async setAlias(zoneId: string, hostname: string, target: AliasTarget): Promise<void> {
    await called(this.journal, `dns.setAlias ${hostname}`);
    const removed = this.recordsOf(hostname);
    this.held.delete(hostKey(hostname));
    this.aliases.set(hostKey(hostname), { ...target });
    const batch: DnsBatch = { zoneId, hostname, targets: [], remove: removed, after: [], alias: { ...target } };
    this.batches.push(batch);
    for (const listener of this.listeners) listener(batch);
  }

  async removeAlias(zoneId: string, hostname: string): Promise<void> {
    await called(this.journal, `dns.removeAlias ${hostname}`);
    this.aliases.delete(hostKey(hostname));
  }

  async setWeights(zoneId: string, hostname: string, targets: readonly WeightedTarget[], remove: readonly WeightedTarget[] = []): Promise<void> {
    await called(this.journal, `dns.setWeights ${hostname}`);
    if (targets.length > 0 && this.aliases.has(hostKey(hostname))) throw new Error(`${hostname} has a plain alias: Route 53 refuses a weighted record beside it.`);
    const removed = new Set(remove.map((target) => target.setIdentifier));
    const both = targets.find((target) => removed.has(target.setIdentifier));
    if (both) throw new Error(`${both.setIdentifier} cannot both take a weight and be removed.`);
    const records = this.recordsOf(hostname).filter((target) => !removed.has(target.setIdentifier));
    for (const target of targets) {
      const at = records.findIndex((have) => have.setIdentifier === target.setIdentifier);
      if (at === -1) records.push({ ...target });
      else records[at] = { ...target };
    }
    this.held.set(hostKey(hostname), records);
    const batch: DnsBatch = { zoneId, hostname, targets: targets.map((target) => ({ ...target })), remove: remove.map((target) => ({ ...target })), after: this.recordsOf(hostname) };
    this.batches.push(batch);
    for (const listener of this.listeners) listener(batch);
  }
}

export class FakeAlarms implements Alarms {
  /** The account's alarms by name; only these exist. */
  readonly alarms = new Map<string, AlarmState>();
  /** How many times `firing` was asked. */
  checks = 0;

  constructor(private readonly journal: Journal) {}

  /** Creates or changes an alarm; OK unless told otherwise. */
  set(name: string, state = 'OK', reason = 'Threshold Crossed: no datapoints were received'): void {
    this.alarms.set(name, { name, state, reason });
  }

  async firing(names: readonly string[]): Promise<AlarmState[]> {
    this.checks += 1;
    await called(this.journal, `alarms.firing ${names.join(',')}`);
    return names.map((name) => this.alarms.get(name)).filter((alarm): alarm is AlarmState => alarm?.state === 'ALARM');
  }

  async missing(names: readonly string[]): Promise<string[]> {
    await called(this.journal, `alarms.missing ${names.join(',')}`);
    return names.filter((name) => !this.alarms.has(name));
  }
}

export class FakeIdentity implements Identity {
  account = ACCOUNT_ID;

  constructor(private readonly journal: Journal) {}

  async accountId(): Promise<string> {
    await called(this.journal, 'identity.accountId');
    return this.account;
  }
}

export class FakeCertificates implements Certificates {
  /** The zones a wildcard certificate was asked for, one entry per call. */
  readonly requests: string[] = [];

  constructor(private readonly journal: Journal) {}

  /** The certificate in use that the last call for each zone was handed. */
  readonly inUse = new Map<string, string | undefined>();

  async ensureWildcard(zone: string, _zoneId: string | Promise<string>, _limits: WaitLimits, inUse?: Promise<string | undefined>): Promise<string> {
    this.requests.push(zone);
    this.inUse.set(zone, await inUse);
    await called(this.journal, `certificates.ensureWildcard ${zone}`);
    return `arn:aws:acm:${REGION}:${ACCOUNT_ID}:certificate/${hash(zone, 8)}-wildcard`;
  }
}

export class FakeImages implements Images {
  /** The registry: the release's image by version. */
  readonly registry = new Map<string, ImageRef>();
  /** Versions passed to publish, one entry per call. */
  readonly publishes: string[] = [];
  /** Versions publish had to build because the registry lacked them. */
  readonly builds: string[] = [];
  /** Versions passed to find, one entry per call. */
  readonly finds: string[] = [];

  constructor(
    private readonly journal: Journal,
    readonly repository = `${ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com/awesome-application`,
  ) {}

  /** Puts a version in the registry, as an earlier build did. */
  push(version: string): ImageRef {
    const image = { repository: this.repository, tag: version, digest: `sha256:${createHash('sha256').update(version).digest('hex')}` };
    this.registry.set(version, image);
    return image;
  }

  async publish(version: string): Promise<ImageRef> {
    this.publishes.push(version);
    await called(this.journal, `images.publish ${version}`);
    const found = this.registry.get(version);
    if (found) return found;
    this.builds.push(version);
    return this.push(version);
  }

  async find(version: string): Promise<ImageRef | undefined> {
    this.finds.push(version);
    await called(this.journal, `images.find ${version}`);
    return this.registry.get(version);
  }

  /** The versions whose images each environment keeps from expiry, as the keep tags say. */
  readonly kept = new Map<string, Set<string>>();

  async protect(environment: string, versions: readonly string[], only: boolean): Promise<void> {
    await called(this.journal, `images.protect ${environment} ${versions.join(',')}${only ? ' only' : ''}`);
    const kept = only ? new Set<string>() : (this.kept.get(environment) ?? new Set<string>());
    for (const version of versions) if (this.registry.has(version)) kept.add(version);
    this.kept.set(environment, kept);
  }

  /** Any registry: the image is held while some version names its repository and digest. */
  async holds(image: ImageRef): Promise<boolean> {
    await called(this.journal, `images.holds ${image.repository}@${image.digest}`);
    return [...this.registry.values()].some((held) => held.repository === image.repository && held.digest === image.digest);
  }
}

/** Release records by application, environment and version, as the storage bucket keeps them. */
export class FakeRecords implements ReleaseRecords {
  readonly records = new Map<string, ReleaseRecord>();

  constructor(private readonly journal: Journal) {}

  private key(application: string, environment: string, version: string): string {
    return releaseRecordKey(application, environment, version);
  }

  async where(application: string, environment: string, version: string): Promise<string> {
    return `s3://storage/${this.key(application, environment, version)}`;
  }

  async write(record: ReleaseRecord): Promise<void> {
    await called(this.journal, `records.write ${record.environment} ${record.version}`);
    // Stored as text and read back through the parser, as the real store does.
    this.records.set(this.key(record.application, record.environment, record.version), JSON.parse(JSON.stringify(record)) as ReleaseRecord);
  }

  async read(application: string, environment: string, version: string): Promise<ReleaseRecord | undefined> {
    await called(this.journal, `records.read ${environment} ${version}`);
    const record = this.records.get(this.key(application, environment, version));
    return record ? parseRecord(JSON.stringify(record), await this.where(application, environment, version)) : undefined;
  }

  get(environment: string, version: string, application = APP): ReleaseRecord | undefined {
    return this.records.get(this.key(application, environment, version));
  }
}

export class FakeProbe implements Probe {
  /** URLs that do not answer 2xx; every other URL does. */
  readonly down = new Set<string>();
  /** Every URL asked about, by healthy or answers. */
  readonly checked: string[] = [];

  constructor(private readonly journal: Journal) {}

  async healthy(url: string): Promise<void> {
    this.checked.push(url);
    await called(this.journal, `probe.healthy ${url}`);
    if (this.down.has(url)) throw new Error(`${url} did not answer 2xx before the deadline: last answer 503 Service Unavailable.`);
  }

  async answers(url: string): Promise<boolean> {
    this.checked.push(url);
    await called(this.journal, `probe.answers ${url}`);
    return !this.down.has(url);
  }
}

/** CloudWatch Logs' log groups by name: those kept beyond their stacks, and which were deleted. */
export class FakeLogGroups implements LogGroups {
  readonly groups = new Set<string>();
  readonly removed: string[] = [];

  constructor(private readonly journal: Journal) {}

  async exists(name: string): Promise<boolean> {
    await called(this.journal, `logGroups.exists ${name}`);
    return this.groups.has(name);
  }

  async remove(name: string): Promise<void> {
    await called(this.journal, `logGroups.remove ${name}`);
    this.groups.delete(name);
    this.removed.push(name);
  }
}

/** SNS: every message published, by topic; `failing` topics refuse theirs. */
export class FakeNotifications implements Notifications {
  readonly published: { topicArn: string; notification: Notification }[] = [];
  readonly failing = new Set<string>();

  constructor(private readonly journal: Journal) {}

  async publish(topicArn: string, notification: Notification): Promise<void> {
    await called(this.journal, `notifications.publish ${topicArn}`);
    if (this.failing.has(topicArn)) throw new Error(`AuthorizationError: not authorized to publish to ${topicArn}`);
    this.published.push({ topicArn, notification });
  }
}

/** The account's lock table: one record per key, taken and released as DynamoDB's conditions do. */
export class FakeLocks implements Locks {
  readonly records = new Map<string, { claim?: LockClaim; expiresAt: number; departures: Map<string, number>; lastRun?: LastRun; route?: TrafficRoute }>();

  constructor(private readonly journal: Journal) {}

  /** Another run holds `key` until `expiresAt`. */
  hold(key: string, holder: Omit<LockHolder, 'expiresAt'>, expiresAt: number): void {
    const record = this.records.get(key);
    this.records.set(key, { ...record, claim: { ...holder, token: 'someone-else' }, expiresAt, departures: record?.departures ?? new Map() });
  }

  async take(key: string, claim: LockClaim, expiresAt: number, now: number): Promise<TakeResult> {
    await called(this.journal, `locks.take ${key}`);
    const record = this.records.get(key);
    if (record?.claim && record.expiresAt >= now) return { taken: false, holder: { ...record.claim, expiresAt: record.expiresAt } };
    const departures = record?.departures ?? new Map<string, number>();
    this.records.set(key, { ...record, claim, expiresAt, departures });
    return { taken: true, departures: new Map(departures), ...(record?.route ? { route: { ...record.route } } : {}) };
  }

  async extend(key: string, token: string, expiresAt: number): Promise<boolean> {
    await called(this.journal, `locks.extend ${key}`);
    const record = this.records.get(key);
    if (record?.claim?.token !== token) return false;
    record.expiresAt = expiresAt;
    return true;
  }

  async release(key: string, token: string, last?: LastRun, _signal?: AbortSignal, route?: TrafficRoute): Promise<void> {
    await called(this.journal, `locks.release ${key}`);
    const record = this.records.get(key);
    if (record?.claim?.token !== token) return;
    delete record.claim;
    if (last) record.lastRun = last;
    if (route) record.route = route;
  }

  async lastRun(key: string): Promise<LastRun | undefined> {
    await called(this.journal, `locks.lastRun ${key}`);
    return this.records.get(key)?.lastRun;
  }

  async recordDepartures(key: string, token: string, left: ReadonlyMap<string, number>, forget: readonly string[]): Promise<void> {
    await called(this.journal, `locks.recordDepartures ${key}`);
    const record = this.records.get(key);
    if (record?.claim?.token !== token) throw new Error(`The conditional request failed: ${key} is not held by this run.`);
    for (const stack of forget) record.departures.delete(stack);
    for (const [stack, at] of left) record.departures.set(stack, at);
  }

  /** Whether anyone holds `key` now. */
  held(key: string): boolean {
    return this.records.get(key)?.claim !== undefined;
  }
}

/** A log group's events, as instances would have written them; read as FilterLogEvents reads (without patterns). */
export class FakeLogs implements Logs {
  readonly events: LogEvent[] = [];
  readonly queries: LogQuery[] = [];

  constructor(private readonly journal: Journal) {}

  /** Writes lines to a stream, one millisecond apart from `at` on. */
  write(stream: string, at: number, ...messages: string[]): void {
    messages.forEach((message, i) => this.events.push({ id: `${stream}#${this.events.length}`, timestamp: at + i, stream, message }));
  }

  async read(query: LogQuery): Promise<LogEvent[]> {
    this.queries.push(query);
    await called(this.journal, `logs.read ${query.group} ${query.streamPrefix}`);
    return this.events.filter((event) => event.stream.startsWith(query.streamPrefix) && event.timestamp >= query.start && (!query.filter || event.message.includes(query.filter)));
  }
}

/** What the next release command does: its output, its exit code, and how many reads of its state it runs for. */
export interface ReleaseScript {
  readonly lines: readonly string[];
  /** Absent, with no reason either: it never ends by itself (a timeout or a cancellation stops it). */
  readonly exitCode?: number;
  readonly polls?: number;
  /** ECS's reason when it stopped the task, e.g. CannotPullContainerError. */
  readonly reason?: string;
}

/** ECS with Fargate: each task follows the script, writing its lines to its log stream as it runs. */
export class FakeReleaseTasks implements ReleaseTasks {
  readonly started: ReleaseTaskSpec[] = [];
  readonly stopped: { taskArn: string; reason: string }[] = [];
  script: ReleaseScript = { lines: ['Operations to perform:', 'No migrations to apply.'], exitCode: 0, polls: 2 };
  private readonly tasks = new Map<string, { script: ReleaseScript; stream: string; polls: number; stopped?: string }>();

  constructor(private readonly journal: Journal, private readonly clock: FakeClock, private readonly logs: FakeLogs) {}

  /** Task definitions registered for others to run (the schedules), in order. */
  readonly registered: ReleaseTaskSpec[] = [];

  async register(spec: ReleaseTaskSpec): Promise<string> {
    await called(this.journal, `releaseTasks.register ${spec.family} ${spec.image}`);
    this.registered.push(spec);
    return `arn:aws:ecs:eu-west-1:123456789012:task-definition/${spec.family}:${this.registered.length}`;
  }

  async start(spec: ReleaseTaskSpec): Promise<StartedTask> {
    await called(this.journal, `releaseTasks.start ${spec.family} ${spec.image}`);
    this.started.push(spec);
    const taskArn = `arn:aws:ecs:eu-west-1:123456789012:task/${spec.cluster}/task${this.started.length}`;
    const stream = `${spec.logStreamPrefix}/release/task${this.started.length}`;
    this.tasks.set(taskArn, { script: this.script, stream, polls: 0 });
    return { taskArn, logStream: stream };
  }

  async state(cluster: string, taskArn: string): Promise<TaskState> {
    await called(this.journal, `releaseTasks.state ${cluster}`);
    const task = this.tasks.get(taskArn)!;
    task.polls += 1;
    const { script } = task;
    const total = script.polls ?? 1;
    // The output arrives as the command runs: a share of its lines with each read.
    const written = Math.min(script.lines.length, Math.ceil((script.lines.length * task.polls) / total));
    const already = this.logs.events.filter((event) => event.stream === task.stream).length;
    if (written > already) this.logs.write(task.stream, this.clock.now(), ...script.lines.slice(already, written));
    if (task.stopped) return { status: 'STOPPED', reason: task.stopped };
    // Without an exit code or a reason it runs until stopped; a reason alone: ECS never started the container.
    if ((script.exitCode === undefined && script.reason === undefined) || task.polls < total) return { status: 'RUNNING' };
    return { status: 'STOPPED', ...(script.exitCode !== undefined ? { exitCode: script.exitCode } : {}), ...(script.reason ? { reason: script.reason } : {}) };
  }

  async stop(_cluster: string, taskArn: string, reason: string): Promise<void> {
    await called(this.journal, `releaseTasks.stop`);
    this.stopped.push({ taskArn, reason });
    this.tasks.get(taskArn)!.stopped = reason;
  }
}

/** RDS's snapshots by instance: CloudFormation's final snapshot appears when a database stack with DeletionPolicy Snapshot is removed. */
export class FakeDatabaseSnapshots implements DatabaseSnapshots {
  readonly snapshots = new Map<string, string>();

  constructor(private readonly journal: Journal) {}

  async newest(instanceId: string): Promise<string | undefined> {
    await called(this.journal, `databaseSnapshots.newest ${instanceId}`);
    return this.snapshots.get(instanceId);
  }
}

/**
 * Auto Scaling's groups of the processes: each group a release stack's output names exists, at
 * the sizes the output gives until a resize sets others; gone with its stack.
 */
export class FakeProcessGroups implements ProcessGroups {
  readonly resizes: { group: string; sizes: GroupSizes }[] = [];
  private readonly set = new Map<string, GroupSizes>();

  constructor(private readonly journal: Journal, private readonly stacks: FakeStacks) {}

  /** The groups that exist now, by name: their process, their release's stack and their sizes. */
  groups(): Map<string, { stack: string; process: string; sizes: GroupSizes }> {
    return new Map([...this.stacks.stacks.values()].flatMap((stack) => processGroupsOf(stack.outputs).map((process) => [process.group, {
      stack: stack.name,
      process: process.name,
      sizes: this.set.get(process.group) ?? { minSize: process.minSize, desiredSize: process.desiredSize, maxSize: process.maxSize },
    }] as const)));
  }

  /** How many instances a release's process runs now (undefined: no such group). */
  running(stack: string, process: string): number | undefined {
    return [...this.groups().values()].find((group) => group.stack === stack && group.process === process)?.sizes.desiredSize;
  }

  async sizes(groups: readonly string[]): Promise<ReadonlyMap<string, GroupSizes>> {
    await called(this.journal, `processGroups.sizes ${groups.join(',')}`);
    const all = this.groups();
    return new Map(groups.flatMap((group) => (all.has(group) ? [[group, all.get(group)!.sizes] as const] : [])));
  }

  async resize(group: string, sizes: GroupSizes): Promise<void> {
    await called(this.journal, `processGroups.resize ${group} ${sizes.minSize}/${sizes.desiredSize}/${sizes.maxSize}`);
    if (!this.groups().has(group)) throw new Error(`AutoScalingGroup name not found - ${group}`);
    this.resizes.push({ group, sizes });
    this.set.set(group, sizes);
  }
}

/** The whole fake account: pass it wherever EngineDeps is wanted. */
export class FakeAws implements EngineDeps {
  readonly journal: Journal = [];
  readonly clock = new FakeClock();
  readonly log = new RecordingLog();
  readonly stacks = new FakeStacks(this.clock, this.journal);
  readonly dns = new FakeDns(this.journal);
  readonly listeners = new FakeListeners(this.journal);
  readonly alarms = new FakeAlarms(this.journal);
  readonly identity = new FakeIdentity(this.journal);
  readonly certificates = new FakeCertificates(this.journal);
  readonly images = new FakeImages(this.journal);
  readonly records = new FakeRecords(this.journal);
  readonly probe = new FakeProbe(this.journal);
  readonly logGroups = new FakeLogGroups(this.journal);
  readonly notifications = new FakeNotifications(this.journal);
  readonly locks = new FakeLocks(this.journal);
  readonly logs = new FakeLogs(this.journal);
  readonly releaseTasks = new FakeReleaseTasks(this.journal, this.clock, this.logs);
  readonly databaseSnapshots = new FakeDatabaseSnapshots(this.journal);
  readonly processGroups = new FakeProcessGroups(this.journal, this.stacks);

  /** A run that starts now, with the configuration's timeout as its deadline. */
  request(config: Config, overrides: Partial<RunRequest> = {}): RunRequest {
    const startedAt = this.clock.now();
    return { run: { startedAt, deadline: startedAt + config.timeoutMinutes * 60_000 }, sha: config.version || 'unknown', ...overrides };
  }

  /** Runs the configuration's command against this account, as the action's entry does. */
  async run(config: Config, overrides: Partial<RunRequest> = {}): Promise<RunOutcome> {
    const outcome = await runCommand(config, this, this.request(config, overrides));
    await outcome.released;
    return outcome;
  }

  /** The release stacks' weights in a hostname's rule, by stack name (a target group of no stack by its ARN). */
  weightsOf(hostname: string): Record<string, number> {
    return this.namedWeights(this.listeners.ruleOf(hostname)?.targets ?? []);
  }

  /**
   * A hostname as an earlier run left it: its rule on the listener of `balancerStack` (seeded
   * before), forwarding to the stacks' target groups with the weights given, and its alias.
   */
  seedRule(hostname: string, balancerStack: string, routes: readonly (readonly [string, number])[]): void {
    const balancer = this.stacks.get(balancerStack)!;
    const listenerArn = balancer.outputs.HttpsListenerArn!;
    const rules = this.listeners.rules_.get(listenerArn) ?? [];
    const targets = routes.map(([stack, weight]) => ({ targetGroupArn: this.stacks.get(stack)!.outputs.TargetGroupArn!, weight }));
    rules.push({ ruleArn: `${listenerArn}/seeded${rules.length + 1}`, priority: rules.length + 1, hosts: [hostname], targets });
    this.listeners.rules_.set(listenerArn, rules);
    this.dns.aliases.set(hostname.toLowerCase(), { dnsName: balancer.outputs.LoadBalancerDnsName!, hostedZoneId: balancer.outputs.LoadBalancerHostedZoneId! });
  }

  /** The weights each change of a hostname's rule set, by stack name, oldest first. */
  ruleChanges(hostname: string): Record<string, number>[] {
    return this.listeners.changesFor(hostname).map((change) => this.namedWeights(change.targets));
  }

  /** Weights of one rule change, by stack name. */
  namedWeights(targets: readonly ForwardTarget[]): Record<string, number> {
    const byArn = new Map([...this.stacks.stacks.values()].map((stack) => [stack.outputs.TargetGroupArn, stack.name]));
    return Object.fromEntries(targets.map((target) => [byArn.get(target.targetGroupArn) ?? target.targetGroupArn, target.weight]));
  }

  /** Journal entries from `from` on: what a run did, when taken with `const mark = aws.journal.length` before it. */
  since(from: number): string[] {
    return this.journal.slice(from);
  }
}

/** The words scenarios share: the application of VALID_INPUTS, three releases oldest first, their stacks. */
export const APP = VALID_INPUTS['application-name']!;
export const V1 = '1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
export const V2 = '2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
export const V3 = '3333333ccccccccccccccccccccccccccccccccc';
/** The staging hostname of APP. */
export const STAGING_HOST = hostname(APP, 'staging', VALID_INPUTS['hosted-zone']!);
/** The blue-green stack of a release of APP in staging. */
export const stagingRelease = (version: string) => releaseStack(APP, 'staging', version);
/** A blue-green configuration of `version`, in staging unless the inputs say otherwise. */
export const blueGreen = (version: string, inputs: Record<string, string> = {}) => configOf({ strategy: 'blue-green', version, ...inputs });
