import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeFlowLogsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancerAttributesCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetBucketLoggingCommand, S3Client } from '@aws-sdk/client-s3';
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
    assert.deepEqual(flowLogs.map((log) => [log.ResourceId, log.TrafficType, log.LogDestinationType, log.LogDestination]), [[vpc, 'ALL', 's3', `arn:aws:s3:::${bucket}/vpc-flow-logs/`]]);
    t.diagnostic(`flow log ${flowLogs[0]?.FlowLogId} of ${vpc} -> ${flowLogs[0]?.LogDestination}`);
  });

  test('the storage bucket logs its requests into the log bucket', async (t) => {
    const base = outputsOf(await describeStack(emulator, 'wimpy-base'));
    const logging = await new S3Client({ ...settings(), forcePathStyle: true }).send(new GetBucketLoggingCommand({ Bucket: base.StorageBucketName }));
    assert.deepEqual([logging.LoggingEnabled?.TargetBucket, logging.LoggingEnabled?.TargetPrefix], [base.LogBucketName, 's3-access/storage/']);
    t.diagnostic(`${base.StorageBucketName} -> ${logging.LoggingEnabled?.TargetBucket}/${logging.LoggingEnabled?.TargetPrefix}`);
  });

  test("the application's load balancer writes access logs into the log bucket", async (t) => {
    const balancer = outputsOf(await describeStack(emulator, `${APPLICATION}-staging`)).LoadBalancerArn!;
    const bucket = outputsOf(await describeStack(emulator, 'wimpy-base')).LogBucketName!;
    const attributes = (await new ElasticLoadBalancingV2Client(settings()).send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: balancer }))).Attributes ?? [];
    const value = (key: string) => attributes.find((attribute) => attribute.Key === key)?.Value;
    assert.deepEqual([value('access_logs.s3.enabled'), value('access_logs.s3.bucket'), value('access_logs.s3.prefix')], ['true', bucket, 'load-balancers']);
    t.diagnostic(`${balancer} -> s3://${bucket}/load-balancers/`);
  });
});
