import { pinnedHostname } from '../config/names.js';
import type { CapacityConfig, Config, SecretRef, Variable } from '../config/types.js';
import type { Template } from '../templates/template.js';

/**
 * What runs the containers of a release: the compute platform. The traffic strategy (rolling,
 * blue-green) decides which stack a release is and whether it has a hostname of its own; the
 * platform decides what that stack holds. EC2 (an Auto Scaling group behind a load balancer) is
 * the one today; another platform (ECS on Fargate) is a module beside it, listed in index.ts.
 *
 * Every platform's release stack gives the output the traffic needs: TargetGroupArn, the target
 * group the listener's host rule forwards to (see the deploy phase); and, when the application
 * has processes besides web, the output Processes (processesOutput): what runs each of them and
 * its sizes, which blue-green scales to zero and back as traffic leaves a release and returns.
 */

/** A release as every platform is told of it: the traffic strategy's decisions already made. */
export interface ReleaseShape {
  readonly application: string;
  readonly environment: string;
  /** The environment whose network and resources stacks the release uses (staging for previews). */
  readonly networkEnvironment: string;
  readonly port: number;
  readonly healthCheckPath: string;
  /** Blue-green only: the hostname that reaches this release alone, before any public traffic. */
  readonly pinnedHostname?: string;
  /** Topics of the user's own that hear the platform's events too, beside the environment's topic. */
  readonly notificationTopics?: readonly string[];
  /** The stack is being created (see the EC2 group's DesiredCapacity). */
  readonly creating?: boolean;
  /**
   * A release of the first layout keeps the load balancer of its own it was created with, while
   * resolvers may still send anyone to it (see the deploy phase); every other release is only
   * behind the application's one load balancer.
   */
  readonly ownLoadBalancer?: boolean;
}

/** The values that change with each release: parameters, so that a redeploy is an empty change set. */
export interface ReleaseValues {
  /** repository@sha256:..., optionally with a tag before the digest. */
  readonly image: string;
  readonly version: string;
  /** Only for a release that keeps a load balancer of its own: its listener's certificate. */
  readonly certificateArn?: string;
  /** Only for a release with a pinned hostname (blue-green): the zone of its record. */
  readonly hostedZoneId?: string;
  /** Only for a release with a pinned hostname: its rule's priority on the listener. */
  readonly rulePriority?: number;
  readonly variables: readonly Variable[];
  readonly secrets: readonly SecretRef[];
}

export interface ComputePlatform {
  readonly id: string;
  /** One line on what a release stack holds, as the plan shows it. */
  readonly purpose: string;
  /** The release stack's template; the platform reads its own settings (capacity, ...) from the configuration. */
  template(config: Config, shape: ReleaseShape): Template;
  parameters(values: ReleaseValues): Record<string, string>;
  /**
   * `exec`: the AWS CLI's arguments that open a shell, or run `command`, in the application's
   * container on one of the release's machines (`target`, as the Instances port names it).
   * One array item each, never one shell string.
   */
  sessionArgv(target: string, command: readonly string[], region?: string): string[];
}

/** The release's shape for a run: blue-green pins the release's own hostname, rolling does not. */
export function releaseShape(config: Config): ReleaseShape {
  return {
    application: config.application,
    environment: config.environment,
    networkEnvironment: config.networkEnvironment,
    port: config.port,
    healthCheckPath: config.healthCheckPath,
    ...(config.notify.topics.length > 0 ? { notificationTopics: config.notify.topics } : {}),
    ...(config.strategy === 'blue-green' ? { pinnedHostname: pinnedHostname(config.application, config.environment, config.version, config.hostedZone) } : {}),
  };
}

/** The release stack's output that names the groups of its processes besides web. */
export const PROCESSES_OUTPUT = 'Processes';

/** One process of a release as its stack's output tells it: what runs it, and how many. */
export interface ProcessGroup {
  readonly name: string;
  /** The platform's name for what runs it (EC2: the Auto Scaling group). */
  readonly group: string;
  readonly minSize: number;
  readonly desiredSize: number;
  readonly maxSize: number;
}

/** The output's value: `name group min desired max`, comma separated; `group` may be a reference the stack resolves. */
export function processesOutput(processes: readonly { name: string; group: unknown; capacity: CapacityConfig }[]): unknown {
  return { 'Fn::Join': [',', processes.map((process) => ({ 'Fn::Join': [' ', [process.name, process.group, String(process.capacity.minSize), String(process.capacity.desiredSize), String(process.capacity.maxSize)]] }))] };
}

/** The processes a release stack's outputs name; none for a release without processes (or from before them). */
export function processGroupsOf(outputs: Readonly<Record<string, string>>): ProcessGroup[] {
  const value = outputs[PROCESSES_OUTPUT];
  if (!value) return [];
  return value.split(',').map((entry) => entry.trim().split(/\s+/)).filter((fields) => fields.length === 5 && fields.slice(2).every((field) => /^\d+$/.test(field))).map(([name, group, min, desired, max]) => ({
    name: name!, group: group!, minSize: Number(min), desiredSize: Number(desired), maxSize: Number(max),
  }));
}
