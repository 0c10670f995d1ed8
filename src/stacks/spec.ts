import type { Template } from '../templates/template.js';

/** A stack as the run wants it: what the stacks port applies. */
export interface StackSpec {
  readonly name: string;
  readonly template: Template;
  /** Passed exactly as given: commas, quotes and newlines survive. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly terminationProtection: boolean;
}

/** A stack as the account holds it. */
export interface StackSummary {
  readonly name: string;
  readonly status: string;
  readonly outputs: Readonly<Record<string, string>>;
  readonly parameters: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly createdAt?: Date;
  readonly updatedAt?: Date;
}
