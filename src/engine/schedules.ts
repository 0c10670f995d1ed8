import { schedulesStack } from '../config/names.js';
import type { Config } from '../config/types.js';
import { applicationSchedules } from '../stacks/application-schedules.js';
import { stackTags } from '../stacks/stack-tags.js';
import { SCHEDULE_CONTAINER, SCHEDULE_STATE, SERVING_TASK_DEFINITION, schedulesAlarmName } from '../templates/schedules.js';
import type { EngineDeps, RunClock } from './context.js';
import { pinnedImage } from '../config/image-reference.js';
import type { ApplyOptions, StackResult, Template } from './ports.js';
import { releaseTaskSpec, shellTakingCommand } from './release-command.js';
import { restoredConfig } from './release-record.js';

/**
 * The schedules follow the release that serves. Each release with schedules registers a task
 * definition of its own (its image, variables, secrets, database and logs), kept in its release
 * record; the schedules stack names the serving one in a parameter. A deploy applies the stack
 * once its traffic has moved; a promote or a rollback changes only that parameter, after its
 * traffic change, so that the change of traffic is never kept waiting by the schedules.
 */

/** One schedule as it stands: its expression, its command, and whether the scheduler runs it (ENABLED). */
export interface ScheduleState {
  readonly expression: string;
  readonly command: string;
  readonly state: string;
}

/** What the schedules became in a run, for the summary, the PR comment and the log. */
export interface SchedulesOutcome {
  readonly stack: string;
  /** applied: created or updated by a deploy; moved: to another release's task definition; removed: the input has none now. */
  readonly outcome: 'applied' | 'moved' | 'unchanged' | 'removed';
  /** The release whose task definition they run. */
  readonly version?: string;
  readonly taskDefinition?: string;
  readonly schedules: readonly ScheduleState[];
  readonly alarm: string;
  /** The alarm's state when the run read it: not in alarm, in ALARM (with its reason), or unknown. */
  readonly alarmState?: string;
  /** The stack as the apply left it, for the run's list of stacks. */
  readonly applied?: StackResult;
}

/**
 * The schedules' container program: a shell that runs its first argument. The scheduler's
 * override gives the schedule's command as that one argument (templates/schedules.ts), so the
 * command is never pasted into a shell string: the task definition stays exec-form and one
 * task definition serves every schedule of the release.
 */
export function scheduleProgram(config: Config): { command: string[]; container: string } {
  return { command: shellTakingCommand(config, 'schedule'), container: SCHEDULE_CONTAINER };
}

/** Registers the release's task definition for its schedules; its ARN. */
export async function registerScheduleTask(config: Config, image: string, deps: Pick<EngineDeps, 'stacks' | 'releaseTasks' | 'log'>): Promise<string> {
  const spec = await releaseTaskSpec(config, image, deps, scheduleProgram(config));
  const arn = await deps.releaseTasks.register(spec);
  deps.log.info(`Schedules: ${config.version} registered ${arn.split('/').at(-1)} for its schedules`);
  return arn;
}

/**
 * After a deploy's traffic change: the schedules stack as the input says, running the new
 * release once it took all the traffic. While a canary holds part of it, they keep running the
 * release they ran before (the new one when there were none). No schedules: the stack goes.
 */
export async function applySchedules(config: Config, deployed: { readonly taskDefinition?: string; readonly full: boolean }, deps: EngineDeps, run: RunClock, track: Omit<ApplyOptions, 'deadline'> = {}): Promise<SchedulesOutcome | undefined> {
  const name = schedulesStack(config.application, config.environment);
  const options = { ...track, deadline: run.deadline, ...(run.signal ? { signal: run.signal } : {}), owner: stackTags(config.application, config.environment) };
  const applies = applicationSchedules.applies?.(config) ?? true;
  // Without schedules, only a stack left to remove is looked for, in the environment's stacks as
  // the run's own listing found them: no request when there is none. One the tag index does not
  // name yet (made seconds ago) is removed by the next run.
  const existing = applies ? await deps.stacks.describe(name) : (await deps.stacks.list(options.owner, (stack) => stack.name === name, run.signal))[0];
  if (!applies) {
    if (!existing || config.preview !== undefined) return undefined;
    await deps.log.group(`remove ${name}`, () => deps.stacks.remove(name, options));
    return { stack: name, outcome: 'removed', schedules: [], alarm: schedulesAlarmName(config.application, config.environment), applied: { name, outcome: 'unchanged', outputs: {}, changes: [] } };
  }
  const before = existing?.parameters[SERVING_TASK_DEFINITION];
  const taskDefinition = deployed.full || !before ? deployed.taskDefinition : before;
  if (!taskDefinition) throw new Error(`The schedules of ${config.version} have no task definition: it was not registered.`);
  const spec = applicationSchedules.spec(config, { taskDefinitionArn: taskDefinition });
  const result = await deps.log.group(`stack ${name}`, () => deps.stacks.apply(spec, options));
  const version = taskDefinition === deployed.taskDefinition ? config.version : undefined;
  const schedules = config.schedules.map((one) => ({ ...one, state: SCHEDULE_STATE }));
  return outcomeOf(config, { stack: name, outcome: result.outcome === 'unchanged' ? 'unchanged' : 'applied', taskDefinition, schedules, applied: result, ...(version ? { version } : {}) }, deps, run);
}

/**
 * After a promote's or a rollback's traffic change: the schedules run `version` now. Only their
 * parameter changes; their lines stay as the last deploy left them (a rollback's run may name
 * none). A release recorded without a task definition (deployed before it had schedules)
 * registers one from its record. No schedules stack: nothing to do, one read.
 */
export async function followServingRelease(config: Config, version: string, deps: EngineDeps, run: RunClock, track: Omit<ApplyOptions, 'deadline'> = {}): Promise<SchedulesOutcome | undefined> {
  const name = schedulesStack(config.application, config.environment);
  const existing = await deps.stacks.describe(name);
  if (!existing) return undefined;
  const record = await deps.records.read(config.application, config.environment, version);
  if (!record) throw new Error(`The schedules (${name}) still run the release they ran: ${version} has no release record to take its task definition from. Deploy ${version} again to move them.`);
  const restored = restoredConfig(config, record);
  const taskDefinition = record.scheduleTaskDefinition ?? (await registerScheduleTask(restored, pinnedImage(record.image), deps));
  const template = await deps.stacks.template(name);
  if (!template) return undefined;
  const moved = { stack: name, taskDefinition, version, schedules: scheduleLines(template) };
  if (existing.parameters[SERVING_TASK_DEFINITION] === taskDefinition) return outcomeOf(config, { ...moved, outcome: 'unchanged' }, deps, run);
  const spec = { name, template, parameters: { ...existing.parameters, [SERVING_TASK_DEFINITION]: taskDefinition }, tags: existing.tags, terminationProtection: false };
  const options = { ...track, deadline: run.deadline, ...(run.signal ? { signal: run.signal } : {}) };
  const applied = await deps.log.group(`stack ${name}`, () => deps.stacks.apply(spec, options));
  deps.log.info(`Schedules: they run ${version} now (${taskDefinition.split('/').at(-1)})`);
  return outcomeOf(config, { ...moved, outcome: 'moved', applied }, deps, run);
}

/** The schedules' lines as a template holds them: each schedule's expression and the command its override gives. */
function scheduleLines(template: Template): SchedulesOutcome['schedules'] {
  const resources = Object.values((template.Resources ?? {}) as Record<string, { Type?: string; Properties?: { ScheduleExpression?: string; State?: string; Target?: { Input?: string } } }>);
  return resources.filter((resource) => resource.Type === 'AWS::Scheduler::Schedule').map((resource) => {
    let command = '';
    try {
      command = (JSON.parse(resource.Properties?.Target?.Input ?? '{}') as { containerOverrides?: { command?: string[] }[] }).containerOverrides?.[0]?.command?.[0] ?? '';
    } catch {
      // A template changed by hand: the expression alone says which schedule it is.
    }
    return { expression: resource.Properties?.ScheduleExpression ?? '', command, state: resource.Properties?.State ?? SCHEDULE_STATE };
  });
}

/** The outcome with the alarm and its state: read for people, so a read that fails leaves it unknown and never fails the run. */
async function outcomeOf(config: Config, outcome: Omit<SchedulesOutcome, 'alarm' | 'alarmState'>, deps: EngineDeps, run: RunClock): Promise<SchedulesOutcome> {
  const alarm = schedulesAlarmName(config.application, config.environment);
  const alarmState = await deps.alarms.firing([alarm], run.signal).then(
    (firing) => (firing[0] ? `in ALARM: ${firing[0].reason}` : 'not in alarm'),
    () => 'unknown',
  );
  return { ...outcome, alarm, alarmState };
}
