import type { Config } from '../config/types.js';
import type { StackSummary } from './spec.js';

/**
 * Settings of the stacks many applications share (`wimpy-base` for the account, `wimpy-<environment>`
 * for an environment) change only on purpose. The first run that creates the stack sets them, and
 * the stack keeps each one in a tag. A later run whose input disagrees keeps the account's value
 * and says so, unless it is a run made for that change: `steps: environment` alone.
 */

export const TAG_CLOUDTRAIL = 'wimpy:cloudtrail';

export interface SharedSetting {
  /** The input, as action.yml names it. */
  readonly input: string;
  readonly stack: string;
  readonly tag: string;
  /** The input's value, as the tag spells it. */
  readonly wanted: string;
}

export interface Settled {
  readonly value: string;
  /** Set when the account's value was kept over the input's. */
  readonly warning?: string;
}

/** A run of the environment phase alone changes shared settings on purpose. */
export function changesOnPurpose(config: Config): boolean {
  return config.steps.length === 1 && config.steps[0] === 'environment';
}

/**
 * The value to deploy: the input's when the stack does not exist yet, when the stack does not
 * say (created before it kept the tag), or on purpose; otherwise the stack's.
 */
export function settle(setting: SharedSetting, existing: StackSummary | undefined, onPurpose: boolean): Settled {
  const held = existing?.tags[setting.tag];
  if (held === undefined || held === setting.wanted || onPurpose) return { value: setting.wanted };
  return {
    value: held,
    warning:
      `${setting.input}: this run asks for ${setting.wanted}, but ${setting.stack}, which every application of the account shares, has ${held}; ` +
      `kept ${held}. To change it on purpose, run once with steps: environment and ${setting.input}: ${setting.wanted}.`,
  };
}
