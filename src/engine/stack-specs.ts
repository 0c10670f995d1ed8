import { BASE_STACK, databaseStack, environmentStack, hostname, pinnedHostname, resourcesStack, applicationStack } from '../config/names.js';
import type { Config } from '../config/types.js';
import { applicationInput, applicationParameters, applicationTemplate } from '../templates/application.js';
import { baseTemplate } from '../templates/base.js';
import { databaseTemplate } from '../templates/database.js';
import { environmentTemplate } from '../templates/environment.js';
import { KEEPS_LOG_GROUP, resourcesTemplate } from '../templates/resources.js';
import type { StackSpec } from './ports.js';
import { TAG_CLOUDTRAIL } from './shared-settings.js';
import { stackTags } from './stack-tags.js';

/**
 * The stacks a configuration asks for, as pure values: the deploy applies them, `plan` shows
 * them, and both see the same names, templates, parameters and tags.
 */

/** Shared by every application of the account and region. */
export function baseSpec(config: Config): StackSpec {
  return {
    name: BASE_STACK,
    template: baseTemplate({ cloudTrail: config.cloudTrail }),
    parameters: {},
    // The trail is the account's: the stack says which way it was set (see shared-settings.ts).
    tags: { ...stackTags('wimpy', 'account'), [TAG_CLOUDTRAIL]: String(config.cloudTrail) },
    terminationProtection: true,
  };
}

/** The environment's own network; previews live in the staging network. */
export function environmentSpec(config: Config, cidr: string): StackSpec {
  const environment = config.networkEnvironment;
  return {
    name: environmentStack(environment),
    template: environmentTemplate({ environment, cidr }),
    parameters: {},
    tags: stackTags('wimpy', environment),
    terminationProtection: true,
  };
}

/**
 * The application's resources in its environment; a preview has its own, in the staging network.
 * `keepsLogGroup`: the log group outlived an earlier stack of these resources (see KEEPS_LOG_GROUP).
 */
export function resourcesSpec(config: Config, keepsLogGroup = false): StackSpec {
  const { environment, networkEnvironment } = config;
  return {
    name: resourcesStack(config.application, environment),
    template: resourcesTemplate({
      application: config.application,
      environment,
      networkEnvironment,
      port: config.port,
      egress: config.egress,
      logRetentionDays: config.logRetentionDays,
      ...(config.releaseCommand ? { releaseTasks: true } : {}),
      // The e-mail subscriptions live in the environment's own resources stack: a preview's stack,
      // removed with the preview, must not take staging's subscriptions (the same endpoint) with it.
      subscribers: environment === networkEnvironment ? config.notify.emails : [],
    }),
    parameters: { [KEEPS_LOG_GROUP]: String(keepsLogGroup) },
    tags: stackTags(config.application, environment),
    terminationProtection: false,
  };
}

/**
 * The application's own database in its environment, when it has one: a preview's own small one
 * is its own too; a preview on staging's database (preview-database: staging) has none to apply.
 * `removing`: destroy-database asked for it, so deletion protection comes off first.
 */
export function databaseSpec(config: Config, removing = false): StackSpec | undefined {
  const database = config.database;
  if (!database || database.environment !== config.environment) return undefined;
  return {
    name: databaseStack(config.application, config.environment),
    template: databaseTemplate({
      application: config.application,
      environment: config.environment,
      networkEnvironment: config.networkEnvironment,
      engine: database.engine,
      instanceClass: database.instanceClass,
      storageGiB: database.storageGiB,
      multiAz: database.multiAz,
      disposable: database.disposable,
      ...(removing ? { removing } : {}),
    }),
    parameters: {},
    tags: stackTags(config.application, config.environment),
    // Protected like the account's own stacks; a preview's is removed with the preview.
    terminationProtection: !database.disposable,
  };
}

export interface ReleaseFacts {
  /** repository@sha256:... */
  readonly image: string;
  readonly certificateArn: string;
  readonly hostedZoneId: string;
  /** Tags kept from the release stack as it was created (wimpy:replaces). */
  readonly extraTags?: Readonly<Record<string, string>>;
  /** No stack of that name exists yet: the group starts at desired-size (see ApplicationInput.creating). */
  readonly creating?: boolean;
}

/** The application stack of the release: the rolling stack, or the release's own blue-green stack. */
export function applicationSpec(config: Config, version: string, facts: ReleaseFacts): StackSpec {
  const forVersion: Config = { ...config, version };
  const input = { ...applicationInput(forVersion), ...(facts.creating ? { creating: true } : {}) };
  return {
    name: applicationStack(config.application, config.environment, config.strategy, version),
    template: applicationTemplate(input),
    parameters: applicationParameters({
      image: facts.image,
      version,
      certificateArn: facts.certificateArn,
      ...(input.pinnedHostname ? { hostedZoneId: facts.hostedZoneId } : {}),
      variables: config.variables,
      secrets: config.secrets,
    }),
    tags: { ...stackTags(config.application, config.environment, version), ...facts.extraTags },
    terminationProtection: false,
  };
}

export function publicUrl(config: Config): string {
  return `https://${hostname(config.application, config.environment, config.hostedZone)}`;
}

export function pinnedUrl(config: Config, version: string): string | undefined {
  return config.strategy === 'blue-green' ? `https://${pinnedHostname(config.application, config.environment, version, config.hostedZone)}` : undefined;
}
