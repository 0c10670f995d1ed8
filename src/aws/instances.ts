import { AutoScalingClient, paginateDescribeAutoScalingGroups, paginateDescribeScalingActivities } from '@aws-sdk/client-auto-scaling';
import { EC2Client, paginateDescribeInstances } from '@aws-sdk/client-ec2';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { TAG_APPLICATION, TAG_ENVIRONMENT, TAG_VERSION } from '../config/names.js';
import type { InstanceGroup, Instances, ScalingActivity } from '../engine/ports.js';

export interface InstanceClients {
  readonly autoScaling: AutoScalingClient;
  readonly ec2: EC2Client;
  readonly elbv2: ElasticLoadBalancingV2Client;
}

/**
 * The application's groups, found by the tags every group carries (not by stack outputs), with
 * their instances' target health from the load balancer and launch times from EC2.
 */
export function createInstances(clients: () => InstanceClients): Instances {
  return {
    async groups(application, environment, activitiesSince) {
      const { autoScaling, ec2, elbv2 } = clients();
      const groups = [];
      const pages = paginateDescribeAutoScalingGroups({ client: autoScaling }, {
        Filters: [{ Name: `tag:${TAG_APPLICATION}`, Values: [application] }, { Name: `tag:${TAG_ENVIRONMENT}`, Values: [environment] }],
      });
      for await (const page of pages) groups.push(...(page.AutoScalingGroups ?? []));

      const ids = groups.flatMap((group) => (group.Instances ?? []).map((instance) => instance.InstanceId!)).filter(Boolean);
      const launched = new Map<string, Date>();
      if (ids.length > 0) {
        for await (const page of paginateDescribeInstances({ client: ec2 }, { InstanceIds: ids })) {
          for (const instance of (page.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? [])) {
            if (instance.InstanceId && instance.LaunchTime) launched.set(instance.InstanceId, instance.LaunchTime);
          }
        }
      }
      const health = new Map<string, { state: string; reason?: string }>();
      const targetGroups = [...new Set(groups.flatMap((group) => group.TargetGroupARNs ?? []))];
      await Promise.all(targetGroups.map(async (arn) => {
        const answer = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
        for (const target of answer.TargetHealthDescriptions ?? []) {
          const id = target.Target?.Id;
          if (id) health.set(id, { state: target.TargetHealth?.State ?? 'unknown', ...(target.TargetHealth?.Description ? { reason: target.TargetHealth.Description } : {}) });
        }
      }));

      return Promise.all(groups.map(async (group): Promise<InstanceGroup> => {
        const tag = (key: string) => group.Tags?.find((candidate) => candidate.Key === key)?.Value ?? '';
        const activities: ScalingActivity[] = [];
        for await (const page of paginateDescribeScalingActivities({ client: autoScaling }, { AutoScalingGroupName: group.AutoScalingGroupName })) {
          const recent = (page.Activities ?? []).filter((activity) => (activity.StartTime?.getTime() ?? 0) >= activitiesSince);
          activities.push(...recent.map((activity) => ({ time: activity.StartTime!, status: activity.StatusCode ?? '', description: activity.Description ?? '' })));
          // Newest first: once a page reaches back before the window, the rest is older still.
          if (recent.length < (page.Activities ?? []).length) break;
        }
        return {
          name: group.AutoScalingGroupName ?? '',
          stackName: tag('Name'),
          version: tag(TAG_VERSION),
          desired: group.DesiredCapacity ?? 0,
          instances: (group.Instances ?? []).map((instance) => {
            const target = health.get(instance.InstanceId ?? '');
            const launchedAt = launched.get(instance.InstanceId ?? '');
            return {
              id: instance.InstanceId ?? '',
              lifecycle: instance.LifecycleState ?? '',
              ...(target ? { targetHealth: target.state, ...(target.reason ? { targetReason: target.reason } : {}) } : {}),
              ...(launchedAt ? { launchedAt } : {}),
            };
          }),
          activities,
        };
      }));
    },
  };
}
