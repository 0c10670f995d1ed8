import { readConfig } from '../../src/config/read-config.js';
import { Reader } from '../../src/config/sections/reader.js';
import type { RunFacts } from '../../src/config/read-config.js';
import type { Config } from '../../src/config/types.js';

/** The inputs of a typical workflow; tests override what they are about. */
export const VALID_INPUTS: Readonly<Record<string, string>> = {
  'application-name': 'awesome-application',
  'application-port': '8080',
  'hosted-zone': 'armesto.net',
};

export const COMMIT = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';

export const PUSH: RunFacts = { sha: COMMIT, intent: { kind: 'as-configured' } };

/** A configuration from inputs given as action.yml names them, on top of VALID_INPUTS. */
export function configOf(inputs: Record<string, string> = {}, facts: RunFacts = PUSH): Config {
  const all = { ...VALID_INPUTS, ...inputs };
  return readConfig((name) => all[name], facts);
}

/** A reader over `inputs` alone (defaults for the rest), as one section's validator sees them. */
export function readerOf(inputs: Record<string, string> = {}): Reader {
  return new Reader((name) => inputs[name]);
}

/** The inputs a section refused, each with its message. */
export const refusals = (reader: Reader) => reader.errors.map((error) => `${error.input}: ${error.message}`);
