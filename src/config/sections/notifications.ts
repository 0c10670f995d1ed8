import type { NotifyConfig } from '../types.js';
import type { Reader } from './reader.js';

/** The notifications section: who hears of each deploy, rollback and promote, besides the environment's topic. */

// Deliberately plain: what SNS accepts as an e-mail endpoint, without quotes or spaces.
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
const TOPIC_ARN = /^arn:aws(?:-[a-z]+)*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

export function readNotifications(r: Reader): NotifyConfig {
  const notifyItems = r.items('notify');
  const notify = { emails: [] as string[], topics: [] as string[] };
  for (const item of notifyItems) {
    if (EMAIL.test(item) && item.length <= 254) notify.emails.push(item);
    else if (TOPIC_ARN.test(item)) notify.topics.push(item);
    else r.fail('notify', item, 'is not allowed: use an e-mail address such as oncall@example.com or an SNS topic ARN such as arn:aws:sns:eu-west-1:123456789012:alerts (standard topics; FIFO topics take no notifications)');
  }
  if (new Set(notifyItems).size !== notifyItems.length) r.fail('notify', r.lines('notify'), 'names the same address or topic twice');
  return notify;
}
