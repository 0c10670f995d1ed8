import type { Log } from '../engine/ports.js';

/** The log of a terminal: plain lines, groups as headings, problems on stderr. */
export function terminalLog(out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Log {
  return {
    info: (message) => void out.write(`${message}\n`),
    warning: (message) => void err.write(`warning: ${message}\n`),
    error: (message) => void err.write(`error: ${message}\n`),
    group: async (name, work) => {
      out.write(`\n== ${name}\n`);
      return work();
    },
  };
}
