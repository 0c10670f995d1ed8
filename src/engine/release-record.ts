import { createHash } from 'node:crypto';
import type { Config } from '../config/types.js';
import type { ImageRef, Template } from './ports.js';

/**
 * A release is what it was deployed with. Every deploy writes a record of the release into the
 * user's account: the image by digest and where it lives, every application input, and the
 * digest of the application template it was deployed with. A rollback that has to deploy a
 * release again (its stack is gone, or the strategy keeps one stack) restores the release from
 * this record, whatever the rollback run's own inputs: the README's rollback workflow names only
 * the version, and must not silently drop the release's variables and secrets.
 *
 * The template is not restored: it is rendered again by the action that runs the rollback from
 * the recorded inputs, so a security fix made since is not rolled back with the application.
 * The record keeps the template's digest so that the log can say when it differs.
 */

export const RECORD_SCHEMA = 1;

/** The inputs that shape a release's instances and container; restored by a rollback. */
export type ReleaseInputs = Pick<Config, 'port' | 'healthCheckPath' | 'capacity' | 'signalTimeoutMinutes' | 'variables' | 'secrets'> & Partial<Pick<Config, 'processes' | 'processGraceSeconds'>>;

export interface ReleaseRecord {
  readonly schema: typeof RECORD_SCHEMA;
  readonly application: string;
  readonly environment: string;
  readonly version: string;
  readonly strategy: string;
  /** ISO 8601, when the deploy that wrote it started its stack. */
  readonly recordedAt: string;
  readonly image: ImageRef;
  readonly inputs: ReleaseInputs;
  /** sha256 of the application template, as JSON, that the release was deployed with. */
  readonly templateDigest: string;
  /**
   * The task definition registered for the release's schedules (its image, variables, secrets
   * and database): what the schedules run once this release serves. Absent for a release
   * deployed without schedules.
   */
  readonly scheduleTaskDefinition?: string;
}

/** Reads and writes release records; the adapter decides where they live. */
export interface ReleaseRecords {
  /** Where a record of the release lives, in words for messages (e.g. an s3:// address). */
  where(application: string, environment: string, version: string): Promise<string>;
  write(record: ReleaseRecord): Promise<void>;
  /** The record, or undefined when none was written (or its store does not exist yet). */
  read(application: string, environment: string, version: string): Promise<ReleaseRecord | undefined>;
}

export class RecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordError';
  }
}

export function templateDigest(template: Template): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(template)).digest('hex')}`;
}

export function inputsOf(config: Config): ReleaseInputs {
  return {
    port: config.port,
    healthCheckPath: config.healthCheckPath,
    capacity: { ...config.capacity },
    signalTimeoutMinutes: config.signalTimeoutMinutes,
    variables: config.variables.map(({ name, value }) => ({ name, value })),
    secrets: config.secrets.map(({ name, parameter }) => ({ name, parameter })),
    processes: config.processes.map((process) => ({ ...process, capacity: { ...process.capacity } })),
    processGraceSeconds: config.processGraceSeconds,
  };
}

export function recordOf(config: Config, image: ImageRef, template: Template, now: number, scheduleTaskDefinition?: string): ReleaseRecord {
  return {
    schema: RECORD_SCHEMA,
    application: config.application,
    environment: config.environment,
    version: config.version,
    strategy: config.strategy,
    recordedAt: new Date(now).toISOString(),
    image: { repository: image.repository, tag: image.tag, digest: image.digest },
    inputs: inputsOf(config),
    templateDigest: templateDigest(template),
    ...(scheduleTaskDefinition ? { scheduleTaskDefinition } : {}),
  };
}

/** The run's configuration with the release's own inputs in place of the run's. */
export function restoredConfig(config: Config, record: ReleaseRecord): Config {
  // A record from before processes existed is of a release that ran web alone.
  return { ...config, version: record.version, processes: [], ...record.inputs };
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function pairs<K extends string>(value: unknown, second: K): value is readonly ({ name: string } & Record<K, string>)[] {
  return Array.isArray(value) && value.every((item) => isObject(item) && isString(item.name) && isString(item[second]));
}

/**
 * A record as read back: checked field by field, since it comes from a store that people and
 * other versions of the action can write. Raises RecordError naming what is wrong.
 */
export function parseRecord(text: string, where: string): ReleaseRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RecordError(`The release record ${where} is not JSON.`);
  }
  const bad = (what: string) => new RecordError(`The release record ${where} is not one this action reads: ${what}.`);
  if (!isObject(value)) throw bad('it is not an object');
  if (value.schema !== RECORD_SCHEMA) throw bad(`its schema is ${String(value.schema)}, not ${RECORD_SCHEMA}`);
  for (const field of ['application', 'environment', 'version', 'strategy', 'recordedAt', 'templateDigest'] as const) {
    if (!isString(value[field])) throw bad(`${field} is missing`);
  }
  const image = value.image;
  if (!isObject(image) || !isString(image.repository) || !isString(image.tag) || !isString(image.digest) || !/^sha256:[a-f0-9]{64}$/.test(image.digest)) throw bad('image is not a repository with a tag and a sha256 digest');
  const inputs = value.inputs;
  if (!isObject(inputs)) throw bad('inputs is missing');
  const capacity = inputs.capacity;
  if (!isNumber(inputs.port) || !isString(inputs.healthCheckPath) || !isNumber(inputs.signalTimeoutMinutes)) throw bad('port, healthCheckPath or signalTimeoutMinutes is missing');
  if (!isObject(capacity) || !isString(capacity.instanceType) || !['minSize', 'desiredSize', 'maxSize', 'cpuTarget'].every((field) => isNumber(capacity[field]))) throw bad('capacity is incomplete');
  if (!pairs(inputs.variables, 'value')) throw bad('variables are not name/value pairs');
  if (!pairs(inputs.secrets, 'parameter')) throw bad('secrets are not name/parameter pairs');
  if (inputs.processes !== undefined && !(Array.isArray(inputs.processes) && inputs.processes.every((process: unknown) => isObject(process) && isString(process.name) && isString(process.command) && isObject(process.capacity)))) throw bad('processes are not processes with a name, a command and sizes');
  if (value.scheduleTaskDefinition !== undefined && !(isString(value.scheduleTaskDefinition) && value.scheduleTaskDefinition.startsWith('arn:'))) throw bad('scheduleTaskDefinition is not an ARN');
  return value as unknown as ReleaseRecord;
}

/** A rollback to a version with no record: what happened and what a person can do. */
export function unrecordedMessage(version: string, where: string, reason: string): string {
  return (
    `Release ${version} cannot be restored: ${reason}, and it has no release record (${where}), so what it was deployed with ` +
    '(application-port, environment-variables, secrets, sizes, health check) is not known. ' +
    `It was deployed before releases were recorded, or by another tool. To deploy it again, run deploy with version ${version} and all of its inputs; that deploy records it.`
  );
}
