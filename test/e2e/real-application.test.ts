import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { CreateHostedZoneCommand, ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { APPLICATION, CREDENTIALS, deployInputs, describeStack, imageOf, outputsOf, prepareEmulator, REGION, ruleWeightsOf, skip, type Emulator } from '../support/emulator.js';
import { startAwsProxy, type AwsProxy } from '../support/aws-proxy.js';
import { listImportsStandIn } from '../support/emulator-gaps.js';
import { runAction, type ActionRun } from '../support/run-action.js';

// Issue 18, all of it at once: a production blue-green application with a worker, a nightly job
// and its own domains (the apex and www, in the account's example.com zone).
//
// The emulator's gap, as in schedules.test.ts: moto's CloudFormation skips AWS::Scheduler::*
// resources, so what a schedule runs is read from the schedules stack (its template's Ref and the
// parameter it names) and ECS (the task definition's image).

const BALANCER = `${APPLICATION}-production-load-balancer`;
const SCHEDULES = `${APPLICATION}-production-schedules`;
const release = (version: string) => `${APPLICATION}-production-${version}`;
const DOMAINS = ['example.com', 'www.example.com'];
const APPLICATION_INPUTS = {
  environment: 'production',
  strategy: 'blue-green',
  'step-wait': '0',
  processes: 'worker=celery -A shop worker',
  schedules: 'cron(0 3 * * ? *) python manage.py clearsessions',
  domains: DOMAINS.join(', '),
};

describe('a real application (web, a worker, a schedule, two domains) against an AWS API', { skip }, () => {
  let emulator: Emulator;
  let proxy: AwsProxy;
  let autoScaling: AutoScalingClient;
  let ecs: ECSClient;
  let zoneId: string;

  async function run(inputs: Record<string, string>): Promise<ActionRun> {
    const done = await runAction({ awsEndpoint: proxy.url, inputs: deployInputs({ ...APPLICATION_INPUTS, ...inputs }) });
    assert.equal(done.exitCode, 0, done.stdout + done.stderr);
    return done;
  }

  /** The worker's group of a release, found by the Processes output: [name, min, desired, max], or undefined when Auto Scaling has none. */
  async function workerGroup(stack: string): Promise<[string, number, number, number] | undefined> {
    const [name, group] = (outputsOf(await describeStack(emulator, stack)).Processes ?? '').split(' ');
    assert.equal(name, 'worker', `${stack} has a worker`);
    const found = (await autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group!] }))).AutoScalingGroups?.[0];
    return found && [found.AutoScalingGroupName!, found.MinSize!, found.DesiredCapacity!, found.MaxSize!];
  }

  /** The image of the task definition the one schedule runs: the template's Ref, resolved by the stack's parameter (see the gap above). */
  async function scheduledImage(): Promise<string | undefined> {
    const stack = await describeStack(emulator, SCHEDULES);
    const body = (await emulator.cloudformation.send(new GetTemplateCommand({ StackName: SCHEDULES }))).TemplateBody!;
    const schedules = Object.values((JSON.parse(body) as { Resources: Record<string, { Type: string; Properties: { Target: { EcsParameters: { TaskDefinitionArn: { Ref: string } } } } }> }).Resources)
      .filter((resource) => resource.Type === 'AWS::Scheduler::Schedule');
    assert.equal(schedules.length, 1);
    const parameter = schedules[0]!.Properties.Target.EcsParameters.TaskDefinitionArn.Ref;
    const arn = stack?.Parameters?.find((one) => one.ParameterKey === parameter)?.ParameterValue;
    return (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition?.containerDefinitions?.[0]?.image;
  }

  /** The A and AAAA records of a name in the example.com zone, as `TYPE alias-target`. */
  async function aliases(name: string): Promise<string[]> {
    const sets = (await emulator.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: `${name}.` }))).ResourceRecordSets ?? [];
    return sets.filter((set) => set.Name === `${name}.` && (set.Type === 'A' || set.Type === 'AAAA')).map((set) => `${set.Type} ${set.AliasTarget?.DNSName?.toLowerCase().replace(/\.$/, '')}`).sort();
  }

  const balancerName = async () => outputsOf(await describeStack(emulator, BALANCER)).LoadBalancerDnsName!.toLowerCase();

  before(async () => {
    emulator = await prepareEmulator();
    autoScaling = new AutoScalingClient({ endpoint: emulator.endpoint, region: REGION, credentials: CREDENTIALS });
    ecs = new ECSClient({ endpoint: emulator.endpoint, region: REGION, credentials: CREDENTIALS });
    // moto lacks ListImports, which destroy asks before it deletes a stack with exports (see emulator-gaps.ts).
    proxy = await startAwsProxy({ target: emulator.endpoint, standIns: { 'cloudformation:ListImports': listImportsStandIn(emulator) } });
    const zone = await emulator.route53.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: `e2e-real-application-${Date.now()}` }));
    zoneId = zone.HostedZone!.Id!.replace('/hostedzone/', '');
  });
  after(async () => {
    await proxy?.close();
    autoScaling?.destroy();
    ecs?.destroy();
    emulator?.close();
  });

  test('the first release: its worker group runs, the schedule runs its image, and both names are alias records to the load balancer that serves it', async (t) => {
    await run({ version: 'v1', image: imageOf('1') });
    const worker = await workerGroup(release('v1'));
    assert.deepEqual(worker?.slice(1), [1, 1, 1]);
    assert.equal(await scheduledImage(), imageOf('1'));
    const balancer = await balancerName();
    for (const name of DOMAINS) {
      assert.deepEqual(await aliases(name), [`A ${balancer}`, `AAAA ${balancer}`], name);
      assert.deepEqual(await ruleWeightsOf(emulator, BALANCER, name), { [release('v1')]: 100 }, name);
    }
    t.diagnostic(`worker group ${worker?.[0]}; ${DOMAINS.join(', ')} -> ${balancer}`);
  });

  test('a second release moves them: both names to its target group, the schedule to its image, the worker to its group', async () => {
    await run({ version: 'v2', image: imageOf('2') });
    for (const name of DOMAINS) assert.deepEqual(await ruleWeightsOf(emulator, BALANCER, name), { [release('v1')]: 0, [release('v2')]: 100 }, name);
    assert.equal(await scheduledImage(), imageOf('2'));
    assert.deepEqual((await workerGroup(release('v2')))?.slice(1), [1, 1, 1]);
    assert.deepEqual((await workerGroup(release('v1')))?.slice(1), [0, 0, 0], "the first release's worker stopped once traffic left it");
    const balancer = await balancerName();
    for (const name of DOMAINS) assert.deepEqual(await aliases(name), [`A ${balancer}`, `AAAA ${balancer}`], `${name} still points at the same load balancer`);
  });

  test('destroy removes the releases with their worker groups, the schedules and both names', async () => {
    const groups = await Promise.all(['v1', 'v2'].map(async (version) => (await workerGroup(release(version)))![0]));
    await run({ command: 'destroy' });
    for (const stack of [release('v1'), release('v2'), SCHEDULES, BALANCER]) assert.equal(await describeStack(emulator, stack), undefined, stack);
    const left = (await autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: groups }))).AutoScalingGroups ?? [];
    assert.deepEqual(left.map((group) => group.AutoScalingGroupName), []);
    for (const name of DOMAINS) assert.deepEqual(await aliases(name), [], name);
  });
});
