import { environmentStack, schedulesStack } from '../config/names.js';
import { ENVIRONMENT_OUTPUTS, importOf } from '../templates/outputs.js';
import { SCHEDULE_CONTAINER, SERVING_TASK_DEFINITION, schedulesTemplate } from '../templates/schedules.js';
import type { StackKind } from './kind.js';
import { stackTags } from './stack-tags.js';

/**
 * `<app>-<environment>-schedules`: the application's recurring jobs on EventBridge Scheduler
 * (templates/schedules.ts), each a one-off Fargate task of the serving release's task
 * definition, a parameter that moves with the traffic (engine/schedules.ts). Only with
 * `schedules`; a deploy without them removes the stack, and so does destroy.
 *
 * A preview has none (config/sections/schedules.ts says why), so it never shares staging's.
 */
export interface SchedulesFacts {
  /** The task definition of the release that serves: the one the schedules run. */
  readonly taskDefinitionArn: string;
}

const PLANNED_TASK_DEFINITION = 'arn:aws:ecs:us-east-1:000000000000:task-definition/planned:1';

export const applicationSchedules: StackKind<SchedulesFacts> = {
  id: 'application-schedules',
  phase: 'deploy',
  // Its template imports the network's subnets and the resources' security group and role. It
  // imports nothing from a release, but names the serving release's task definition: it comes
  // after the release (applied once traffic moved) and goes before it.
  dependsOn: ['environment-network', 'application-resources', 'application-release'],
  previews: 'own',
  removal: { by: 'destroy', owner: (config) => stackTags(config.application, config.environment) },
  applies: (config) => config.schedules.length > 0,
  name: (config) => schedulesStack(config.application, config.environment),
  purpose: (config) => `${config.schedules.length} schedule${config.schedules.length === 1 ? '' : 's'} on EventBridge Scheduler, each a one-off Fargate task of the serving release: ${config.schedules.map((one) => `${one.expression} ${one.command}`).join('; ')}`,
  sharedBy: () => undefined,
  planned: () => ({ facts: { taskDefinitionArn: PLANNED_TASK_DEFINITION }, resolvedAtDeploy: ["the serving release's task definition"] }),
  spec: (config, facts) => ({
    name: schedulesStack(config.application, config.environment),
    template: schedulesTemplate({
      application: config.application,
      environment: config.environment,
      networkEnvironment: config.networkEnvironment,
      schedules: config.schedules,
      container: SCHEDULE_CONTAINER,
      alarmTopic: importOf(environmentStack(config.networkEnvironment), ENVIRONMENT_OUTPUTS.notificationTopicArn),
    }),
    parameters: { [SERVING_TASK_DEFINITION]: facts.taskDefinitionArn },
    tags: stackTags(config.application, config.environment),
    terminationProtection: false,
  }),
  // Found by its name, whatever the run's own schedules say (they may have been dropped since);
  // a preview never has one, so its teardown asks nothing about it.
  stacksToRemove: (config) => (config.preview !== undefined ? [] : [schedulesStack(config.application, config.environment)]),
};
