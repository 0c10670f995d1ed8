import { paginateFilterLogEvents, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { LogEvent, Logs } from '../engine/ports.js';

/** Reads a log group through FilterLogEvents, every page, oldest first. */
export function createLogs(client: CloudWatchLogsClient): Logs {
  return {
    async read(query, signal) {
      const events: LogEvent[] = [];
      const pages = paginateFilterLogEvents({ client }, {
        logGroupName: query.group,
        logStreamNamePrefix: query.streamPrefix,
        startTime: query.start,
        ...(query.filter ? { filterPattern: query.filter } : {}),
      });
      for await (const page of pages) {
        for (const event of page.events ?? []) {
          events.push({ id: event.eventId ?? `${event.logStreamName}:${event.timestamp}`, timestamp: event.timestamp ?? 0, stream: event.logStreamName ?? '', message: event.message ?? '' });
        }
        // A follow that is interrupted stops between pages.
        if (signal?.aborted) break;
      }
      // Pages interleave streams: one order, by time, for lines read side by side.
      return events.sort((a, b) => a.timestamp - b.timestamp || a.id.localeCompare(b.id));
    },
  };
}
