import { PREVIEW_SCOPE, hostname, pinnedHostname, previewEnvironment, previewNumber, versionLabel } from '../names.js';
import { COMMANDS, STEPS, TRAFFIC_STRATEGIES } from '../types.js';
import type { Command, Step, TrafficStrategy } from '../types.js';
import type { EventIntent } from '../event.js';
import { IMAGE_TAG, type Reader } from './reader.js';

/**
 * The application section: what runs (command, strategy), which application, where (hosted
 * zone, environment: a pull request's event decides a preview's), which version, and which
 * phases, accounts and time the run may use.
 */

export interface RunFacts {
  /** The commit of the run, the default version. */
  readonly sha: string;
  readonly intent: EventIntent;
}

export interface ApplicationSection {
  readonly command: Command;
  readonly strategy: TrafficStrategy;
  readonly application: string;
  readonly port: number;
  readonly hostedZone: string;
  readonly environment: string;
  /** The pull request number of a preview. */
  readonly preview?: number;
  readonly version: string;
  readonly steps: Step[];
  readonly timeoutMinutes: number;
  readonly allowedAccountIds: string[];
}

const DNS_LABEL = /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/;
const ACCOUNT_ID = /^\d{12}$/;
const ONE_WORD = /^[a-z][a-z0-9]*$/;
const RESERVED_ENVIRONMENTS = new Set(['base']);
/** Stack kinds that follow `<application>-<environment>-` in a name, which no release may take. */
const RESERVED_LABELS = new Set(['resources', 'database', 'schedules']);
/** Commands that only read what a deploy made: no release version is needed to run them. */
const READING_COMMANDS = new Set<Command>(['rollback', 'logs', 'status', 'exec']);
const MAX_APPLICATION = 28;
const MAX_ENVIRONMENT = 16;

function isDomain(zone: string): boolean {
  if (zone.length > 253) return false;
  const labels = zone.split('.');
  return labels.length >= 2 && labels.every((label) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(label)) && /[a-z]/.test(labels.at(-1)!);
}

export function readApplication(r: Reader, facts: RunFacts): ApplicationSection {
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
    r.fail('version', version, `names a kind of stack (${versionLabel(version)}: <application>-<environment>-resources, -database or -schedules, or a preview's pr-<number>), not a release: choose another version`);
  }

  const stepNames = r.list('steps');
  const unknownSteps = stepNames.filter((step) => !(STEPS as readonly string[]).includes(step));
  if (stepNames.length === 0 || unknownSteps.length > 0) r.fail('steps', r.text('steps'), `is not allowed: use a comma-separated subset of ${STEPS.join(', ')}`);
  const steps: Step[] = STEPS.filter((step) => stepNames.includes(step));

  const timeoutMinutes = r.integer('timeout-minutes', 1, 360);

  const allowedAccountIds = r.list('allowed-account-ids');
  for (const id of allowedAccountIds) if (!ACCOUNT_ID.test(id)) r.fail('allowed-account-ids', id, 'is not an AWS account id: use 12 digits, comma separated');

  return { command, strategy, application, port, hostedZone, environment, ...(preview !== undefined ? { preview } : {}), version, steps, timeoutMinutes, allowedAccountIds };
}

/**
 * The checks of the application section that other sections' inputs could hide: run once every
 * section is read, so that their errors come last.
 */
export function checkApplication(r: Reader, app: ApplicationSection): void {
  const { command, strategy, application, environment, version, hostedZone } = app;
  if (command === 'promote' && strategy !== 'blue-green') r.fail('command', command, 'is only for strategy blue-green: a rolling deploy has no canary to promote');
  // Only names whose parts are all valid can be measured: otherwise their own errors say it.
  const partsValid = !r.errors.some((e) => ['application-name', 'environment', 'hosted-zone', 'version'].includes(e.input));
  if (partsValid && application !== '' && hostedZone !== '' && version !== '') {
    const longest = strategy === 'blue-green' ? pinnedHostname(application, environment, version, hostedZone) : hostname(application, environment, hostedZone);
    const label = longest.split('.')[0]!;
    if (label.length > 63) r.fail('application-name', application, `makes the hostname label ${label} longer than DNS allows (63): shorten it`);
  }
}
