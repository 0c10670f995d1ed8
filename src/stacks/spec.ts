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
  /** Why it has that status, where CloudFormation says (a failed deletion names what it could not delete). */
  readonly statusReason?: string;
  readonly outputs: Readonly<Record<string, string>>;
  readonly parameters: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly createdAt?: Date;
  readonly updatedAt?: Date;
}
