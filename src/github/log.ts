import * as core from '@actions/core';
import type { Log } from '../engine/ports.js';

/**
 * The log of a workflow run: foldable groups, and warnings and errors as annotations. GitHub
 * folds one level only, and phases run side by side: a group asked for while another is open
 * becomes a heading inside it, so no marker ever closes someone else's group.
 */
export function createActionsLog(): Log {
  let open = 0;
  return {
    info: (message) => core.info(message),
    warning: (message) => core.warning(message),
    error: (message) => core.error(message),
    async group(name, work) {
      if (open > 0) {
        core.info(`-- ${name}`);
        return work();
      }
      open++;
      try {
        return await core.group(name, work);
      } finally {
        open--;
      }
    },
  };
}

export const actionsLog: Log = createActionsLog();
