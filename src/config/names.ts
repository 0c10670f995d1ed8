import { createHash } from 'node:crypto';

/**
 * Every name the product derives, in one place. Names are stable (a rerun finds the same
 * stack), DNS-safe, and one label under the zone so that one wildcard certificate covers them.
 */

export const BASE_STACK = 'wimpy-base';
export const TAG_APPLICATION = 'wimpy:application';
export const TAG_ENVIRONMENT = 'wimpy:environment';
export const TAG_VERSION = 'wimpy:version';
/** On the group of a process other than web (a worker): its name. */
export const TAG_PROCESS = 'wimpy:process';

/** Short, deterministic digest used where a name must be shortened or made unique. */
export function digest(text: string, length = 5): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

const SHA = /^[0-9a-f]{7,64}$/;
const LABEL_SAFE = /^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/;

/**
 * The release's label in names (`version7` in the design): the first seven characters of a
 * commit SHA; a tag that is already a short DNS label as it is; any other tag shortened and
 * suffixed with a digest so that two versions never share a label.
 */
export function versionLabel(version: string): string {
  if (SHA.test(version)) return version.slice(0, 7);
  if (LABEL_SAFE.test(version)) return version;
  const readable = version.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 6).replace(/-+$/, '');
  return `${readable || 'v'}-${digest(version)}`;
}

export function environmentStack(environment: string): string {
  return `wimpy-${environment}`;
}

export function resourcesStack(application: string, environment: string): string {
  return `${application}-${environment}-resources`;
}

/** The application's managed database in one environment (a preview's own included). */
export function databaseStack(application: string, environment: string): string {
  return `${application}-${environment}-database`;
}

/** An application's schedules in one environment (EventBridge Scheduler), beside its releases. */
export function schedulesStack(application: string, environment: string): string {
  return `${application}-${environment}-schedules`;
}

/** The ECS cluster that runs an application's release command in one environment: it costs nothing between runs. */
export function releaseCluster(application: string, environment: string): string {
  return `${application}-${environment}-release`;
}

/**
 * The application's one load balancer in an environment: its HTTPS listener and certificate;
 * every release and every preview (on staging's) is a target group behind it.
 */
export function loadBalancerStack(application: string, environment: string): string {
  return `${application}-${environment}-load-balancer`;
}

/** Rolling: one stack per environment. */
export function rollingStack(application: string, environment: string): string {
  return `${application}-${environment}`;
}

/** Blue-green: one stack per release. */
export function releaseStack(application: string, environment: string, version: string): string {
  return `${application}-${environment}-${versionLabel(version)}`;
}

export function applicationStack(application: string, environment: string, strategy: 'rolling' | 'blue-green', version: string): string {
  return strategy === 'rolling' ? rollingStack(application, environment) : releaseStack(application, environment, version);
}

/** The public hostname: `<app>.<zone>` for production, `<app>-<environment>.<zone>` otherwise. */
export function hostname(application: string, environment: string, zone: string): string {
  return environment === 'production' ? `${application}.${zone}` : `${application}-${environment}.${zone}`;
}

/** The hostname pinned to one release, answering before any public traffic reaches it. */
export function pinnedHostname(application: string, environment: string, version: string, zone: string): string {
  return `${application}-${environment}-${versionLabel(version)}.${zone}`;
}

export function previewEnvironment(pullRequest: number): string {
  return `pr-${pullRequest}`;
}

/** The one grammar of a preview's environment: pr-<pull request number>. */
const PREVIEW_ENVIRONMENT = /^pr-(\d{1,7})$/;

/** The pull request number of a preview's environment; undefined for any other environment. */
export function previewNumber(environment: string): number | undefined {
  const match = PREVIEW_ENVIRONMENT.exec(environment);
  return match ? Number(match[1]) : undefined;
}

/** The label every preview's secrets and storage live under: shared by the previews, by nothing else. */
export const PREVIEW_SCOPE = 'preview';

/**
 * Whose secrets and storage an environment's instances may use: its own, or for a preview
 * (pr-<n>) those of the application's previews, never staging's.
 */
export function accessScope(environment: string): string {
  return previewNumber(environment) !== undefined ? PREVIEW_SCOPE : environment;
}

/** The ECR repository of an application: one per application, shared by its environments. */
export function repositoryName(application: string): string {
  return application;
}

export function logGroupName(application: string, environment: string): string {
  return `/wimpy/${environment}/${application}`;
}

/** The SNS topic of an environment's notifications, shared by its applications. */
export function notificationTopicName(environment: string): string {
  return `wimpy-${environment}-notifications`;
}

/**
 * The log streams of an instance: `<environment>/<version>/<instance>/<source>`, the source
 * being a process (web) or `boot`, its first boot's output. Previews share staging's log group,
 * so the environment leads; the release and instance of every line are read back from its stream.
 */
export const BOOT_LOG_SOURCE = 'boot';

export interface LogStream {
  readonly environment: string;
  readonly version: string;
  readonly instance: string;
  readonly source: string;
}

export function logStreamName(stream: LogStream): string {
  return `${stream.environment}/${stream.version}/${stream.instance}/${stream.source}`;
}

/**
 * The containers of the one-off tasks on Fargate: the release command and a schedule's run. ECS
 * names their streams `<prefix>/<container>/<task id>` with the prefix `<environment>/<version>`,
 * so for them the container comes before the task, where an instance's source comes after it.
 */
export const RELEASE_COMMAND_CONTAINER = 'release';
export const SCHEDULE_CONTAINER = 'schedule';
const TASK_CONTAINERS: readonly string[] = [RELEASE_COMMAND_CONTAINER, SCHEDULE_CONTAINER];

/**
 * The stream of a name that logStreamName or ECS made; undefined for any other stream of the
 * group. A task's stream reads as its instance being the task and its source the container.
 */
export function parseLogStream(name: string): LogStream | undefined {
  const parts = name.split('/');
  if (parts.length !== 4 || parts.some((part) => part === '')) return undefined;
  const [environment, version, third, fourth] = parts as [string, string, string, string];
  return TASK_CONTAINERS.includes(third) ? { environment, version, instance: fourth, source: third } : { environment, version, instance: third, source: fourth };
}

/** The SSM path under which an application's secrets live; its role may read nothing else. */
export function parameterPath(application: string, environment: string): string {
  return `/${application}/${environment}/`;
}

/** The storage bucket prefix an application may read and write. */
export function storagePrefix(application: string, environment: string): string {
  return `storage/${environment}/${application}/`;
}

/** Export names that application stacks import from the environment and resources stacks. */
export function exportName(stack: string, output: string): string {
  return `${stack}-${output}`;
}

/** The release record of a version, in the storage bucket: outside every instance's prefix. */
export function releaseRecordKey(application: string, environment: string, version: string): string {
  return `releases/${application}/${environment}/${version}.json`;
}
