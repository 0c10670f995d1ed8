import { environmentStack } from '../config/names.js';
import type { Config } from '../config/types.js';
import { ENVIRONMENT_OUTPUTS } from '../templates/outputs.js';
import type { EngineDeps } from './context.js';
import type { Notification } from './ports.js';

/** The commands that put a release in front of people, and so tell the environment's subscribers. */
const ANNOUNCED = new Set(['deploy', 'rollback', 'promote']);

/**
 * One message per deploy, rollback and promote to the environment's topic and to the user's own
 * topics (notify), as report/notification.ts writes it from the run's report. A message that
 * cannot be sent is a warning, never the run's failure: the release is what it is whether or not
 * anyone heard of it.
 */
export async function announce(config: Config, deps: Pick<EngineDeps, 'stacks' | 'notifications' | 'log'>, notification: Notification): Promise<void> {
  if (!ANNOUNCED.has(config.command)) return;
  if (config.command === 'deploy' && !config.steps.includes('deploy')) return;
  let topics: string[] = [...config.notify.topics];
  try {
    const network = await deps.stacks.describe(environmentStack(config.networkEnvironment));
    const own = network?.outputs[ENVIRONMENT_OUTPUTS.notificationTopicArn];
    if (own) topics = [own, ...topics];
  } catch (error) {
    deps.log.warning(`The environment's notification topic could not be read: ${(error as Error).message}`);
  }
  const sent = await Promise.allSettled(topics.map((topic) => deps.notifications.publish(topic, notification)));
  sent.forEach((result, index) => {
    if (result.status === 'rejected') deps.log.warning(`No notification reached ${topics[index]}: ${(result.reason as Error).message}`);
  });
}
