import { defaultOf, INPUTS } from './inputs.js';
import { PREVIEW_SCOPE, accessScope, hostname, parameterPath, pinnedHostname, previewEnvironment, previewNumber, versionLabel } from './names.js';
import { COMMANDS, DATABASE_ENGINES, NAT_MODES, PROCESSES, STEPS, TRAFFIC_STRATEGIES } from './types.js';
import { SMALLEST_DATABASE_CLASS, databaseClassProblem } from './database-classes.js';
import type { Command, Config, ConfigError, DatabaseConfig, DatabaseEngine, ReleaseCommandConfig, Egress, LogsQuery, PortRange, SecretRef, Step, TrafficStrategy, Variable } from './types.js';
import type { EventIntent } from './event.js';

/**
 * Turns raw inputs (the action's `INPUT_*` or the terminal's flags, same names) into one
 * validated, frozen configuration. Every rule is checked, and every broken one is reported
 * together, before anything reaches AWS.
 */

/** Reads one raw input by its action.yml name; absent inputs read as empty. */
export type RawInputs = (name: string) => string | undefined;

export interface RunFacts {
  /** The commit of the run, the default version. */
  readonly sha: string;
  readonly intent: EventIntent;
}

export class ConfigurationError extends Error {
  constructor(readonly errors: readonly ConfigError[]) {
    super(`The configuration has ${errors.length} problem${errors.length === 1 ? '' : 's'}:\n${errors.map((e) => `  - ${formatError(e)}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

const SECRET_INPUTS = new Set(INPUTS.filter((input) => input.secret).map((input) => input.name));

export function formatError(error: ConfigError): string {
  const shown = SECRET_INPUTS.has(error.input) ? '***' : error.value.length > 80 ? `${error.value.slice(0, 77)}...` : error.value;
  return `${error.input}: ${JSON.stringify(shown)} ${error.message}`;
}

const DNS_LABEL = /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ACCOUNT_ID = /^\d{12}$/;
const ONE_WORD = /^[a-z][a-z0-9]*$/;
// Characters that have no business in a value: everything below space but tab, and DEL.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;
/** Names the product sets itself; applications written for Wimpy read them. */
export const RESERVED_VARIABLES = ['ENVIRONMENT', 'PORT', 'DOCKER_REGISTRY', 'KMS_MASTER_KEY', 'S3_BUCKET'] as const;
/** What the container gets from its database (see templates/user-data.ts). */
export const DATABASE_VARIABLES = ['DATABASE_URL', 'DATABASE_HOST', 'DATABASE_PORT', 'DATABASE_NAME', 'DATABASE_USER', 'DATABASE_PASSWORD'] as const;
const RESERVED_ENVIRONMENTS = new Set(['base']);
/** Stack kinds that follow `<application>-<environment>-` in a name, which no release may take. */
const RESERVED_LABELS = new Set(['resources', 'database']);
/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
/** Commands that only read what a deploy made: no release version is needed to run them. */
const READING_COMMANDS = new Set<Command>(['rollback', 'logs', 'status', 'exec']);
const AGE = /^(\d{1,6})(s|m|h|d)$/;
const AGE_UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const MAX_FILTER = 1024;
const MAX_APPLICATION = 28;
const MAX_ENVIRONMENT = 16;

class Reader {
  readonly errors: ConfigError[] = [];

  constructor(private readonly raw: RawInputs) {}

  /** The raw value, or its default, trimmed of surrounding white space. */
  text(name: string): string {
    const value = this.raw(name);
    return (value === undefined || value === '' ? (defaultOf(name) ?? '') : value).trim();
  }

  /** The raw value without trimming: multi-line inputs keep their values' spaces. */
  lines(name: string): string {
    const value = this.raw(name);
    return value === undefined || value === '' ? (defaultOf(name) ?? '') : value;
  }

  fail(input: string, value: string, message: string): void {
    this.errors.push({ input, value, message });
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.text(name);
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.fail(name, value, `is not allowed: use one of ${allowed.join(', ')}`);
    return allowed[0]!;
  }

  integer(name: string, min: number, max: number): number {
    const value = this.text(name);
    if (/^\d+$/.test(value) && Number(value) >= min && Number(value) <= max) return Number(value);
    this.fail(name, value, `is not allowed: use a whole number from ${min} to ${max}`);
    return min;
  }

  boolean(name: string): boolean {
    // The YAML 1.2 core schema's booleans, as @actions/core's getBooleanInput accepts them.
    const value = this.text(name);
    if (['true', 'True', 'TRUE'].includes(value)) return true;
    if (['false', 'False', 'FALSE'].includes(value)) return false;
    this.fail(name, value, 'is not allowed: use true or false');
    return false;
  }

  list(name: string): string[] {
    return this.text(name).split(',').map((item) => item.trim()).filter((item) => item !== '');
  }

  /** KEY=VALUE lines: the value is everything after the first `=`, kept exactly. */
  variables(name: string, keyRule: RegExp, keyHelp: string): Variable[] {
    const result: Variable[] = [];
    const seen = new Set<string>();
    for (const line of this.lines(name).split(/\r?\n/)) {
      if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
      const at = line.indexOf('=');
      const key = at < 0 ? line.trim() : line.slice(0, at).trim();
      const value = at < 0 ? '' : line.slice(at + 1);
      if (at < 0) this.fail(name, line, 'is not a KEY=VALUE line');
      else if (!keyRule.test(key)) this.fail(name, line, `has a name that is not allowed: ${keyHelp}`);
      else if (seen.has(key)) this.fail(name, line, `sets ${key} twice`);
      else if (CONTROL.test(value)) this.fail(name, line, 'has a control character in its value; only printable characters and tabs are allowed');
      else {
        seen.add(key);
        result.push({ name: key, value });
      }
    }
    return result;
  }
}

function isDomain(zone: string): boolean {
  if (zone.length > 253) return false;
  const labels = zone.split('.');
  return labels.length >= 2 && labels.every((label) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(label)) && /[a-z]/.test(labels.at(-1)!);
}

function isRelativePath(path: string): boolean {
  return path !== '' && !path.startsWith('/') && !path.startsWith('-') && !path.split(/[\\/]/).includes('..') && !CONTROL.test(path);
}

const REGISTRY = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?(?:\/[a-z0-9._-]+)*$/;
const IMAGE_REFERENCE = /^(?:[a-z0-9.-]+(?::\d{1,5})?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;
const HEALTH_PATH = /^\/[A-Za-z0-9/_.~%?=&+-]*$/;
const PARAMETER = /^[A-Za-z0-9_./-]+$/;
// Deliberately plain: what SNS accepts as an e-mail endpoint, without quotes or spaces.
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
const TOPIC_ARN = /^arn:aws(?:-[a-z]+)*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

export function readConfig(raw: RawInputs, facts: RunFacts): Config {
  const r = new Reader(raw);
  let command: Command = r.oneOf('command', COMMANDS);
  let strategy: TrafficStrategy = r.oneOf('strategy', TRAFFIC_STRATEGIES);

  const application = r.text('application-name');
  if (application === '') r.fail('application-name', application, 'is required: name the application, e.g. awesome-application');
  else if (!DNS_LABEL.test(application) || application.length > MAX_APPLICATION) {
    r.fail('application-name', application, `is not allowed: use 1 to ${MAX_APPLICATION} lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen`);
  }

  // `wimpy` names the account's own stacks (wimpy-base, wimpy-<environment>): an application of that name would collide with them.
  if (application === 'wimpy') r.fail('application-name', application, 'is reserved for the account baseline and network stacks (wimpy-base, wimpy-<environment>): choose another name');
  // AWS keeps names that start with `aws` for itself (stack, role and repository names among them).
  else if (application.startsWith('aws')) r.fail('application-name', application, 'starts with aws, which AWS reserves for its own names: choose another name');

  const port = r.integer('application-port', 1, 65535);

  const hostedZone = r.text('hosted-zone').toLowerCase().replace(/\.$/, '');
  if (hostedZone === '') r.fail('hosted-zone', hostedZone, 'is required: the Route 53 public hosted zone, e.g. example.com');
  else if (!isDomain(hostedZone)) r.fail('hosted-zone', hostedZone, 'is not allowed: use a domain name such as example.com (labels of letters, digits and hyphens)');

  // The environment: a pull_request event decides it; otherwise the input does.
  let environment = r.text('environment');
  const intent = facts.intent;
  if (intent.kind === 'skip' && intent.pullRequest !== undefined) {
    environment = previewEnvironment(intent.pullRequest);
  } else if (intent.kind === 'preview-deploy' || intent.kind === 'preview-destroy') {
    environment = previewEnvironment(intent.pullRequest);
    if (command === 'deploy') command = intent.kind === 'preview-deploy' ? 'deploy' : 'destroy';
  } else if (previewNumber(environment) !== undefined && command !== 'destroy') {
    // pr-<n> is a pull request's preview: only that pull request's runs deploy it; a destroy from
    // a terminal or a dispatch may still remove a preview whose closing run failed.
    r.fail('environment', environment, 'is the name of a pull request preview: previews are deployed by pull_request events only (a destroy may remove one)');
  } else if (previewNumber(environment) === undefined && (!ONE_WORD.test(environment) || environment.length > MAX_ENVIRONMENT)) {
    // One word: then `<application>-<environment>` names of two applications cannot meet
    // (shop + api-staging would be shop-api + staging).
    r.fail('environment', environment, `is not allowed: use staging, production or another single word of at most ${MAX_ENVIRONMENT} lowercase letters and digits, starting with a letter (no hyphen, so that shop + api-staging can never name the stacks of shop-api + staging)`);
  } else if (RESERVED_ENVIRONMENTS.has(environment)) {
    r.fail('environment', environment, 'is reserved for the account baseline (wimpy-base): choose another name');
  } else if (environment === PREVIEW_SCOPE) {
    r.fail('environment', environment, `is reserved: the application's previews keep their secrets under /<application>/${PREVIEW_SCOPE}/ and their storage under storage/${PREVIEW_SCOPE}/: choose another name`);
  } else if (RESERVED_LABELS.has(environment)) {
    r.fail('environment', environment, `ends like the ${environment} stacks (<application>-<environment>-${environment}) and would collide with them: choose another name`);
  }
  const preview = previewNumber(environment);
  // Previews are cheap and simple: one instance in the staging network, updated in place.
  if (preview !== undefined) strategy = 'rolling';

  let version = r.text('version');
  if (version === '' && command !== 'rollback') version = facts.sha;
  if (version === '' && !READING_COMMANDS.has(command)) {
    r.fail('version', version, 'is required outside a git checkout: give the release version, e.g. v1.4.2');
  } else if (version !== '' && !IMAGE_TAG.test(version)) {
    r.fail('version', version, 'is not allowed: use an image tag of 1 to 128 letters, digits, _, . and -, not starting with . or -');
  } else if (version !== '' && (RESERVED_LABELS.has(versionLabel(version)) || previewNumber(versionLabel(version)) !== undefined)) {
    // A release stack is <application>-<environment>-<version>: these would name another kind of stack.
    r.fail('version', version, `names a kind of stack (${versionLabel(version)}: <application>-<environment>-resources or -database, or a preview's pr-<number>), not a release: choose another version`);
  }

  const stepNames = r.list('steps');
  const unknownSteps = stepNames.filter((step) => !(STEPS as readonly string[]).includes(step));
  if (stepNames.length === 0 || unknownSteps.length > 0) r.fail('steps', r.text('steps'), `is not allowed: use a comma-separated subset of ${STEPS.join(', ')}`);
  const steps: Step[] = STEPS.filter((step) => stepNames.includes(step));

  const timeoutMinutes = r.integer('timeout-minutes', 1, 360);

  const allowedAccountIds = r.list('allowed-account-ids');
  for (const id of allowedAccountIds) if (!ACCOUNT_ID.test(id)) r.fail('allowed-account-ids', id, 'is not an AWS account id: use 12 digits, comma separated');

  const dockerfile = r.text('dockerfile');
  if (!isRelativePath(dockerfile)) r.fail('dockerfile', dockerfile, 'is not allowed: use a path inside the repository, relative, without ..');
  const context = r.text('context');
  if (!isRelativePath(context)) r.fail('context', context, 'is not allowed: use a folder inside the repository, relative, without ..');
  const buildArgs = r.variables('build-args', ENV_NAME, 'use letters, digits and _, not starting with a digit');
  const target = r.text('target');
  if (target !== '' && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(target)) r.fail('target', target, 'is not allowed: use a stage name of letters, digits, _, . and -');
  const platform = r.text('platform');
  if (platform !== '' && !PLATFORM.test(platform)) r.fail('platform', platform, 'is not allowed: use os/architecture, e.g. linux/amd64 or linux/arm64');
  const registry = r.text('registry').replace(/\/+$/, '');
  if (registry !== '' && !REGISTRY.test(registry)) r.fail('registry', registry, 'is not allowed: use a registry host with an optional port and path, e.g. ghcr.io/my-org, without a scheme');
  const registryUsername = r.text('registry-username');
  const registryPassword = r.text('registry-password');
  if (registry === '' && (registryUsername !== '' || registryPassword !== '')) {
    r.fail(registryUsername !== '' ? 'registry-username' : 'registry-password', registryUsername, 'is only used with registry: ECR needs no password, the action signs in with the AWS credentials');
  }
  if (registryUsername !== '' && CONTROL.test(registryUsername)) r.fail('registry-username', registryUsername, 'has a control character: use printable characters only');
  const image = r.text('image');
  if (image !== '' && !IMAGE_REFERENCE.test(image)) r.fail('image', image, 'is not allowed: use repository[:tag][@sha256:digest], e.g. ghcr.io/org/app:v1.4.2');
  const keepImages = r.integer('keep-images', 1, 1000);

  const instanceType = r.text('instance-type');
  if (!INSTANCE_TYPE.test(instanceType)) r.fail('instance-type', instanceType, 'is not allowed: use an EC2 instance type such as t3.small or m7g.large');
  const previewInstanceType = r.text('preview-instance-type');
  if (!INSTANCE_TYPE.test(previewInstanceType)) r.fail('preview-instance-type', previewInstanceType, 'is not allowed: use an EC2 instance type such as t3.micro or t3.small');
  const minSize = r.integer('min-size', 0, 100);
  const desiredSize = r.integer('desired-size', 1, 100);
  const maxSize = r.integer('max-size', 1, 100);
  // Blame the input that breaks the order: the one the user set, not the default beside it.
  const sizes = `min-size ${minSize}, desired-size ${desiredSize}, max-size ${maxSize}: min-size <= desired-size <= max-size`;
  if (minSize > desiredSize) r.fail('min-size', String(minSize), `is not allowed with ${sizes}`);
  else if (desiredSize > maxSize) {
    const desiredIsDefault = r.text('desired-size') === defaultOf('desired-size');
    r.fail(desiredIsDefault ? 'max-size' : 'desired-size', String(desiredIsDefault ? maxSize : desiredSize), `is not allowed with ${sizes}`);
  }
  const cpuTarget = r.integer('cpu-target', 1, 100);

  const healthCheckPath = r.text('health-check-path');
  if (!HEALTH_PATH.test(healthCheckPath) || healthCheckPath.length > 1024) {
    r.fail('health-check-path', healthCheckPath, 'is not allowed: use a path starting with / of letters, digits and / _ . ~ % ? = & + -');
  }
  const signalTimeoutMinutes = r.integer('signal-timeout-minutes', 1, 60);

  const variables = r.variables('environment-variables', ENV_NAME, 'use letters, digits and _, not starting with a digit');
  for (const variable of variables) {
    if ((RESERVED_VARIABLES as readonly string[]).includes(variable.name)) {
      r.fail('environment-variables', `${variable.name}=${variable.value}`, `sets ${variable.name}, which the action sets itself (${RESERVED_VARIABLES.join(', ')})`);
    }
  }
  // A preview reads the previews' secrets, never staging's.
  const secretPath = parameterPath(application, environment === '' ? 'staging' : accessScope(environment));
  const secrets: SecretRef[] = [];
  for (const secret of r.variables('secrets', ENV_NAME, 'use letters, digits and _, not starting with a digit')) {
    const parameter = secret.value.trim().startsWith('/') ? secret.value.trim() : `${secretPath}${secret.value.trim()}`;
    if (!PARAMETER.test(secret.value.trim()) || !parameter.startsWith(secretPath) || parameter.split('/').includes('..')) {
      r.fail('secrets', `${secret.name}=${secret.value}`, `is not allowed: name an SSM parameter under ${secretPath} (letters, digits and _ . - /)`);
    } else if (variables.some((variable) => variable.name === secret.name)) {
      r.fail('secrets', `${secret.name}=${secret.value}`, `sets ${secret.name}, which environment-variables sets too`);
    } else if ((RESERVED_VARIABLES as readonly string[]).includes(secret.name)) {
      r.fail('secrets', `${secret.name}=${secret.value}`, `sets ${secret.name}, which the action sets itself`);
    } else {
      secrets.push({ name: secret.name, parameter });
    }
  }

  const verifyUrl = r.boolean('verify-url');
  const dnsTtl = r.integer('dns-ttl', 60, 86400);
  const stepText = r.text('canary-steps');
  const canarySteps = r.list('canary-steps').map(Number);
  const stepsValid = canarySteps.length > 0 && r.list('canary-steps').every((step) => /^\d+$/.test(step)) && canarySteps.every((step, i) => step >= 1 && step <= 100 && (i === 0 || step > canarySteps[i - 1]!));
  if (!stepsValid) r.fail('canary-steps', stepText, 'is not allowed: use ascending percentages from 1 to 100, e.g. 10,50,100 (stop below 100 to leave a canary)');
  const stepWaitSeconds = r.integer('step-wait', 0, 3600);
  const alarmText = r.lines('alarm-names');
  const alarmNames = (alarmText.includes('\n') ? alarmText.split(/\r?\n/) : alarmText.split(',')).map((name) => name.trim()).filter((name) => name !== '');
  for (const alarm of alarmNames) if (alarm.length > 255 || CONTROL.test(alarm)) r.fail('alarm-names', alarm, 'is not a CloudWatch alarm name: at most 255 printable characters');
  const keepReleases = r.integer('keep-releases', 0, 5);

  const ttlText = r.text('preview-ttl');
  const ttl = /^(\d{1,5})([hd])$/.exec(ttlText);
  if (ttlText !== '0' && !ttl) r.fail('preview-ttl', ttlText, 'is not allowed: use hours or days such as 48h or 7d, or 0 for never');
  const previewTtlHours = ttl ? Number(ttl[1]) * (ttl[2] === 'd' ? 24 : 1) : 0;

  const cloudTrail = r.boolean('cloudtrail');
  const nat = r.oneOf('nat', NAT_MODES);
  const egress = readEgress(r);
  const destroyEnvironment = r.boolean('destroy-environment');
  const destroyLogs = r.boolean('destroy-logs');

  const notifyText = r.lines('notify');
  const notifyItems = (notifyText.includes('\n') ? notifyText.split(/\r?\n/) : notifyText.split(',')).map((item) => item.trim()).filter((item) => item !== '');
  const notify = { emails: [] as string[], topics: [] as string[] };
  for (const item of notifyItems) {
    if (EMAIL.test(item) && item.length <= 254) notify.emails.push(item);
    else if (TOPIC_ARN.test(item)) notify.topics.push(item);
    else r.fail('notify', item, 'is not allowed: use an e-mail address such as oncall@example.com or an SNS topic ARN such as arn:aws:sns:eu-west-1:123456789012:alerts (standard topics; FIFO topics take no notifications)');
  }
  if (new Set(notifyItems).size !== notifyItems.length) r.fail('notify', notifyText, 'names the same address or topic twice');
  const logRetentionText = r.text('log-retention-days');
  const logRetentionDays = Number(logRetentionText);
  if (!/^\d+$/.test(logRetentionText) || !(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
    r.fail('log-retention-days', logRetentionText, `is not allowed: CloudWatch Logs keeps events for one of ${LOG_RETENTION_DAYS.join(', ')} days`);
  }
  const logs = readLogsQuery(r);
  const database = readDatabase(r, environment, preview);
  if (database) {
    // The database's variables are the action's to set: a second value would hide one of them.
    for (const [input, names] of [['environment-variables', variables], ['secrets', secrets]] as const) {
      for (const { name } of names) if ((DATABASE_VARIABLES as readonly string[]).includes(name)) r.fail(input, name, `sets ${name}, which the action sets itself with database (${DATABASE_VARIABLES.join(', ')})`);
    }
  }
  const destroyDatabase = r.boolean('destroy-database');
  const releaseCommand = readReleaseCommand(r);

  if (command === 'promote' && strategy !== 'blue-green') r.fail('command', command, 'is only for strategy blue-green: a rolling deploy has no canary to promote');
  // Only names whose parts are all valid can be measured: otherwise their own errors say it.
  const partsValid = !r.errors.some((e) => ['application-name', 'environment', 'hosted-zone', 'version'].includes(e.input));
  if (partsValid && application !== '' && hostedZone !== '' && version !== '') {
    const longest = strategy === 'blue-green' ? pinnedHostname(application, environment, version, hostedZone) : hostname(application, environment, hostedZone);
    const label = longest.split('.')[0]!;
    if (label.length > 63) r.fail('application-name', application, `makes the hostname label ${label} longer than DNS allows (63): shorten it`);
  }

  if (r.errors.length > 0) throw new ConfigurationError(r.errors);

  const capacity = preview !== undefined
    ? { instanceType: previewInstanceType, minSize: 1, desiredSize: 1, maxSize: 1, cpuTarget }
    : { instanceType, minSize, desiredSize, maxSize, cpuTarget };

  const config: Config = {
    command,
    application,
    port,
    hostedZone,
    environment,
    networkEnvironment: preview !== undefined ? 'staging' : environment,
    ...(preview !== undefined ? { preview } : {}),
    strategy,
    version,
    steps,
    timeoutMinutes,
    allowedAccountIds,
    build: {
      dockerfile,
      context,
      buildArgs,
      ...(target ? { target } : {}),
      ...(platform ? { platform } : {}),
      ...(registry ? { registry } : {}),
      ...(registryUsername ? { registryUsername } : {}),
      ...(registryPassword ? { registryPassword } : {}),
      ...(image ? { image } : {}),
      keepImages,
    },
    capacity,
    previewInstanceType,
    healthCheckPath,
    signalTimeoutMinutes,
    variables,
    secrets,
    verifyUrl,
    dnsTtl,
    canarySteps,
    stepWaitSeconds,
    alarmNames,
    keepReleases,
    previewTtlHours,
    cloudTrail,
    nat,
    egress,
    destroyEnvironment,
    destroyLogs,
    notify,
    ...(database ? { database } : {}),
    destroyDatabase,
    ...(releaseCommand ? { releaseCommand } : {}),
    logRetentionDays,
    logs,
  };
  return deepFreeze(config);
}

const MULTI_AZ = ['production', 'true', 'false'] as const;
const PREVIEW_DATABASES = ['own', 'staging', 'none'] as const;
const MAX_RELEASE_COMMAND = 4096;

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

/** The release command: printable text on one line, run as the container's command. */
function readReleaseCommand(r: Reader): ReleaseCommandConfig | undefined {
  const command = r.text('release-command');
  const timeoutMinutes = r.integer('release-timeout-minutes', 1, 180);
  if (command === '') return undefined;
  if (CONTROL.test(command) || command.length > MAX_RELEASE_COMMAND) {
    r.fail('release-command', command, `is not allowed: use one line of at most ${MAX_RELEASE_COMMAND} printable characters, e.g. python manage.py migrate --noinput (chain steps with && or a script in the image)`);
    return undefined;
  }
  return { command, timeoutMinutes };
}

/** The inputs of `logs`: read for every command, so that a wrong value is refused whatever runs. */
function readLogsQuery(r: Reader): LogsQuery {
  const since = r.text('since');
  const age = AGE.exec(since);
  let window: Pick<LogsQuery, 'sinceMs' | 'sinceAt'> = {};
  if (age) window = { sinceMs: Number(age[1]) * AGE_UNIT_MS[age[2] as keyof typeof AGE_UNIT_MS] };
  else if (TIMESTAMP.test(since) && !Number.isNaN(Date.parse(since))) window = { sinceAt: Date.parse(since) };
  else r.fail('since', since, 'is not allowed: use an age such as 30s, 10m, 2h or 7d, or a timestamp such as 2026-05-01T12:00:00Z');
  const release = r.text('release');
  if (release !== '' && !IMAGE_TAG.test(release)) r.fail('release', release, 'is not allowed: use a release version, an image tag of letters, digits, _, . and -');
  const process = r.text('process');
  if (process !== '' && !(PROCESSES as readonly string[]).includes(process)) r.fail('process', process, `is not allowed: the processes are ${PROCESSES.join(', ')} (other process types are reserved until they exist)`);
  const filter = r.text('filter');
  if (filter.length > MAX_FILTER || CONTROL.test(filter)) r.fail('filter', filter, `is not allowed: use a CloudWatch Logs filter pattern of at most ${MAX_FILTER} printable characters`);
  return { ...window, ...(release ? { release } : {}), ...(process ? { process } : {}), ...(filter ? { filter } : {}) };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

const NAMED_PORTS: Readonly<Record<string, number>> = { https: 443, http: 80 };

/** `all`, or named ports, ports and ranges; HTTPS is added, since instances reach AWS over it. */
function readEgress(r: Reader): Egress {
  const items = r.list('egress').map((item) => item.toLowerCase());
  if (items.length === 0 || (items.length === 1 && items[0] === 'all')) return 'all';
  const ranges: PortRange[] = [{ from: 443, to: 443 }];
  for (const item of items) {
    const named = NAMED_PORTS[item];
    const range = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(item);
    const from = named ?? (range ? Number(range[1]) : NaN);
    const to = named ?? (range ? Number(range[2] ?? range[1]) : NaN);
    if (!(from >= 1 && to <= 65535 && from <= to)) {
      r.fail('egress', item, 'is not allowed: use all, or a comma-separated list of https, http, TCP ports (1 to 65535) and ranges such as 8000-8100');
    } else if (!ranges.some((have) => have.from === from && have.to === to)) {
      ranges.push({ from, to });
    }
  }
  return ranges;
}
