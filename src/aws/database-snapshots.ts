import { paginateDescribeDBSnapshots, type RDSClient } from '@aws-sdk/client-rds';
import type { DatabaseSnapshots } from '../engine/ports.js';

/** The snapshots RDS keeps of an instance, newest first by creation time. */
export function createDatabaseSnapshots(client: RDSClient): DatabaseSnapshots {
  return {
    async newest(instanceId) {
      let newest: { id: string; at: number } | undefined;
      for await (const page of paginateDescribeDBSnapshots({ client }, { DBInstanceIdentifier: instanceId, SnapshotType: 'manual' })) {
        for (const snapshot of page.DBSnapshots ?? []) {
          const at = snapshot.SnapshotCreateTime?.getTime() ?? 0;
          if (snapshot.DBSnapshotIdentifier && (!newest || at > newest.at)) newest = { id: snapshot.DBSnapshotIdentifier, at };
        }
      }
      return newest?.id;
    },
  };
}
