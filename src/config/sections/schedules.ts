import { parseSchedules, type ScheduleConfig } from '../schedules.js';
import type { Reader } from './reader.js';

/**
 * The schedules section: the application's recurring jobs, one `EXPRESSION COMMAND` a line,
 * checked line by line as EventBridge Scheduler checks them (config/schedules.ts), every wrong
 * line named with its number, before anything reaches AWS.
 *
 * A pull request's preview runs none of them, though its lines are still checked: a nightly
 * job that sends e-mails or charges cards must not run once per open pull request, and a
 * preview rarely lives through the hour a cron names. Staging and production run them.
 */
export function readSchedules(r: Reader, preview: number | undefined): readonly ScheduleConfig[] {
  const { schedules, wrong } = parseSchedules(r.lines('schedules'));
  for (const one of wrong) r.fail('schedules', one.text ?? `${schedules.length} lines`, one.line === undefined ? one.problem : `(line ${one.line}) ${one.problem}`);
  if (wrong.length > 0 || preview !== undefined) return [];
  return schedules;
}
