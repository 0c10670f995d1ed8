import { DeleteLogGroupCommand, DescribeLogGroupsCommand, ResourceNotFoundException, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { LogGroups } from '../engine/ports.js';

export function createLogGroups(logs: CloudWatchLogsClient): LogGroups {
  return {
    async exists(name, signal) {
      // A prefix lookup: the exact name is among the first page, which is sorted by name.
      const page = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name, limit: 1 }), { abortSignal: signal });
      return (page.logGroups ?? []).some((group) => group.logGroupName === name);
    },

    async remove(name, signal) {
      try {
        await logs.send(new DeleteLogGroupCommand({ logGroupName: name }), { abortSignal: signal });
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
    },
  };
}
