/** A CloudFormation template as a plain object; serialised only by the stacks adapter. */
export type Template = Record<string, unknown>;
