import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { APPLICATION, CREDENTIALS, describeStack, imageOf, prepareEmulator, REGION, ruleWeightsOf, skip, type Emulator } from '../support/emulator.js';
import { startAwsProxy, type AwsProxy, type ProxiedCall } from '../support/aws-proxy.js';
import { listImportsStandIn } from '../support/emulator-gaps.js';
import { recordedSteps, ruleChange } from '../support/recorded-steps.js';

// Issue 18: schedules on EventBridge Scheduler follow the serving release.
//
// The emulator's gap, worked around here and only here: moto's CloudFormation has no
// AWS::Scheduler::Schedule or ScheduleGroup (it creates the stack and skips them silently), so
// no schedule exists in its Scheduler API to ask for its target. What AWS would create is read
// from the stack itself instead: its template (GetTemplate) says each schedule runs the task
// definition its parameter names, and its parameters (DescribeStacks) say which one that is;
// ECS (DescribeTaskDefinition) says whose image and command that task definition holds.
//
// A second gap decides what the rollback's test can read back: moto compares an UPDATE change
// set with the parameters the stack was created with (Stack.parameters, which its change-set
// execution never updates, though DescribeStacks shows the new values), so a change set that sets
// the parameter back to its first value, v1's, is called empty ("didn't contain changes") and
// deleted; AWS executes it. The test reads what the product asked for instead: after the
// rollback's traffic change, a change set of the schedules stack (CreateChangeSet) for v1's task
// definition, as its log says.

const SCHEDULES = `${APPLICATION}-production-schedules`;
const BALANCER = `${APPLICATION}-production-load-balancer`;
const V1 = `${APPLICATION}-production-v1`;
const V2 = `${APPLICATION}-production-v2`;
const HOST = `${APPLICATION}.armesto.net`;
const NIGHTLY = 'cron(0 3 * * ? *) python manage.py clearsessions';
const BLUE_GREEN = { environment: 'production', strategy: 'blue-green', 'step-wait': '0', schedules: NIGHTLY };

interface ScheduleResource {
  Type: string;
  Properties: { ScheduleExpression: string; State: string; Target: { Arn: unknown; Input: string; EcsParameters: { TaskDefinitionArn: unknown; LaunchType: string } } };
}

const schedulesChange = (call: ProxiedCall) => call.stackName === SCHEDULES && /^cloudformation:(CreateStack|CreateChangeSet|ExecuteChangeSet)$/.test(call.api);

describe('schedules against an AWS API', { skip }, () => {
  let emulator: Emulator;
  let proxy: AwsProxy;
  let ecs: ECSClient;
  const { runs, step } = recordedSteps(() => proxy, BLUE_GREEN);

  /** The task definition each schedule of the stack runs, as AWS would resolve it: the template's Ref, the stack's parameter. */
  async function scheduled(): Promise<{ expression: string; command: string[]; taskDefinition: string }[]> {
    const stack = await describeStack(emulator, SCHEDULES);
    assert.ok(stack, `${SCHEDULES} exists`);
    const parameters = Object.fromEntries((stack.Parameters ?? []).map((parameter) => [parameter.ParameterKey, parameter.ParameterValue]));
    const body = (await emulator.cloudformation.send(new GetTemplateCommand({ StackName: SCHEDULES }))).TemplateBody!;
    const resources = Object.values((JSON.parse(body) as { Resources: Record<string, ScheduleResource> }).Resources).filter((resource) => resource.Type === 'AWS::Scheduler::Schedule');
    return resources.map((resource) => {
      const reference = resource.Properties.Target.EcsParameters.TaskDefinitionArn as { Ref: string };
      const input = JSON.parse(resource.Properties.Target.Input) as { containerOverrides: { name: string; command: string[] }[] };
      return { expression: resource.Properties.ScheduleExpression, command: input.containerOverrides[0]!.command, taskDefinition: parameters[reference.Ref]! };
    });
  }

  async function definition(arn: string) {
    return (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition!;
  }

  before(async () => {
    emulator = await prepareEmulator();
    ecs = new ECSClient({ endpoint: emulator.endpoint, region: REGION, credentials: CREDENTIALS });
    // moto lacks ListImports, which destroy asks before it deletes a stack with exports (see emulator-gaps.ts).
    proxy = await startAwsProxy({ target: emulator.endpoint, standIns: { 'cloudformation:ListImports': listImportsStandIn(emulator) } });
  });
  after(async () => {
    await proxy?.close();
    ecs?.destroy();
    emulator?.close();
  });

  test('a deploy with one schedule creates the schedules stack after the traffic change, its schedule running the release\'s task definition', async (t) => {
    await step('deploy v1', { version: 'v1', image: imageOf('1') });
    const { calls } = runs.get('deploy v1')!;
    assert.ok(calls.findIndex(schedulesChange) > calls.findLastIndex(ruleChange), 'after the traffic change');
    assert.equal((await describeStack(emulator, SCHEDULES))?.StackStatus, 'CREATE_COMPLETE');
    const [schedule, ...more] = await scheduled();
    assert.deepEqual(more, []);
    assert.equal(schedule!.expression, 'cron(0 3 * * ? *)');
    assert.deepEqual(schedule!.command, ['python manage.py clearsessions']);
    const task = await definition(schedule!.taskDefinition);
    assert.equal(task.family, `${APPLICATION}-production-release`);
    assert.equal(task.containerDefinitions?.[0]?.name, 'schedule');
    assert.equal(task.containerDefinitions?.[0]?.image, imageOf('1'));
    assert.deepEqual(task.containerDefinitions?.[0]?.entryPoint, ['/bin/sh', '-c', 'exec /bin/sh -c "$1"', 'schedule']);
    assert.equal(task.containerDefinitions?.[0]?.logConfiguration?.options?.['awslogs-group'], `/wimpy/production/${APPLICATION}`);
    t.diagnostic(`schedule runs ${schedule!.taskDefinition}`);
  });

  test('a second release moves the schedule to its own task definition', async () => {
    await step('deploy v2', { version: 'v2', image: imageOf('2') });
    assert.deepEqual(await ruleWeightsOf(emulator, BALANCER, HOST), { [V1]: 0, [V2]: 100 });
    const [schedule] = await scheduled();
    assert.equal((await definition(schedule!.taskDefinition)).containerDefinitions?.[0]?.image, imageOf('2'));
  });

  test('a rollback moves it back, after its traffic change', async () => {
    const v1 = (await scheduled())[0]!.taskDefinition;
    const run = await step('rollback to v1', { command: 'rollback', version: 'v1' });
    assert.deepEqual(await ruleWeightsOf(emulator, BALANCER, HOST), { [V1]: 100, [V2]: 0 });
    const { calls } = runs.get('rollback to v1')!;
    const change = calls.findIndex(ruleChange);
    assert.ok(change >= 0 && change < calls.findIndex(schedulesChange), 'the traffic change comes first');
    // v1's task definition is the one the first deploy registered (revision 1 of the family).
    const first = runs.get('deploy v1')!.run.stdout.match(/registered (\S+-release:\d+) for its schedules/)?.[1];
    assert.ok(first && !v1.endsWith(first), 'the schedules ran v2 before the rollback');
    assert.match(run.stdout, new RegExp(`Schedules: they run v1 now \\(${first}\\)`));
  });

  test('destroy removes the schedules stack', async () => {
    await step('destroy', { command: 'destroy' });
    assert.equal(await describeStack(emulator, SCHEDULES), undefined);
  });
});
