import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applicationInput, applicationTemplate } from '../../src/platforms/ec2/release-template.js';
import { releaseAlarmNames } from '../../src/templates/release-alarms.js';
import { planRun } from '../../src/engine/plan.js';
import { summaryMarkdown } from '../../src/report/summary.js';
import { configOf } from '../support/config.js';
import { blueGreen, FakeAws, STAGING_HOST, stagingRelease, V1, V2 } from '../support/fake-aws.js';

/** Every blue-green release brings its own alarms, on its target group behind the application's load balancer, and its canary steps watch them. */

type Plain = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const A = stagingRelease(V1);
const B = stagingRelease(V2);
const templateOf = (inputs: Record<string, string>): Plain => applicationTemplate(applicationInput(configOf(inputs))) as Plain;
const RELEASE_DIMENSIONS = [
  { Name: 'LoadBalancer', Value: { 'Fn::ImportValue': 'awesome-application-production-load-balancer-LoadBalancerFullName' } },
  { Name: 'TargetGroup', Value: { 'Fn::GetAtt': ['ReleaseTargetGroup', 'TargetGroupFullName'] } },
];

describe("a release's own alarms, in its template", () => {
  const resources = templateOf({ strategy: 'blue-green', environment: 'production' }).Resources as Plain;

  test('the 5xx rate: 5xx answers of its targets as a percentage of its requests, over 5 % two minutes in a row, on its load balancer and target group', () => {
    const alarm = resources.ErrorRateAlarm;
    assert.equal(alarm.Type, 'AWS::CloudWatch::Alarm');
    assert.deepEqual(alarm.Properties.AlarmName, { 'Fn::Sub': '${AWS::StackName}-5xx-rate' });
    const [rate, errors, requests] = alarm.Properties.Metrics as Plain[];
    assert.deepEqual([rate!.Expression, rate!.ReturnData], ['100 * FILL(errors, 0) / requests', true]);
    for (const [query, name] of [[errors!, 'HTTPCode_Target_5XX_Count'], [requests!, 'RequestCount']] as const) {
      assert.deepEqual(query.MetricStat, { Metric: { Namespace: 'AWS/ApplicationELB', MetricName: name, Dimensions: RELEASE_DIMENSIONS }, Period: 60, Stat: 'Sum' });
      assert.equal(query.ReturnData, false);
    }
    assert.deepEqual(
      [alarm.Properties.Threshold, alarm.Properties.ComparisonOperator, alarm.Properties.EvaluationPeriods, alarm.Properties.DatapointsToAlarm, alarm.Properties.TreatMissingData],
      [5, 'GreaterThanThreshold', 2, 2, 'notBreaching'],
    );
  });

  test('unhealthy targets: any target the load balancer finds unhealthy, two minutes in a row', () => {
    const alarm = resources.UnhealthyTargetsAlarm;
    assert.equal(alarm.Type, 'AWS::CloudWatch::Alarm');
    assert.deepEqual(alarm.Properties.AlarmName, { 'Fn::Sub': '${AWS::StackName}-unhealthy-targets' });
    const { Namespace, MetricName, Dimensions, Statistic, Period, Threshold, ComparisonOperator, EvaluationPeriods, DatapointsToAlarm, TreatMissingData } = alarm.Properties;
    assert.deepEqual(
      { Namespace, MetricName, Dimensions, Statistic, Period, Threshold, ComparisonOperator, EvaluationPeriods, DatapointsToAlarm, TreatMissingData },
      { Namespace: 'AWS/ApplicationELB', MetricName: 'UnHealthyHostCount', Dimensions: RELEASE_DIMENSIONS, Statistic: 'Maximum', Period: 60, Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 2, DatapointsToAlarm: 2, TreatMissingData: 'notBreaching' },
    );
  });

  test('a rolling stack has none: it has no canary to watch', () => {
    const types = Object.values(templateOf({ environment: 'production' }).Resources as Plain).map((resource: Plain) => resource.Type);
    assert.ok(!types.includes('AWS::CloudWatch::Alarm'));
  });

  test('the engine names them as the template does, from the stack name', () => {
    assert.deepEqual(releaseAlarmNames('shop-production-abc1234'), { errors: 'shop-production-abc1234-5xx-rate', unhealthy: 'shop-production-abc1234-unhealthy-targets' });
  });
});

describe('canary steps watch the release’s own alarms', () => {
  const own = releaseAlarmNames(B);

  test('its 5xx rate in ALARM at 10 % sends all traffic back, though alarm-names names nothing', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1));
    aws.listeners.onChange((change) => {
      if (aws.namedWeights(change.targets)[B] === 10) aws.alarms.set(own.errors, 'ALARM', 'Threshold Crossed: 2 datapoints [31.0, 12.5] were greater than the threshold (5.0).');
    });

    const { report } = await aws.run(blueGreen(V2));

    assert.equal(report.status, 'failure');
    assert.equal(report.message, `Alarm ${own.errors} is in ALARM: Threshold Crossed: 2 datapoints [31.0, 12.5] were greater than the threshold (5.0).`);
    assert.deepEqual(aws.weightsOf(STAGING_HOST), { [A]: 100, [B]: 0 });
  });

  test('they are read beside alarm-names at every look, and named in the summary', async () => {
    const aws = new FakeAws();
    aws.alarms.set('shop-latency');
    await aws.run(blueGreen(V1, { 'alarm-names': 'shop-latency' }));
    const { report } = await aws.run(blueGreen(V2, { 'alarm-names': 'shop-latency' }));

    assert.equal(report.status, 'success');
    assert.ok(aws.journal.includes(`alarms.firing ${own.errors},${own.unhealthy},shop-latency`));
    assert.deepEqual(report.alarms, [own.errors, own.unhealthy, 'shop-latency']);
    assert.ok(summaryMarkdown(report).includes(`| **Alarms** | <code>${own.errors}</code>, <code>${own.unhealthy}</code>, <code>shop-latency</code> |`), summaryMarkdown(report));
  });

  test('promote watches the canary’s own alarms and names them', async () => {
    const aws = new FakeAws();
    await aws.run(blueGreen(V1));
    await aws.run(blueGreen(V2, { 'canary-steps': '10' }));
    const { report } = await aws.run(configOf({ strategy: 'blue-green', command: 'promote' }));

    assert.equal(report.status, 'success');
    assert.deepEqual(report.alarms, [own.errors, own.unhealthy]);
  });

  test('the plan says which alarms each canary step is watched by', () => {
    const plan = planRun(blueGreen(V2, { 'alarm-names': 'shop-latency' }));
    assert.ok(plan.traffic.some((step) => step.includes(`alarms ${own.errors}, ${own.unhealthy}, shop-latency`)), plan.traffic.join('\n'));
  });
});
