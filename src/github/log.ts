import * as core from '@actions/core';
import type { Log } from '../engine/ports.js';

/** The log of a workflow run: foldable groups, and warnings and errors as annotations. */
export const actionsLog: Log = {
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  error: (message) => core.error(message),
  group: (name, work) => core.group(name, work),
};
