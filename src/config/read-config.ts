import { INPUTS } from './inputs.js';
import type { Config, ConfigError } from './types.js';
import { checkApplication, readApplication, type RunFacts } from './sections/application.js';
import { readContainer } from './sections/container.js';
import { readDatabaseSection } from './sections/database.js';
import { readDomains } from './sections/domains.js';
import { readImage } from './sections/image.js';
import { readInstances } from './sections/instances.js';
import { readLogsSection } from './sections/logs.js';
import { readNetwork } from './sections/network.js';
import { readNotifications } from './sections/notifications.js';
import { readProcesses } from './sections/processes.js';
import { readPreviews } from './sections/previews.js';
import { Reader, type RawInputs } from './sections/reader.js';
import { readReleaseCommand } from './sections/release-command.js';
import { readSchedules } from './sections/schedules.js';
import { readTraffic } from './sections/traffic.js';

/**
 * Turns raw inputs (the action's `INPUT_*` or the terminal's flags, same names) into one
 * validated, frozen configuration, one section at a time (sections/: each its own validator).
 * Every rule is checked, and every broken one is reported together, before anything reaches AWS.
 */

export type { RawInputs } from './sections/reader.js';
export type { RunFacts } from './sections/application.js';

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

export function readConfig(raw: RawInputs, facts: RunFacts): Config {
  const r = new Reader(raw);
  // In this order: the errors of several sections are listed as they always were.
  const app = readApplication(r, facts);
  const build = readImage(r);
  const instances = readInstances(r, app.preview);
  const container = readContainer(r, app.application, app.environment);
  const traffic = readTraffic(r);
  const previews = readPreviews(r);
  const network = readNetwork(r);
  const notify = readNotifications(r);
  const logs = readLogsSection(r);
  const database = readDatabaseSection(r, app.environment, app.preview, container);
  const releaseCommand = readReleaseCommand(r);
  const processes = readProcesses(r, instances.capacity, app.preview, instances.signalTimeoutMinutes);
  const schedules = readSchedules(r, app.preview);
  const domains = readDomains(r, app);
  checkApplication(r, app);
  if (r.errors.length > 0) throw new ConfigurationError(r.errors);

  const config: Config = {
    ...app,
    networkEnvironment: app.preview !== undefined ? 'staging' : app.environment,
    build,
    ...instances,
    ...container,
    ...traffic,
    ...previews,
    ...network,
    notify,
    ...database,
    ...(releaseCommand ? { releaseCommand } : {}),
    ...processes,
    schedules,
    ...logs,
    ...domains,
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
