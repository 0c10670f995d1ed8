import { defaultOf } from '../inputs.js';
import type { ConfigError, Variable } from '../types.js';

/**
 * What every section's validator reads with: raw inputs by their action.yml names, defaults
 * filled in, and every broken rule collected (not thrown), so that a run hears of all of them
 * together before anything reaches AWS.
 */

/** Reads one raw input by its action.yml name; absent inputs read as empty. */
export type RawInputs = (name: string) => string | undefined;

// Characters that have no business in a value: everything below space but tab, and DEL.
// eslint-disable-next-line no-control-regex
export const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;
/** An image tag: a release version. */
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** A shell environment variable's name. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const ENV_NAME_HELP = 'use letters, digits and _, not starting with a digit';

export class Reader {
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

  /** One item a line when the value has several lines, else comma separated: names that may hold commas or spaces. */
  items(name: string): string[] {
    const text = this.lines(name);
    return (text.includes('\n') ? text.split(/\r?\n/) : text.split(',')).map((item) => item.trim()).filter((item) => item !== '');
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
