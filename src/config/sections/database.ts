import { SMALLEST_DATABASE_CLASS, databaseClassProblem } from '../database-classes.js';
import { DATABASE_ENGINES } from '../types.js';
import type { DatabaseConfig, DatabaseEngine, Variable } from '../types.js';
import type { Reader } from './reader.js';

/** The database section: the environment's managed database, a preview's, and whether destroy takes it. */

export interface DatabaseSection {
  readonly database?: DatabaseConfig;
  readonly destroyDatabase: boolean;
}

/** What the container gets from its database (see templates/user-data.ts). */
export const DATABASE_VARIABLES = ['DATABASE_URL', 'DATABASE_HOST', 'DATABASE_PORT', 'DATABASE_NAME', 'DATABASE_USER', 'DATABASE_PASSWORD'] as const;
const MULTI_AZ = ['production', 'true', 'false'] as const;
const PREVIEW_DATABASES = ['own', 'staging', 'none'] as const;

/** The container's own variables, which must leave the database's to the action. */
export interface ContainerVariables {
  readonly variables: readonly Pick<Variable, 'name'>[];
  readonly secrets: readonly { readonly name: string }[];
}

export function readDatabaseSection(r: Reader, environment: string, preview: number | undefined, container: ContainerVariables): DatabaseSection {
  const database = readDatabase(r, environment, preview);
  if (database) {
    // The database's variables are the action's to set: a second value would hide one of them.
    for (const [input, names] of [['environment-variables', container.variables], ['secrets', container.secrets]] as const) {
      for (const { name } of names) if ((DATABASE_VARIABLES as readonly string[]).includes(name)) r.fail(input, name, `sets ${name}, which the action sets itself with database (${DATABASE_VARIABLES.join(', ')})`);
    }
  }
  const destroyDatabase = r.boolean('destroy-database');
  return { ...(database ? { database } : {}), destroyDatabase };
}

/**
 * The database this run's containers use. A preview gets the smallest of its own (no standby, no
 * backups, no deletion protection: it goes with the preview), staging's, or none, as
 * preview-database says. Every input is read whatever the choice, so a wrong value is refused.
 */
function readDatabase(r: Reader, environment: string, preview: number | undefined): DatabaseConfig | undefined {
  const choice = r.oneOf('database', ['none', ...DATABASE_ENGINES] as const);
  const instanceClass = r.text('database-class');
  // Without a database, any class of either engine passes: MySQL's are a superset of PostgreSQL's.
  const problem = databaseClassProblem(choice === 'none' ? 'mysql' : choice, instanceClass);
  if (problem) r.fail('database-class', instanceClass, problem);
  const storageGiB = r.integer('database-storage', 20, 65536);
  const multiAzChoice = r.oneOf('database-multi-az', MULTI_AZ);
  const previewChoice = r.oneOf('preview-database', PREVIEW_DATABASES);
  if (choice === 'none') return undefined;
  const engine: DatabaseEngine = choice;
  if (preview === undefined) {
    const multiAz = multiAzChoice === 'production' ? environment === 'production' : multiAzChoice === 'true';
    return { engine, instanceClass, storageGiB, multiAz, disposable: false, environment };
  }
  if (previewChoice === 'none') return undefined;
  if (previewChoice === 'staging') return { engine, instanceClass, storageGiB, multiAz: multiAzChoice === 'true', disposable: false, environment: 'staging' };
  return { engine, instanceClass: SMALLEST_DATABASE_CLASS, storageGiB: 20, multiAz: false, disposable: true, environment };
}
