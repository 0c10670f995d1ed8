import { databaseStack, logGroupName, resourcesStack } from '../config/names.js';
import type { Config, DatabaseEngine } from '../config/types.js';
import { DATABASE_OUTPUTS } from '../templates/database.js';
import { KEEPS_LOG_GROUP, resourcesTemplate } from '../templates/resources.js';
import type { AccountReads, StackKind } from './kind.js';
import { stackTags } from './stack-tags.js';

/**
 * `<app>-<environment>-resources`: the application's security groups, instance role, log group
 * and e-mail subscriptions in its environment. A preview has its own, in the staging network,
 * removed with the preview.
 */
export interface ResourcesFacts {
  /** The log group outlived an earlier stack of these resources (see KEEPS_LOG_GROUP). */
  readonly keepsLogGroup: boolean;
}

export const applicationResources: StackKind<ResourcesFacts> = {
  id: 'application-resources',
  phase: 'environment',
  // Its instances admit the load balancer's security group, which may reach them.
  dependsOn: ['account-baseline', 'environment-network', 'application-load-balancer'],
  previews: 'own',
  removal: { by: 'destroy', owner: (config) => stackTags(config.application, config.environment) },
  name: (config) => resourcesStack(config.application, config.environment),
  purpose: (config) => {
    const shared = sharedDatabase(config);
    return `security groups, instance role, log group${shared ? `; read access to ${shared.environment}'s database secret and its port` : ''}`;
  },
  sharedBy: (config) => (config.preview !== undefined ? `${config.networkEnvironment} and its previews` : undefined),
  read: async (config, account) => {
    const [keepsLogGroup] = await Promise.all([logGroupKept(config, account), refuseWithoutSharedDatabase(config, account)]);
    return { facts: { keepsLogGroup } };
  },
  planned: () => ({ facts: { keepsLogGroup: false }, resolvedAtDeploy: [] }),
  spec: (config, facts) => {
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
        // The schedules' tasks run in the same cluster, with the same role, as the release command's.
        ...(config.releaseCommand || config.schedules.length > 0 ? { releaseTasks: true } : {}),
        ...(sharedDatabase(config) ? { sharedDatabase: sharedDatabase(config)! } : {}),
        // The e-mail subscriptions live in the environment's own resources stack: a preview's stack,
        // removed with the preview, must not take staging's subscriptions (the same endpoint) with it.
        subscribers: environment === networkEnvironment ? config.notify.emails : [],
      }),
      parameters: { [KEEPS_LOG_GROUP]: String(facts.keepsLogGroup) },
      tags: stackTags(config.application, environment),
      terminationProtection: false,
    };
  },
  // Removed whether or not it is listed: a removal of a stack that is gone is no error.
  stacksToRemove: (config) => [resourcesStack(config.application, config.environment)],
};

/** The database of another environment that the run's instances use (preview-database: staging), if any. */
export function sharedDatabase(config: Config): { environment: string; engine: DatabaseEngine } | undefined {
  const database = config.database;
  return database && database.environment !== config.environment ? { environment: database.environment, engine: database.engine } : undefined;
}

/**
 * A preview that uses staging's database needs it to exist: said before any stack changes,
 * rather than as a missing export half-way through.
 */
async function refuseWithoutSharedDatabase(config: Config, account: Pick<AccountReads, 'describe'>): Promise<void> {
  const shared = sharedDatabase(config);
  if (!shared) return;
  const name = databaseStack(config.application, shared.environment);
  const stack = await account.describe(name);
  // Its outputs are its exports: without them there is nothing to import yet.
  if (!stack || stack.status === 'DELETE_COMPLETE' || !stack.outputs[DATABASE_OUTPUTS.secretName]) {
    throw new Error(`preview-database: staging uses ${shared.environment}'s database, but its stack ${name} ${stack ? `is ${stack.status} without the database's exports` : 'does not exist'}: deploy ${shared.environment} with database: ${shared.engine} first, or choose preview-database: own.`);
  }
}

/**
 * Whether the application's log group outlived an earlier resources stack: a stack keeps what it
 * was created with; a new stack adopts a log group that an earlier one left (destroy keeps logs)
 * instead of failing to create a second one of the same name. A preview's resources and log
 * group are its own.
 */
export async function logGroupKept(config: Config, account: Pick<AccountReads, 'describe' | 'logGroupExists'>): Promise<boolean> {
  const stack = await account.describe(resourcesStack(config.application, config.environment));
  if (stack) return stack.parameters[KEEPS_LOG_GROUP] === 'true';
  return account.logGroupExists(logGroupName(config.application, config.environment));
}
