import { paginateDescribeAlarms, type CloudWatchClient, type StateValue } from '@aws-sdk/client-cloudwatch';
import type { AlarmState, Alarms } from '../engine/ports.js';

/** DescribeAlarms takes at most 100 alarm names per call. */
const BATCH = 100;

export interface CloudWatchAlarms extends Alarms {
  /**
   * The given names that match no alarm. A name that matches nothing would never fire, so a
   * canary watched by it would look healthy whatever happens: the caller checks the names once,
   * before the first change, and stops with a configuration error. `firing` does not check,
   * since it runs at every step and a missing alarm cannot go into ALARM anyway.
   */
  missing(names: readonly string[], signal?: AbortSignal): Promise<string[]>;
}

export function createAlarms(cloudwatch: CloudWatchClient): CloudWatchAlarms {
  /** Metric and composite alarms of the given names, optionally only those in one state. */
  async function describe(names: readonly string[], state?: StateValue, signal?: AbortSignal): Promise<AlarmState[]> {
    const unique = [...new Set(names)];
    const found: AlarmState[] = [];
    for (let i = 0; i < unique.length; i += BATCH) {
      // The paginator hands its last argument to every request it sends: the run's signal aborts the one under way.
      const pages = paginateDescribeAlarms({ client: cloudwatch }, {
        AlarmNames: unique.slice(i, i + BATCH),
        // Without AlarmTypes, DescribeAlarms returns metric alarms only.
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        ...(state ? { StateValue: state } : {}),
        MaxRecords: BATCH,
      }, { ...(signal ? { abortSignal: signal } : {}) });
      for await (const page of pages) {
        for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
          found.push({ name: alarm.AlarmName ?? '', state: alarm.StateValue ?? '', reason: alarm.StateReason ?? '' });
        }
      }
    }
    return found;
  }

  return {
    firing: (names, signal) => describe(names, 'ALARM', signal),

    async missing(names, signal) {
      const existing = new Set((await describe(names, undefined, signal)).map((alarm) => alarm.name));
      return [...new Set(names)].filter((name) => !existing.has(name));
    },
  };
}
