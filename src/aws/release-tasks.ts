import { DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { RELEASE_COMMAND_CONTAINER } from '../config/names.js';
import type { ReleaseTasks, ReleaseTaskSpec } from '../engine/ports.js';

/** The container's name in the task definition, and so in its log stream's name. */
const RELEASE_CONTAINER = RELEASE_COMMAND_CONTAINER;
/** Fargate's size for a release command: enough for a framework's migrations. */
const CPU = '512';
const MEMORY = '1024';

/**
 * Release commands as one-off ECS tasks on Fargate: a task definition revision per release (free),
 * a task per run (paid by the second while it runs), nothing between runs.
 */
export function createReleaseTasks(client: ECSClient, region: () => Promise<string>): ReleaseTasks {
  const tagsOf = (spec: ReleaseTaskSpec) => Object.entries(spec.tags).map(([key, value]) => ({ key, value }));
  /** A revision of the family for the spec: its image, environment and logs; the ARN that runs it. */
  const register = async (spec: ReleaseTaskSpec): Promise<string> => {
    const definition = await client.send(new RegisterTaskDefinitionCommand({
      family: spec.family,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: CPU,
      memory: MEMORY,
      taskRoleArn: spec.roleArn,
      executionRoleArn: spec.roleArn,
      containerDefinitions: [{
        name: spec.container ?? RELEASE_CONTAINER,
        image: spec.image,
        essential: true,
        memory: Number(MEMORY),
        entryPoint: [...spec.command],
        environment: spec.environment.map(({ name, value }) => ({ name, value })),
        secrets: spec.secrets.map(({ name, valueFrom }) => ({ name, valueFrom })),
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': spec.logGroup, 'awslogs-region': await region(), 'awslogs-stream-prefix': spec.logStreamPrefix },
        },
      }],
      tags: tagsOf(spec),
    }));
    const arn = definition.taskDefinition?.taskDefinitionArn;
    if (!arn) throw new Error(`ECS registered no task definition of the family ${spec.family}.`);
    return arn;
  };
  return {
    register,

    async start(spec) {
      const tags = tagsOf(spec);
      const taskDefinition = await register(spec);
      const run = await client.send(new RunTaskCommand({
        cluster: spec.cluster,
        taskDefinition,
        launchType: 'FARGATE',
        count: 1,
        startedBy: 'wimpy-release-command',
        networkConfiguration: { awsvpcConfiguration: { subnets: [...spec.subnets], securityGroups: [...spec.securityGroups], assignPublicIp: 'DISABLED' } },
        tags,
        propagateTags: 'TASK_DEFINITION',
      }));
      const task = run.tasks?.[0];
      if (!task?.taskArn) {
        const failure = run.failures?.[0];
        throw new Error(`ECS did not start the release command: ${failure ? `${failure.reason ?? ''} ${failure.detail ?? ''}`.trim() : 'no task and no reason'}`);
      }
      return { taskArn: task.taskArn, logStream: `${spec.logStreamPrefix}/${RELEASE_CONTAINER}/${task.taskArn.split('/').at(-1)}` };
    },

    async state(cluster, taskArn) {
      const found = await client.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
      const task = found.tasks?.[0];
      if (!task) return { status: 'STOPPED', reason: `ECS no longer knows the task ${taskArn}` };
      const container = task.containers?.find((one) => one.name === RELEASE_CONTAINER);
      const reason = [task.stoppedReason, container?.reason].filter(Boolean).join('; ');
      return {
        status: task.lastStatus ?? 'PENDING',
        ...(container?.exitCode !== undefined ? { exitCode: container.exitCode } : {}),
        ...(reason ? { reason } : {}),
      };
    },

    async stop(cluster, taskArn, reason) {
      await client.send(new StopTaskCommand({ cluster, task: taskArn, reason: reason.slice(0, 255) }));
    },
  };
}
