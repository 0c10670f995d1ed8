import { BASE_STACK, databaseStack, environmentStack, releaseCluster, resourcesStack, TAG_VERSION } from '../config/names.js';
import type { Config, Variable } from '../config/types.js';
import { registryOf } from '../config/image-reference.js';
import { DATABASE_OUTPUTS, URL_SCHEMES } from '../templates/database.js';
import { BASE_OUTPUTS, ENVIRONMENT_OUTPUTS, RESOURCES_OUTPUTS } from '../templates/outputs.js';
import { CancelledError, pause, type EngineDeps, type RunClock } from './context.js';
import type { ReleaseTaskSpec, StackSummary, TaskSecret } from './ports.js';
import { stackTags } from '../stacks/stack-tags.js';

/**
 * The release command: run once per release, before any traffic moves to it, as a one-off ECS
 * task on Fargate with the release's image, variables, secrets and database, in the
 * application's subnets and security group, with the instances' role. Its output is streamed
 * into the run's log as it comes and stays in the application's log group; a non-zero exit or
 * the timeout stops the deploy with the command's last lines as the reason.
 */

/** How often the task and its log are read while it runs. */
export const POLL_MS = 5_000;
/** The lines of the command's output a failure quotes. */
export const LAST_LINES = 20;

export class ReleaseCommandFailure extends Error {
  constructor(
    /** What happened, in one sentence: the message without the quoted lines, for the summary. */
    readonly sentence: string,
    /** The command's last lines of output, oldest first. */
    readonly lastLines: readonly string[],
    readonly logStream: string,
  ) {
    // The log and the annotation quote the lines after the sentence.
    super(lastLines.length > 0 ? `${sentence} Its last lines:\n${lastLines.join('\n')}` : sentence);
    this.name = 'ReleaseCommandFailure';
  }
}

export interface ReleaseCommandResult {
  readonly taskArn: string;
  readonly logStream: string;
  readonly durationMs: number;
}

/** Where the release command runs, in words for the plan and the log. */
export function releaseCommandPlace(config: Config): string {
  return `a one-off ECS task on Fargate (cluster ${releaseCluster(config.application, config.environment)}) in ${config.networkEnvironment}'s application subnets, with the instances' security group and role, before any traffic moves`;
}

function output(stack: StackSummary | undefined, name: string, key: string): string {
  const value = stack?.outputs[key];
  if (!value) throw new Error(`The release command needs ${key} from the stack ${name}, which ${stack ? 'has no such output' : 'does not exist'}: run the environment step first.`);
  return value;
}

/** The container's program: the command through /bin/sh, with DATABASE_URL built from its parts when there is a database. */
export function containerCommand(config: Config): string[] {
  const command = config.releaseCommand!.command;
  if (!config.database) return ['/bin/sh', '-c', command];
  return [...shellTakingCommand(config, 'release-command'), command];
}

/**
 * A shell that runs the argument after it as a command (`$1`), with DATABASE_URL built from its
 * parts first when there is a database. The user's command is that argument, never pasted into
 * the script: what the input says reaches /bin/sh -c as one word, as it was written. The
 * password is letters and digits (see database.ts), so the URL needs no escaping. `name` is $0,
 * which the shell's own messages show.
 */
export function shellTakingCommand(config: Config, name: string): string[] {
  if (!config.database) return ['/bin/sh', '-c', 'exec /bin/sh -c "$1"', name];
  const url = `${URL_SCHEMES[config.database.engine]}://$DATABASE_USER:$DATABASE_PASSWORD@$DATABASE_HOST:$DATABASE_PORT/$DATABASE_NAME`;
  return ['/bin/sh', '-c', `export DATABASE_URL="${url}"; exec /bin/sh -c "$1"`, name];
}

/**
 * The task as the stacks of the environment describe it: everything the instances get. The
 * release command's by default; the schedules' task gives its own program and container.
 */
export async function releaseTaskSpec(config: Config, image: string, deps: Pick<EngineDeps, 'stacks'>, program: { command: readonly string[]; container?: string } = { command: containerCommand(config) }): Promise<ReleaseTaskSpec> {
  const names = {
    base: BASE_STACK,
    network: environmentStack(config.networkEnvironment),
    resources: resourcesStack(config.application, config.environment),
    ...(config.database ? { database: databaseStack(config.application, config.database.environment) } : {}),
  };
  const [base, network, resources, database] = await Promise.all([names.base, names.network, names.resources, names.database].map((name) => (name ? deps.stacks.describe(name) : Promise.resolve(undefined))));
  // The master key's ARN says the partition, region and account that every other ARN shares.
  const [, partition, , region, account] = output(base, names.base, BASE_OUTPUTS.kmsKeyArn).split(':');
  const environment: Variable[] = [
    { name: 'ENVIRONMENT', value: config.environment },
    { name: 'PORT', value: String(config.port) },
    { name: 'DOCKER_REGISTRY', value: registryOf(image) },
    { name: 'KMS_MASTER_KEY', value: output(base, names.base, BASE_OUTPUTS.kmsKeyArn) },
    { name: 'S3_BUCKET', value: output(base, names.base, BASE_OUTPUTS.storageBucketName) },
    ...config.variables,
  ];
  const secrets: TaskSecret[] = config.secrets.map((secret) => ({ name: secret.name, valueFrom: `arn:${partition}:ssm:${region}:${account}:parameter${secret.parameter}` }));
  if (config.database && names.database) {
    environment.push(
      { name: 'DATABASE_HOST', value: output(database, names.database, DATABASE_OUTPUTS.host) },
      { name: 'DATABASE_PORT', value: output(database, names.database, DATABASE_OUTPUTS.port) },
      { name: 'DATABASE_NAME', value: output(database, names.database, DATABASE_OUTPUTS.name) },
      { name: 'DATABASE_USER', value: output(database, names.database, DATABASE_OUTPUTS.user) },
    );
    const secretArn = `arn:${partition}:secretsmanager:${region}:${account}:secret:${output(database, names.database, DATABASE_OUTPUTS.secretName)}`;
    secrets.push({ name: 'DATABASE_PASSWORD', valueFrom: `${secretArn}:password::` });
  }
  return {
    cluster: releaseCluster(config.application, config.environment),
    family: releaseCluster(config.application, config.environment),
    image,
    command: program.command,
    ...(program.container ? { container: program.container } : {}),
    environment,
    secrets,
    roleArn: output(resources, names.resources, RESOURCES_OUTPUTS.instanceRoleArn),
    subnets: output(network, names.network, ENVIRONMENT_OUTPUTS.applicationSubnetIds).split(','),
    securityGroups: [output(resources, names.resources, RESOURCES_OUTPUTS.instanceSecurityGroupId)],
    logGroup: output(resources, names.resources, RESOURCES_OUTPUTS.logGroupName),
    logStreamPrefix: `${config.environment}/${config.version}`,
    tags: { ...stackTags(config.application, config.environment), [TAG_VERSION]: config.version },
  };
}

/**
 * Runs the release command and waits for its end, streaming its output. Resolves when it exits
 * 0; otherwise (non-zero exit, a task ECS could not start, the timeout, a cancelled run) stops
 * the task if it still runs and rejects, nothing having moved.
 */
export async function runReleaseCommand(config: Config, image: string, deps: EngineDeps, run: RunClock): Promise<ReleaseCommandResult> {
  const release = config.releaseCommand!;
  const spec = await releaseTaskSpec(config, image, deps);
  const started = deps.clock.now();
  const timeoutAt = started + release.timeoutMinutes * 60_000;
  const task = await deps.releaseTasks.start(spec);
  deps.log.info(`Release command started: ${release.command} (task ${task.taskArn.split('/').at(-1)}, log stream ${task.logStream} of ${spec.logGroup})`);
  const seen = new Set<string>();
  const lines: string[] = [];
  const follow = async () => {
    const events = await deps.logs.read({ group: spec.logGroup, streamPrefix: task.logStream, start: started - 60_000 }, run.signal);
    for (const event of events) {
      if (seen.has(event.id)) continue;
      seen.add(event.id);
      lines.push(event.message);
      deps.log.info(`release | ${event.message}`);
    }
  };
  // Its last line comes first: a deployment status shows only the start of the message.
  const fail = (why: string) => {
    const last = lines.slice(-LAST_LINES);
    const lastLine = last.at(-1);
    return new ReleaseCommandFailure(`The release command ${why}${lastLine ? `: ${lastLine}` : ''}. No traffic moved and the application stack was not changed.${last.length > 0 ? '' : ' It wrote no output.'}`, last, task.logStream);
  };
  for (;;) {
    const state = await deps.releaseTasks.state(spec.cluster, task.taskArn);
    await follow().catch((error: unknown) => deps.log.warning(`The release command's output could not be read yet: ${(error as Error).message}`));
    if (state.status === 'STOPPED') {
      // The last lines may reach CloudWatch Logs a moment after the task stops.
      await pause(deps.clock, POLL_MS, run.signal).then(follow).catch(() => undefined);
      if (state.exitCode === 0) {
        deps.log.info(`Release command finished: exit code 0 after ${Math.round((deps.clock.now() - started) / 1000)} s`);
        return { taskArn: task.taskArn, logStream: task.logStream, durationMs: deps.clock.now() - started };
      }
      throw fail(state.exitCode === undefined ? `did not run (${state.reason ?? 'ECS gave no reason'})` : `exited with code ${state.exitCode}${state.reason ? ` (${state.reason})` : ''}`);
    }
    const now = deps.clock.now();
    if (run.signal?.aborted || now >= timeoutAt || now >= run.deadline) {
      const why = run.signal?.aborted ? 'was stopped: the run was cancelled' : now >= timeoutAt ? `did not finish within release-timeout-minutes (${release.timeoutMinutes}) and was stopped` : 'was stopped at the run\'s deadline (timeout-minutes)';
      await deps.releaseTasks.stop(spec.cluster, task.taskArn, why).catch((error: unknown) => deps.log.warning(`The release command's task could not be stopped: ${(error as Error).message}`));
      if (run.signal?.aborted) throw new CancelledError(`The release command ${why}.`);
      throw fail(why);
    }
    await pause(deps.clock, Math.min(POLL_MS, Math.max(0, Math.min(timeoutAt, run.deadline) - now)), run.signal).catch(() => undefined);
  }
}
