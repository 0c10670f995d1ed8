/**
 * The ports: what the use cases need from the outside world, in the product's own words.
 * Adapters (src/aws, src/build, src/github) implement them; the engine knows nothing else.
 */

import type { Variable } from '../config/types.js';
import type { StackSpec, StackSummary } from '../stacks/spec.js';
import type { Template } from '../templates/template.js';

export type { Template } from '../templates/template.js';
export type { StackSpec, StackSummary } from '../stacks/spec.js';

export type ChangeAction = 'Add' | 'Modify' | 'Remove' | 'Import' | 'Dynamic';

/** One resource in a change set. */
export interface ResourceChange {
  readonly logicalId: string;
  readonly type: string;
  readonly action: ChangeAction;
  /** Whether CloudFormation replaces the resource: True, False or Conditional. */
  readonly replacement?: string;
}

/** One stack event, as streamed into the log. */
export interface StackEvent {
  readonly id: string;
  readonly stackName: string;
  readonly logicalId: string;
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly timestamp: Date;
}

/** What a stack's tags tell before it is described. */
export type StackTagged = Pick<StackSummary, 'name' | 'tags'>;

export type ApplyOutcome = 'created' | 'updated' | 'unchanged' | 'recreated';

export interface StackResult {
  readonly name: string;
  readonly outcome: ApplyOutcome;
  readonly outputs: Readonly<Record<string, string>>;
  readonly changes: readonly ResourceChange[];
}

/** An apply or a removal: waited for within the run's limits (its deadline, its cancellation). */
export interface ApplyOptions extends WaitLimits {
  readonly onEvent?: (event: StackEvent) => void;
  /** Show the change set before it is executed. */
  readonly onChanges?: (stack: string, changes: readonly ResourceChange[]) => void;
  /** Create the change set and report it, but never execute it (`plan` with credentials). */
  readonly dryRun?: boolean;
  /**
   * The tags (wimpy:application, wimpy:environment) an existing stack must carry to be removed;
   * apply takes them from the spec's tags. A stack of another owner is refused (ownership.ts).
   */
  readonly owner?: Readonly<Record<string, string>>;
}

/** Applies and inspects CloudFormation stacks; raises StackFailure on any failure. */
export interface Stacks {
  apply(spec: StackSpec, options: ApplyOptions): Promise<StackResult>;
  /** The stack as it is, undefined when there is none; `signal` stops the reading. */
  describe(name: string, signal?: AbortSignal): Promise<StackSummary | undefined>;
  /**
   * The stack as it is, when it already matches the spec exactly (template, parameters,
   * tags, protection) and is settled; undefined when an apply would have work to do. Only
   * reads, so every stack of a run can be checked side by side before any is applied.
   */
  unchanged(spec: StackSpec, signal?: AbortSignal): Promise<StackResult | undefined>;
  /**
   * Stacks that carry every given tag (with that value), found by their tags: never by reading
   * every stack of the account, so its cost follows the application's stacks. With `only`, just
   * the stacks it keeps (judged by name and tags) are described. `signal` stops the reading.
   */
  list(tags: Readonly<Record<string, string>>, only?: (stack: StackTagged) => boolean, signal?: AbortSignal): Promise<StackSummary[]>;
  /** The template the stack was last deployed with; undefined when there is no such stack. */
  template(name: string): Promise<Template | undefined>;
  /** Deletes a stack and waits until it is gone; refuses while other stacks import from it. */
  remove(name: string, options: ApplyOptions): Promise<void>;
  /**
   * Starts a stack's deletion and returns once CloudFormation has accepted it, with remove's
   * refusals; a stack already being deleted is left to it. For what no run waits on (a release
   * that left traffic): a deletion that fails leaves the stack DELETE_FAILED for the next run.
   */
  startRemoval(name: string, options: ApplyOptions): Promise<void>;
  /**
   * Turns termination protection off: only for an explicit request to remove a protected stack.
   * Refuses, leaving the protection on, while other stacks import from it. `signal` stops it.
   */
  unprotect(name: string, signal?: AbortSignal): Promise<void>;
}

/** A failure of CloudFormation, with what a person needs to act on it. */
export class StackFailure extends Error {
  constructor(
    message: string,
    readonly stackName: string,
    readonly status?: string,
    /** The first failed event whose reason is not a cancellation. */
    readonly rootCause?: StackEvent,
  ) {
    super(message);
    this.name = 'StackFailure';
  }
}

/** One weighted alias record set of a hostname: a release and its share of traffic. */
export interface WeightedTarget {
  /** Route 53 SetIdentifier: the release's stack name. */
  readonly setIdentifier: string;
  readonly weight: number;
  readonly dnsName: string;
  readonly hostedZoneId: string;
}

/** A load balancer as a plain alias record names it. */
export interface AliasTarget {
  readonly dnsName: string;
  readonly hostedZoneId: string;
}

/** What Route 53 holds for a hostname: weighted records (the first layout), or one plain alias. */
export interface HostRecords {
  readonly weighted: readonly WeightedTarget[];
  readonly alias?: AliasTarget;
}

/**
 * The one shape of a run's limits: how long an adapter may wait for AWS to settle, and what stops
 * it sooner: the run's deadline and its cancellation. A `RunClock`, the options of an apply and
 * the limits of a poll are each one. A wait that must finish even after a cancellation, such as
 * moving traffic back, passes no signal.
 */
export interface WaitLimits {
  /** Epoch milliseconds: timeout-minutes after the run's start. */
  readonly deadline: number;
  /** Aborted when the runner cancels the job: stop waiting and say what was left. */
  readonly signal?: AbortSignal;
}

/** A public hosted zone of the account. */
export interface HostedZone {
  /** Lowercase, without the trailing dot. */
  readonly name: string;
  readonly id: string;
}

/** One record set of a name, as far as a check of who made it needs. */
export interface NamedRecord {
  readonly type: string;
  /** An alias record's target, as Route 53 holds it. */
  readonly aliasTarget?: string;
  /** The values of a plain record (addresses, a CNAME's target). */
  readonly values: readonly string[];
  /** Weighted, latency and other routed records have one. */
  readonly setIdentifier?: string;
}

export interface Dns {
  /** The hosted zone id of a public zone by its name; `signal` stops the reading. */
  zoneId(zone: string, signal?: AbortSignal): Promise<string>;
  /** Every public hosted zone of the account (private zones answer no one on the internet). */
  publicZones(signal?: AbortSignal): Promise<HostedZone[]>;
  /** Every record set of exactly this name in the zone, whatever its type. */
  recordsAt(zoneId: string, hostname: string, signal?: AbortSignal): Promise<NamedRecord[]>;
  /** The weighted A/AAAA alias records of a hostname, one entry per set identifier. */
  weights(zoneId: string, hostname: string, signal?: AbortSignal): Promise<WeightedTarget[]>;
  /** The hostname's weighted records and its plain alias, in one read; `signal` stops the reading. */
  records(zoneId: string, hostname: string, signal?: AbortSignal): Promise<HostRecords>;
  /**
   * Points the hostname at a load balancer with a plain alias (A and AAAA), deleting every
   * weighted record of the name in the same atomic batch, and waits, within `limits`, until it
   * is INSYNC. The signal of `limits` stops the reads and the change's request too.
   */
  setAlias(zoneId: string, hostname: string, target: AliasTarget, limits?: WaitLimits): Promise<void>;
  /** Deletes the hostname's plain alias records; none is no error. */
  removeAlias(zoneId: string, hostname: string, limits?: WaitLimits): Promise<void>;
  /**
   * Sets the weights of every given target in one atomic change batch (A and AAAA together)
   * and waits, within `limits`, until Route 53 reports it INSYNC. The records in `remove` are
   * deleted in the same batch; records in neither list are left as they are.
   */
  setWeights(zoneId: string, hostname: string, targets: readonly WeightedTarget[], remove?: readonly WeightedTarget[], limits?: WaitLimits): Promise<void>;
}

/** One target group of a forward action, with its weight. */
export interface ForwardTarget {
  readonly targetGroupArn: string;
  readonly weight: number;
}

/** A rule of a listener that forwards requests for hostnames to target groups. */
export interface HostRule {
  readonly ruleArn: string;
  readonly priority: number;
  readonly hosts: readonly string[];
  /** Empty when the rule does something else than forward. */
  readonly targets: readonly ForwardTarget[];
}

/**
 * The load balancer's listener: the host rules that carry the traffic. A weight change is one
 * ModifyRule: exact and immediate, with no cache anywhere to wait for.
 */
export interface Listeners {
  /** Every rule of the listener but its default one; `signal` stops the reading. */
  rules(listenerArn: string, signal?: AbortSignal): Promise<HostRule[]>;
  /**
   * Forwards requests for `hosts` (at most 5, a rule's condition values) to the targets with
   * their weights: a change of the rule `where.ruleArn` (its hostnames set to `hosts` in the same
   * call), or a new rule at `where.priority`. Returns the rule's ARN.
   */
  forward(listenerArn: string, hosts: readonly string[], targets: readonly ForwardTarget[], where: { readonly ruleArn: string } | { readonly priority: number }): Promise<string>;
  /** Deletes a rule; one already gone is no error. `signal` stops the request. */
  removeRule(ruleArn: string, signal?: AbortSignal): Promise<void>;
}

/**
 * A new rule asked for a priority another rule of the listener has (Elastic Load Balancing's
 * PriorityInUse): another run on the same load balancer took it since this run read the rules.
 */
export class RulePriorityTaken extends Error {
  constructor(readonly priority: number, message: string) {
    super(message);
    this.name = 'RulePriorityTaken';
  }
}

export interface AlarmState {
  readonly name: string;
  readonly state: string;
  readonly reason: string;
}

export interface Alarms {
  /** The named alarms that are in ALARM now; `signal` stops the reading. */
  firing(names: readonly string[], signal?: AbortSignal): Promise<AlarmState[]>;
  /** The named alarms that do not exist: a configuration error, found before the first change. */
  missing(names: readonly string[], signal?: AbortSignal): Promise<string[]>;
}

/** Log groups kept beyond their stacks: found before a stack would create one again, removed only when asked. */
export interface LogGroups {
  exists(name: string, signal?: AbortSignal): Promise<boolean>;
  /** Deletes the log group and every log in it; one already gone is no error. `signal` stops the request. */
  remove(name: string, signal?: AbortSignal): Promise<void>;
}

/** One message for the people who subscribed, in the forms their channels read. */
export interface Notification {
  /** One line, at most 100 characters: an e-mail's subject. */
  readonly subject: string;
  /** Plain text, for e-mail. */
  readonly text: string;
  /** The JSON that AWS Chatbot renders as a custom notification in Slack or Teams; what other endpoints get too. */
  readonly structured: string;
  /** For subscription filter policies: application, environment, command, status. */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface Notifications {
  publish(topicArn: string, notification: Notification): Promise<void>;
}

export interface ImageRef {
  /** repository without tag, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app */
  readonly repository: string;
  readonly tag: string;
  /** sha256:... */
  readonly digest: string;
}

/** The account's identity, checked against allowed-account-ids before the first change. */
export interface Identity {
  /** The account of the credentials; `signal` aborts the request. */
  accountId(signal?: AbortSignal): Promise<string>;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface Log {
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  group<T>(name: string, work: () => Promise<T>): Promise<T>;
}

/** One event of a log group, as CloudWatch Logs holds it. */
export interface LogEvent {
  readonly id: string;
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly stream: string;
  readonly message: string;
}

export interface LogQuery {
  readonly group: string;
  /** Only streams whose names start with this. */
  readonly streamPrefix: string;
  /** Epoch milliseconds, inclusive. */
  readonly start: number;
  /** A CloudWatch Logs filter pattern. */
  readonly filter?: string;
}

/** Reads a log group. */
export interface Logs {
  /** Every event the query matches, oldest first. */
  read(query: LogQuery, signal?: AbortSignal): Promise<LogEvent[]>;
}

/** One instance of an application's Auto Scaling group. */
export interface InstanceState {
  readonly id: string;
  /** Auto Scaling's lifecycle state: InService, Pending, Terminating, ... */
  readonly lifecycle: string;
  /** The load balancer's view: healthy, unhealthy, initial, draining, unused; absent when not registered. */
  readonly targetHealth?: string;
  readonly targetReason?: string;
  readonly launchedAt?: Date;
}

export interface ScalingActivity {
  readonly time: Date;
  readonly status: string;
  readonly description: string;
}

/** The Auto Scaling group of one release stack. */
export interface InstanceGroup {
  readonly name: string;
  /** The stack it belongs to (its Name tag). */
  readonly stackName: string;
  readonly version: string;
  readonly desired: number;
  readonly instances: readonly InstanceState[];
  /** Scaling activities since the time asked for, newest first. */
  readonly activities: readonly ScalingActivity[];
}

/** Reads the instances of an application in an environment. */
export interface Instances {
  groups(application: string, environment: string, activitiesSince: number): Promise<InstanceGroup[]>;
}

/** A value the release command's container reads from Secrets Manager or SSM Parameter Store when it starts. */
export interface TaskSecret {
  readonly name: string;
  /** The ARN of an SSM parameter, or of a secret with `:json-key::` after it. */
  readonly valueFrom: string;
}

/** One run of the release command: the release's image and environment, in the application's subnets. */
export interface ReleaseTaskSpec {
  readonly cluster: string;
  /** The task definition family: one per application and environment, a revision per release. */
  readonly family: string;
  /** repository@sha256:... */
  readonly image: string;
  /** The program and its arguments, run as the container's entry point. */
  readonly command: readonly string[];
  readonly environment: readonly Variable[];
  readonly secrets: readonly TaskSecret[];
  /** The instance role: the task runs with the instances' permissions and no others. */
  readonly roleArn: string;
  readonly subnets: readonly string[];
  readonly securityGroups: readonly string[];
  readonly logGroup: string;
  /** awslogs names the stream <prefix>/<container>/<task id>. */
  readonly logStreamPrefix: string;
  /** The container's name; the release command's own (`release`) when absent. */
  readonly container?: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface StartedTask {
  readonly taskArn: string;
  /** The log stream its output goes to. */
  readonly logStream: string;
}

export interface TaskState {
  /** ECS's lastStatus: PROVISIONING, PENDING, RUNNING, ..., STOPPED. */
  readonly status: string;
  /** The container's exit code, once it stopped. */
  readonly exitCode?: number;
  /** Why ECS stopped the task or could not start the container. */
  readonly reason?: string;
}

/** Runs one-off tasks on ECS with Fargate: nothing runs, and nothing is paid, between them. */
export interface ReleaseTasks {
  /** A task definition revision of the spec, for runs that others start (the schedules): its ARN. */
  register(spec: ReleaseTaskSpec): Promise<string>;
  start(spec: ReleaseTaskSpec): Promise<StartedTask>;
  state(cluster: string, taskArn: string): Promise<TaskState>;
  stop(cluster: string, taskArn: string, reason: string): Promise<void>;
}

/** Amazon RDS, read only: what a removed database left. */
export interface DatabaseSnapshots {
  /** The newest manual snapshot of the database instance (CloudFormation's final one), if any. */
  newest(instanceId: string): Promise<string | undefined>;
}

/** A group's sizes: how many instances at least, wanted now, and at most. */
export interface GroupSizes {
  readonly minSize: number;
  readonly desiredSize: number;
  readonly maxSize: number;
}

/**
 * The groups that run a release's processes besides web (workers), by the names its stack's
 * output gives. Blue-green stops them in a release that no longer gets traffic and starts them
 * again in one that gets it back (engine/process-handover.ts).
 */
export interface ProcessGroups {
  /** The sizes of the groups that exist among `groups`; a group that is gone is not in the answer. */
  sizes(groups: readonly string[], signal?: AbortSignal): Promise<ReadonlyMap<string, GroupSizes>>;
  /** Sets a group's sizes. */
  resize(group: string, sizes: GroupSizes, signal?: AbortSignal): Promise<void>;
}
