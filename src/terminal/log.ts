import type { Log } from '../engine/ports.js';
import type { Sink } from './output.js';

/** The log of a terminal: plain lines, groups as headings, problems on the error sink. */
export function terminalLog(out: Sink, err: Sink): Log {
  return {
    info: (message) => out(`${message}\n`),
    warning: (message) => err(`warning: ${message}\n`),
    error: (message) => err(`error: ${message}\n`),
    group: async (name, work) => {
      out(`\n== ${name}\n`);
      return work();
    },
  };
}
