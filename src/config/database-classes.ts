import type { DatabaseEngine } from './types.js';

/**
 * The RDS instance classes each engine runs: current generations only, since RDS no longer
 * offers the older ones for the engines' current major versions. Checked before any request, so
 * that a typo fails the run at once instead of half-way through a database stack.
 */
const COMMON_FAMILIES = [
  't3', 't4g',
  'm5', 'm5d', 'm6g', 'm6gd', 'm6i', 'm6id', 'm6idn', 'm6in', 'm7g', 'm7i', 'm8g',
  'r5', 'r5b', 'r5d', 'r6g', 'r6gd', 'r6i', 'r6id', 'r6idn', 'r6in', 'r7g', 'r7i', 'r8g',
  'x2g', 'x2idn', 'x2iedn',
] as const;

export const DATABASE_FAMILIES: Readonly<Record<DatabaseEngine, readonly string[]>> = {
  postgres: COMMON_FAMILIES,
  // RDS for MySQL also runs the high-frequency memory classes.
  mysql: [...COMMON_FAMILIES, 'x2iezn', 'z1d'],
};

/** The engines' names as people know them, for messages. */
export const ENGINE_NAMES: Readonly<Record<DatabaseEngine, string>> = { postgres: 'PostgreSQL', mysql: 'MySQL' };

const SIZE = /^(?:micro|small|medium|large|xlarge|\d{1,2}xlarge|metal(?:-\d{2}xl)?)$/;
/** Burstable classes come in the small sizes only; the others start at large. */
const BURSTABLE_SIZES = ['micro', 'small', 'medium', 'large', 'xlarge', '2xlarge'];

/** The smallest class: what a preview's own database runs on. */
export const SMALLEST_DATABASE_CLASS = 'db.t4g.micro';

/** Why the class does not run the engine, or undefined when it does. */
export function databaseClassProblem(engine: DatabaseEngine, instanceClass: string): string | undefined {
  const match = /^db\.([a-z0-9]+)\.([a-z0-9-]+)$/.exec(instanceClass);
  const allowed = `use a class RDS for ${ENGINE_NAMES[engine]} runs, db.<family>.<size> with a family among ${DATABASE_FAMILIES[engine].join(', ')}, e.g. db.t4g.micro or db.m7g.large`;
  if (instanceClass === 'db.serverless') return `is Aurora Serverless, not a class of RDS for ${ENGINE_NAMES[engine]}: ${allowed}`;
  if (!match) return `is not an RDS instance class: ${allowed}`;
  const [, family = '', size = ''] = match;
  if (!DATABASE_FAMILIES[engine].includes(family)) return `is not a class RDS for ${ENGINE_NAMES[engine]} runs: ${allowed}`;
  const burstable = family.startsWith('t');
  if (!SIZE.test(size) || (burstable && !BURSTABLE_SIZES.includes(size)) || (!burstable && ['micro', 'small', 'medium'].includes(size))) {
    return `has a size the ${family} family does not come in: ${allowed}`;
  }
  return undefined;
}
