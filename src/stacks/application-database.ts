import { databaseStack } from '../config/names.js';
import type { Config } from '../config/types.js';
import { databaseTemplate, ENGINE_VERSIONS } from '../templates/database.js';
import type { StackKind } from './kind.js';
import type { StackSpec } from './spec.js';
import { stackTags } from './stack-tags.js';

/**
 * `<app>-<environment>-database`: the application's managed database in its environment (see
 * templates/database.ts), when `database` asks for one. A preview has its own small one, removed
 * with the preview, unless preview-database says staging's (then it has none of its own) or none.
 * Every other database outlives destroy unless destroy-database asks for it, and then goes with
 * a final snapshot (see engine/destroy.ts): that decision is the database's own, not the catalogue's.
 */
export interface DatabaseFacts {
  /** destroy-database: deletion protection comes off in an update before the stack is deleted. */
  readonly removing?: boolean;
}

export const applicationDatabase: StackKind<DatabaseFacts> = {
  id: 'application-database',
  phase: 'environment',
  // Its subnets are the network's, its security group and the role that reads its secret the resources'.
  dependsOn: ['account-baseline', 'environment-network', 'application-resources'],
  previews: 'own',
  removal: { by: 'never', why: 'destroy keeps the database unless destroy-database: true, and then removes it after a final snapshot (engine/destroy.ts)' },
  applies: (config) => config.database !== undefined && config.database.environment === config.environment,
  name: (config) => databaseStack(config.application, config.environment),
  purpose: (config) => {
    const database = config.database!;
    return `${database.engine} ${ENGINE_VERSIONS[database.engine]} on Amazon RDS (${database.instanceClass}, ${database.storageGiB} GiB${database.multiAz ? ', Multi-AZ' : ''}${database.disposable ? ', removed with the preview' : ', deletion protection and a final snapshot'}); its password generated in Secrets Manager`;
  },
  sharedBy: () => undefined,
  planned: () => ({ facts: {}, resolvedAtDeploy: ['the database endpoint', 'the generated master password (never shown)'] }),
  spec: (config, facts) => databaseSpec(config, facts.removing === true),
  // Removed by destroy's own rules (engine/destroy.ts), never by the catalogue's.
  stacksToRemove: () => [],
};

/** The database stack of a configuration that has one of its own (applicationDatabase.applies). */
export function databaseSpec(config: Config, removing = false): StackSpec {
  const database = config.database!;
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
