import { paginateDescribeAutoScalingGroups, UpdateAutoScalingGroupCommand, type AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { GroupSizes, ProcessGroups } from '../engine/ports.js';

/** DescribeAutoScalingGroups takes at most this many names a request. */
const NAMES_PER_REQUEST = 50;

/** The processes' Auto Scaling groups: their sizes read by name, and set with Auto Scaling's one update call. */
export function createProcessGroups(client: AutoScalingClient): ProcessGroups {
  return {
    async sizes(groups, signal) {
      const found = new Map<string, GroupSizes>();
      const names = [...new Set(groups)];
      for (let i = 0; i < names.length; i += NAMES_PER_REQUEST) {
        // The sizes are all that is wanted: the instances stay out of the answer.
        const pages = paginateDescribeAutoScalingGroups({ client }, { AutoScalingGroupNames: names.slice(i, i + NAMES_PER_REQUEST), IncludeInstances: false }, { ...(signal ? { abortSignal: signal } : {}) });
        for await (const page of pages) {
          for (const group of page.AutoScalingGroups ?? []) {
            if (group.AutoScalingGroupName) found.set(group.AutoScalingGroupName, { minSize: group.MinSize ?? 0, desiredSize: group.DesiredCapacity ?? 0, maxSize: group.MaxSize ?? 0 });
          }
        }
      }
      return found;
    },
    async resize(group, sizes, signal) {
      await client.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: group, MinSize: sizes.minSize, DesiredCapacity: sizes.desiredSize, MaxSize: sizes.maxSize }), { ...(signal ? { abortSignal: signal } : {}) });
    },
  };
}
