import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeFlowLogsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { APPLICATION, CREDENTIALS, REGION, deployInputs, describeStack, imageOf, outputsOf, prepareEmulator, skip, type Emulator } from '../support/emulator.js';
import { runAction, type ActionRun } from '../support/run-action.js';

// Issue 21: a deploy leaves every network, load balancer and the storage bucket logging into the
// log bucket, and the environment's notification topic in place.

describe('logs and notifications of a deploy, against an AWS API', { skip }, () => {
  let emulator: Emulator;
  let run: ActionRun;
  const settings = () => ({ endpoint: emulator.endpoint, region: REGION, credentials: CREDENTIALS });

  before(async () => {
    emulator = await prepareEmulator();
    run = await runAction({ awsEndpoint: emulator.endpoint, inputs: deployInputs({ version: 'v1', image: imageOf('1'), strategy: 'rolling', notify: 'oncall@example.com' }) });
  });
  after(() => emulator?.close());

  test('the deploy succeeds', () => {
    assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  });

  test("the environment has its notification topic, exported for the application stacks", async (t) => {
    const exported = outputsOf(await describeStack(emulator, 'wimpy-staging')).NotificationTopicArn;
    const topics = (await new SNSClient(settings()).send(new ListTopicsCommand({}))).Topics?.map((topic) => topic.TopicArn) ?? [];
    assert.ok(exported?.endsWith(':wimpy-staging-notifications'), exported);
    assert.ok(topics.includes(exported), topics.join(', '));
    t.diagnostic(`topic ${exported}`);
  });

  test("the environment's network writes flow logs of all traffic into the log bucket", async (t) => {
    const vpc = outputsOf(await describeStack(emulator, 'wimpy-staging')).VpcId!;
    const bucket = outputsOf(await describeStack(emulator, 'wimpy-base')).LogBucketName!;
    const flowLogs = (await new EC2Client(settings()).send(new DescribeFlowLogsCommand({ Filter: [{ Name: 'resource-id', Values: [vpc] }] }))).FlowLogs ?? [];
    assert.deepEqual(flowLogs.map((log) => [log.ResourceId, log.TrafficType, log.LogDestinationType, log.LogDestination]), [[vpc, 'ALL', 's3', `arn:aws:s3:::${bucket}`]]);
    t.diagnostic(`flow log ${flowLogs[0]?.FlowLogId} of ${vpc} -> ${flowLogs[0]?.LogDestination}`);
  });

  // moto's CloudFormation creates the bucket and the load balancer but applies neither a bucket's
  // LoggingConfiguration nor a load balancer's attributes: what the deployed stacks hold is read back
  // from CloudFormation itself, which on AWS is what configures both.
  const deployedResource = async (stack: string, logicalId: string) => {
    const body = (await emulator.cloudformation.send(new GetTemplateCommand({ StackName: stack }))).TemplateBody ?? '{}';
    return (JSON.parse(body) as { Resources: Record<string, { Properties: Record<string, unknown> }> }).Resources[logicalId]!.Properties;
  };

  test('the storage bucket, as deployed, logs its requests into the log bucket', async (t) => {
    const storage = await deployedResource('wimpy-base', 'StorageBucket');
    assert.deepEqual(storage.LoggingConfiguration, { DestinationBucketName: { Ref: 'LogBucket' }, LogFilePrefix: 's3-access/storage/' });
    t.diagnostic(`StorageBucket LoggingConfiguration ${JSON.stringify(storage.LoggingConfiguration)}`);
  });

  test("the application's load balancer, as deployed, writes access logs into the log bucket", async (t) => {
    const balancer = await deployedResource(`${APPLICATION}-staging-load-balancer`, 'LoadBalancer');
    const attributes = Object.fromEntries((balancer.LoadBalancerAttributes as { Key: string; Value: unknown }[]).map((attribute) => [attribute.Key, attribute.Value]));
    assert.deepEqual([attributes['access_logs.s3.enabled'], attributes['access_logs.s3.bucket'], attributes['access_logs.s3.prefix']], ['true', { 'Fn::ImportValue': 'wimpy-base-LogBucketName' }, 'load-balancers']);
    const bucket = outputsOf(await describeStack(emulator, 'wimpy-base')).LogBucketName!;
    t.diagnostic(`LoadBalancer access_logs.s3.bucket = import of wimpy-base-LogBucketName (${bucket})`);
  });
});
