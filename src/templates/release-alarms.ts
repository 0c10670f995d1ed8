/**
 * The alarms the product creates for each release, on its own load balancer and target group,
 * which canary steps watch beside `alarm-names`: the share of the release's requests its targets
 * answer with 5xx, and targets the load balancer finds unhealthy. Keyed on the load balancer and
 * the target group only, so that the same alarms serve a target group on a shared load balancer.
 */

/** More than this percentage of a release's requests answered 5xx fires its alarm. */
export const MAX_5XX_PERCENT = 5;
/** Minutes in a row a condition must hold: one bad minute during a deploy is no reason to revert. */
const MINUTES = 2;

/**
 * The names of a release's alarms, from its stack name. The template passes `${AWS::StackName}`
 * inside an Fn::Sub; the engine passes the stack's real name, and gets the same names.
 */
export function releaseAlarmNames(stackName: string): { readonly errors: string; readonly unhealthy: string } {
  return { errors: `${stackName}-5xx-rate`, unhealthy: `${stackName}-unhealthy-targets` };
}

/** The load balancer and target group an alarm watches, as CloudFormation values (their full names). */
export interface AlarmedTarget {
  readonly loadBalancerFullName: unknown;
  readonly targetGroupFullName: unknown;
}

const NAMESPACE = 'AWS/ApplicationELB';

function dimensions(target: AlarmedTarget) {
  return [{ Name: 'LoadBalancer', Value: target.loadBalancerFullName }, { Name: 'TargetGroup', Value: target.targetGroupFullName }];
}

/** One metric of the release's target group, summed over each minute. */
function perMinute(id: string, name: string, target: AlarmedTarget) {
  return { Id: id, MetricStat: { Metric: { Namespace: NAMESPACE, MetricName: name, Dimensions: dimensions(target) }, Period: 60, Stat: 'Sum' }, ReturnData: false };
}

const watched = {
  EvaluationPeriods: MINUTES,
  DatapointsToAlarm: MINUTES,
  ComparisonOperator: 'GreaterThanThreshold',
  // No requests, no data: a release nobody calls yet is not failing.
  TreatMissingData: 'notBreaching',
};

/** The release's alarm resources, for its template. */
export function releaseAlarms(target: AlarmedTarget): Record<string, unknown> {
  const names = releaseAlarmNames('${AWS::StackName}');
  return {
    ErrorRateAlarm: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: { 'Fn::Sub': names.errors },
        AlarmDescription: `More than ${MAX_5XX_PERCENT} % of the release's requests answered 5xx by its instances, ${MINUTES} minutes in a row. Canary steps watch it: in ALARM, all traffic goes back to the release that served before.`,
        Metrics: [
          { Id: 'rate', Label: '5xx responses, % of requests', Expression: '100 * FILL(errors, 0) / requests', ReturnData: true },
          perMinute('errors', 'HTTPCode_Target_5XX_Count', target),
          perMinute('requests', 'RequestCount', target),
        ],
        Threshold: MAX_5XX_PERCENT,
        ...watched,
      },
    },
    UnhealthyTargetsAlarm: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: { 'Fn::Sub': names.unhealthy },
        AlarmDescription: `The load balancer finds an instance of the release unhealthy, ${MINUTES} minutes in a row. Canary steps watch it: in ALARM, all traffic goes back to the release that served before.`,
        Namespace: NAMESPACE,
        MetricName: 'UnHealthyHostCount',
        Dimensions: dimensions(target),
        Statistic: 'Maximum',
        Period: 60,
        Threshold: 0,
        ...watched,
      },
    },
  };
}
