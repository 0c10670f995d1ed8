import { environmentStack, releaseCluster, resourcesStack, SCHEDULE_CONTAINER } from '../config/names.js';
import type { ScheduleConfig } from '../config/schedules.js';
import type { Template } from './template.js';
import { ENVIRONMENT_OUTPUTS, RESOURCES_OUTPUTS, importOf } from './outputs.js';
import { resourceFinding, schedulerRoleWildcard, withExceptions } from './security-exceptions.js';
import { resourceTags } from './tags.js';

export interface SchedulesOptions {
  readonly application: string;
  readonly environment: string;
  /** The environment whose network the tasks run in. */
  readonly networkEnvironment: string;
  readonly schedules: readonly ScheduleConfig[];
  /** The container of the task definition whose command each schedule sets. */
  readonly container: string;
  /** Where the failure alarm tells people: the environment's topic. */
  readonly alarmTopic?: unknown;
}

/** The container of the schedules' task definition: its log streams are <environment>/<version>/schedule/<task id>. */
export { SCHEDULE_CONTAINER };
/** Every schedule runs: one that should not is a line to remove from the input. */
export const SCHEDULE_STATE = 'ENABLED';
/** The parameter that follows the serving release: its task definition's ARN. */
export const SERVING_TASK_DEFINITION = 'ServingTaskDefinitionArn';
/** The alarm that counts the schedules' failed invocations. */
export const SCHEDULE_FAILURES_OUTPUT = 'ScheduleFailuresAlarmName';

/** The alarm on the schedules' failed invocations of an application in one environment. */
export function schedulesAlarmName(application: string, environment: string): string {
  return `${application}-${environment}-schedules-failed`;
}

/**
 * An application's schedules in one environment: one EventBridge Scheduler schedule per line,
 * each running its command as a one-off Fargate task of the serving release's task definition
 * (a parameter, changed when traffic moves), in the application subnets with the instances'
 * security group, its output in the application's log group through that task definition. No
 * instance of ours waits for them. The scheduler's role may run that task definition's family in
 * the application's cluster and pass the instance role to it, nothing else; an alarm counts the
 * invocations that failed or were dropped.
 */
export function schedulesTemplate(options: SchedulesOptions): Template {
  const { application, environment, networkEnvironment } = options;
  const tags = resourceTags({ application, environment });
  const resources = resourcesStack(application, environment);
  const cluster = { 'Fn::Sub': `arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:cluster/${releaseCluster(application, environment)}` };
  const group = `${application}-${environment}`;
  const definition = { Ref: SERVING_TASK_DEFINITION };
  // Any revision of the release tasks' family (named like the cluster): the schedule names the exact one.
  const family = { 'Fn::Sub': `arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:task-definition/${releaseCluster(application, environment)}:*` };
  const schedules: Record<string, unknown> = {};
  for (const [index, schedule] of options.schedules.entries()) {
    schedules[`Schedule${index + 1}`] = {
      Type: 'AWS::Scheduler::Schedule',
      Properties: {
        GroupName: { Ref: 'ScheduleGroup' },
        Description: `${application} ${environment}: ${schedule.command}`.slice(0, 512),
        ScheduleExpression: schedule.expression,
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: SCHEDULE_STATE,
        Target: {
          Arn: cluster,
          RoleArn: { 'Fn::GetAtt': ['SchedulerRole', 'Arn'] },
          // A task that could not start is retried a little, then counted by the alarm.
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
          EcsParameters: {
            TaskDefinitionArn: definition,
            LaunchType: 'FARGATE',
            TaskCount: 1,
            NetworkConfiguration: {
              AwsvpcConfiguration: {
                Subnets: { 'Fn::Split': [',', importOf(environmentStack(networkEnvironment), ENVIRONMENT_OUTPUTS.applicationSubnetIds)] },
                SecurityGroups: [importOf(resources, RESOURCES_OUTPUTS.instanceSecurityGroupId)],
                AssignPublicIp: 'DISABLED',
              },
            },
          },
          // The RunTask overrides: the command, as one argument of the task definition's shell.
          Input: JSON.stringify({ containerOverrides: [{ name: options.container, command: [schedule.command] }] }),
        },
      },
    };
  }
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Wimpy schedules of ${application} in ${environment}: ${options.schedules.length} on EventBridge Scheduler`,
    Parameters: {
      [SERVING_TASK_DEFINITION]: { Type: 'String', Description: 'The task definition of the release that serves: the schedules run its image, variables, secrets and database.' },
    },
    Resources: {
      ScheduleGroup: { Type: 'AWS::Scheduler::ScheduleGroup', Properties: { Name: group, Tags: tags } },
      SchedulerRole: withExceptions({
        Type: 'AWS::IAM::Role',
        Properties: {
          Description: `EventBridge Scheduler, for the schedules of ${application} in ${environment}`,
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }],
          },
          Policies: [{
            PolicyName: 'run-the-schedules',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                { Sid: 'RunTheServingTaskDefinition', Effect: 'Allow', Action: 'ecs:RunTask', Resource: family, Condition: { ArnEquals: { 'ecs:cluster': cluster } } },
                { Sid: 'PassTheInstanceRole', Effect: 'Allow', Action: 'iam:PassRole', Resource: importOf(resources, RESOURCES_OUTPUTS.instanceRoleArn), Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } },
              ],
            },
          }],
          Tags: tags,
        },
      }, schedulerRoleWildcard(resourceFinding(family))),
      ...schedules,
      FailuresAlarm: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          // Named, not generated: plan, the summary and the PR comment name it before it exists.
          AlarmName: schedulesAlarmName(application, environment),
          AlarmDescription: `A schedule of ${application} in ${environment} could not start its task (target errors or dropped invocations)`,
          Namespace: 'AWS/Scheduler',
          MetricName: 'TargetErrorCount',
          Dimensions: [{ Name: 'ScheduleGroup', Value: { Ref: 'ScheduleGroup' } }],
          Statistic: 'Sum',
          Period: 300,
          EvaluationPeriods: 1,
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'notBreaching',
          ...(options.alarmTopic ? { AlarmActions: [options.alarmTopic] } : {}),
          Tags: tags,
        },
      },
    },
    Outputs: {
      [SCHEDULE_FAILURES_OUTPUT]: { Value: { Ref: 'FailuresAlarm' } },
    },
  };
}
