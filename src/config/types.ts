import type { ScheduleConfig } from './schedules.js';

/** The typed, validated and frozen configuration of one run. Built only by `readConfig`. */

export const COMMANDS = ['plan', 'deploy', 'rollback', 'promote', 'destroy', 'logs', 'status', 'exec'] as const;
export type Command = (typeof COMMANDS)[number];

export const TRAFFIC_STRATEGIES = ['rolling', 'blue-green'] as const;
export type TrafficStrategy = (typeof TRAFFIC_STRATEGIES)[number];

/** How an environment's instances reach the internet: a managed NAT gateway or one NAT instance (templates/nat.ts). */
export const NAT_MODES = ['gateway', 'instance'] as const;
export type Nat = (typeof NAT_MODES)[number];

/** How a preview's instances are bought: EC2 Spot (the default) or on demand. */
export const PREVIEW_CAPACITIES = ['spot', 'on-demand'] as const;
export type PreviewCapacity = (typeof PREVIEW_CAPACITIES)[number];

export const STEPS = ['environment', 'build', 'deploy'] as const;
export type Step = (typeof STEPS)[number];

/** One KEY=VALUE pair, in the order the user wrote it. */
export interface Variable {
  readonly name: string;
  readonly value: string;
}

/** A container secret: the variable's name and the SSM parameter that holds its value. */
export interface SecretRef {
  readonly name: string;
  /** Full parameter name, always under `/<application>/<environment>/`. */
  readonly parameter: string;
}

export interface BuildConfig {
  readonly dockerfile: string;
  readonly context: string;
  readonly buildArgs: readonly Variable[];
  readonly target?: string;
  readonly platform?: string;
  /** Empty for the account's ECR registry. */
  readonly registry?: string;
  readonly registryUsername?: string;
  readonly registryPassword?: string;
  /** A prebuilt image to deploy instead of building. */
  readonly image?: string;
  readonly keepImages: number;
}

/** A TCP port range the instances may connect to anywhere. */
export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/** Outbound traffic of the instances: anywhere, or only these TCP ports (443 always among them). */
export type Egress = 'all' | readonly PortRange[];

export interface CapacityConfig {
  readonly instanceType: string;
  readonly minSize: number;
  readonly desiredSize: number;
  readonly maxSize: number;
  readonly cpuTarget: number;
  /**
   * Spot capacity (a preview's, by default): cheaper, and AWS may take an instance back with two
   * minutes' notice. Absent: on demand, as staging and production always are.
   */
  readonly spot?: boolean;
}

/** The process every application has: the one behind the load balancer. Others are `processes`. */
export const WEB_PROCESS = 'web';

/** A process type besides web (a worker): the same image, its own command and instances, no load balancer. */
export interface ProcessConfig {
  /** A DNS label, not web. */
  readonly name: string;
  /** Run through /bin/sh in the release's image. */
  readonly command: string;
  /** Run in the container once it has stayed up: exit 0 means healthy. */
  readonly health?: string;
  readonly capacity: CapacityConfig;
}

/** What `logs` reads: a window, and optionally one release, process or pattern. */
export interface LogsQuery {
  /** How far back from now, in milliseconds, when `since` is an age. */
  readonly sinceMs?: number;
  /** Epoch milliseconds, when `since` is a timestamp. */
  readonly sinceAt?: number;
  readonly release?: string;
  readonly process?: string;
  /** A CloudWatch Logs filter pattern, passed as it is. */
  readonly filter?: string;
}

export const DATABASE_ENGINES = ['postgres', 'mysql'] as const;
export type DatabaseEngine = (typeof DATABASE_ENGINES)[number];

/** The managed database the application's containers use in this run's environment. */
export interface DatabaseConfig {
  readonly engine: DatabaseEngine;
  readonly instanceClass: string;
  readonly storageGiB: number;
  readonly multiAz: boolean;
  /** A preview's own database: the smallest, without backups or deletion protection, removed with the preview. */
  readonly disposable: boolean;
  /** The environment whose database stack it is: the run's own, or staging's (preview-database: staging). */
  readonly environment: string;
}

/** A command run once per release, before any traffic moves to it. */
export interface ReleaseCommandConfig {
  readonly command: string;
  readonly timeoutMinutes: number;
}

export interface Config {
  readonly command: Command;
  readonly application: string;
  readonly port: number;
  readonly hostedZone: string;
  /** The environment deployed to: staging, production, another label, or pr-<n> for a preview. */
  readonly environment: string;
  /** The environment whose network (and resources) this run uses: staging for previews. */
  readonly networkEnvironment: string;
  /** The pull request number when this run is a preview. */
  readonly preview?: number;
  readonly strategy: TrafficStrategy;
  /** The release version; for rollback, empty means "the last good release". */
  readonly version: string;
  readonly steps: readonly Step[];
  readonly timeoutMinutes: number;
  readonly allowedAccountIds: readonly string[];
  readonly build: BuildConfig;
  readonly capacity: CapacityConfig;
  /** The instance type a preview of this application runs on (a preview's capacity has it already). */
  readonly previewInstanceType: string;
  /** How a preview's instances are bought (a preview's capacity says it already). */
  readonly previewCapacity: PreviewCapacity;
  readonly healthCheckPath: string;
  readonly signalTimeoutMinutes: number;
  readonly variables: readonly Variable[];
  readonly secrets: readonly SecretRef[];
  readonly verifyUrl: boolean;
  readonly dnsTtl: number;
  readonly canarySteps: readonly number[];
  readonly stepWaitSeconds: number;
  readonly alarmNames: readonly string[];
  readonly keepReleases: number;
  /** Hours after which a preview is removed; 0 means never. */
  readonly previewTtlHours: number;
  readonly egress: Egress;
  readonly cloudTrail: boolean;
  /** How the environment's application subnets reach the internet (shared by the environment). */
  readonly nat: Nat;
  readonly destroyEnvironment: boolean;
  /** With destroy: also delete the application's log group, which is otherwise kept. */
  readonly destroyLogs: boolean;
  readonly notify: NotifyConfig;
  /** Absent: no database (database: none, or a preview with preview-database: none). */
  readonly database?: DatabaseConfig;
  /** With destroy: also delete the database, after a final snapshot. */
  readonly destroyDatabase: boolean;
  readonly releaseCommand?: ReleaseCommandConfig;
  /** Workers and other process types beside web, in the order the user gave them. */
  readonly processes: readonly ProcessConfig[];
  /** How long a process's container must stay up before its instance counts as healthy. */
  readonly processGraceSeconds: number;
  /** Recurring jobs on EventBridge Scheduler, run with the serving release; none for a preview. */
  readonly schedules: readonly ScheduleConfig[];
  /** Days CloudWatch Logs keeps the log group's events. */
  readonly logRetentionDays: number;
  readonly logs: LogsQuery;
  /** The environment's own hostnames besides `<app>.<zone>`, served like it; none for a preview. */
  readonly domains: readonly string[];
  /** Hostnames answered with a 301 to the first of `domains`; none for a preview. */
  readonly redirectDomains: readonly string[];
}

/** Who hears of the environment's deploys and scaling events besides GitHub. */
export interface NotifyConfig {
  /** Subscribed to the environment's topic by e-mail; each confirms from the message AWS sends. */
  readonly emails: readonly string[];
  /** SNS topic ARNs of the user's own (one that AWS Chatbot posts from, say) that get the same messages. */
  readonly topics: readonly string[];
}

export interface ConfigError {
  readonly input: string;
  readonly value: string;
  readonly message: string;
}
