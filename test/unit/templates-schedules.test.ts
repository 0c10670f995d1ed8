import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { exportName } from '../../src/config/names.js';
import { SERVING_TASK_DEFINITION, schedulesTemplate } from '../../src/templates/schedules.js';
import { resourcesOfType, specProblems } from '../support/resource-spec.js';

type Plain = Record<string, unknown>;
const importOf = (stack: string, output: string) => ({ 'Fn::ImportValue': exportName(stack, output) });
const template = schedulesTemplate({
  application: 'shop',
  environment: 'production',
  networkEnvironment: 'production',
  container: 'release',
  schedules: [
    { expression: 'cron(0 3 * * ? *)', command: 'python manage.py clearsessions' },
    { expression: 'rate(15 minutes)', command: './bin/send-reminders' },
  ],
});
const schedules = resourcesOfType(template, 'AWS::Scheduler::Schedule') as Record<string, { Properties: Plain & { Target: Plain & { EcsParameters: Plain } } }>;

describe('the schedules template', () => {
  test('has a schedule per line with its expression, in UTC, on time', () => {
    assert.deepEqual(Object.keys(schedules), ['Schedule1', 'Schedule2']);
    assert.equal(schedules.Schedule1!.Properties.ScheduleExpression, 'cron(0 3 * * ? *)');
    assert.equal(schedules.Schedule2!.Properties.ScheduleExpression, 'rate(15 minutes)');
    assert.equal(schedules.Schedule1!.Properties.ScheduleExpressionTimezone, 'UTC');
    assert.deepEqual(schedules.Schedule1!.Properties.FlexibleTimeWindow, { Mode: 'OFF' });
  });

  test('runs the command in the serving release\'s task definition, on Fargate in the application subnets, without a public address', () => {
    const target = schedules.Schedule1!.Properties.Target;
    assert.deepEqual(target.EcsParameters.TaskDefinitionArn, { Ref: SERVING_TASK_DEFINITION });
    assert.equal(target.EcsParameters.LaunchType, 'FARGATE');
    assert.deepEqual(target.EcsParameters.NetworkConfiguration, {
      AwsvpcConfiguration: {
        Subnets: { 'Fn::Split': [',', importOf('wimpy-production', 'ApplicationSubnetIds')] },
        SecurityGroups: [importOf('shop-production-resources', 'InstanceSecurityGroupId')],
        AssignPublicIp: 'DISABLED',
      },
    });
    assert.deepEqual(JSON.parse(target.Input as string), { containerOverrides: [{ name: 'release', command: ['python manage.py clearsessions'] }] });
  });

  test('lets the scheduler run only the release tasks\' family in the application\'s cluster and pass only the instance role to ECS', () => {
    const role = resourcesOfType(template, 'AWS::IAM::Role').SchedulerRole!.Properties as { Policies: { PolicyDocument: { Statement: Plain[] } }[] };
    const [run, pass] = role.Policies[0]!.PolicyDocument.Statement;
    assert.equal(run!.Action, 'ecs:RunTask');
    assert.deepEqual(run!.Resource, { 'Fn::Sub': 'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task-definition/shop-production-release:*' });
    assert.equal(pass!.Action, 'iam:PassRole');
    assert.deepEqual(pass!.Resource, importOf('shop-production-resources', 'InstanceRoleArn'));
  });

  test('alarms on the schedules\' failed invocations, by their group', () => {
    const alarm = resourcesOfType(template, 'AWS::CloudWatch::Alarm').FailuresAlarm!.Properties;
    assert.equal(alarm.Namespace, 'AWS/Scheduler');
    assert.equal(alarm.MetricName, 'TargetErrorCount');
    assert.deepEqual(alarm.Dimensions, [{ Name: 'ScheduleGroup', Value: { Ref: 'ScheduleGroup' } }]);
  });

  test('every resource and property is one AWS\'s resource specification knows', () => {
    assert.deepEqual(specProblems(template), []);
  });
});
