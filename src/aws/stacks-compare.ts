/**
 * "Nothing to change", decided from what DescribeStacks and GetTemplate return (and, for SSM
 * parameter types, what SSM holds now), before any change set: a rerun of an unchanged stack
 * then costs two or three requests, two round trips, and no waiting.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Parameter, Tag } from '@aws-sdk/client-cloudformation';
import type { StackSpec, Template } from '../engine/ports.js';

function templateDefault(template: Template, key: string): string | undefined {
  const parameters = (template.Parameters ?? {}) as Record<string, { Default?: unknown } | undefined>;
  const value = parameters[key]?.Default;
  return value === undefined ? undefined : String(value);
}

/**
 * Whether the deployed parameters are the desired ones. A parameter left out takes its default,
 * so a deployed value of a parameter not given must equal the template's default.
 * A parameter of an SSM parameter type is compared by the name it gives; what that name
 * resolves to now is for `sameResolvedValues`.
 */
export function sameParameters(spec: StackSpec, deployed: readonly Parameter[]): boolean {
  const values = new Map(deployed.map((parameter) => [parameter.ParameterKey ?? '', parameter.ParameterValue]));
  const desired = Object.entries(spec.parameters);
  if (desired.some(([key, value]) => values.get(key) !== value)) return false;
  return [...values].every(([key, value]) => Object.hasOwn(spec.parameters, key) || templateDefault(spec.template, key) === value);
}

/** The SSM parameter names that CloudFormation resolved for the deployed stack. */
export function resolvedNames(deployed: readonly Parameter[]): string[] {
  return [...new Set(deployed.filter((parameter) => parameter.ResolvedValue !== undefined).map((parameter) => parameter.ParameterValue ?? ''))];
}

/**
 * Whether every SSM parameter the stack resolved still holds the value it resolved to (the
 * latest Amazon Linux image, say). `current` is what SSM holds now by name; a name it lacks
 * counts as changed, so that a change set tells.
 */
export function sameResolvedValues(deployed: readonly Parameter[], current: ReadonlyMap<string, string>): boolean {
  return deployed.every((parameter) => parameter.ResolvedValue === undefined || current.get(parameter.ParameterValue ?? '') === parameter.ResolvedValue);
}

export function sameTags(desired: Readonly<Record<string, string>>, deployed: readonly Tag[]): boolean {
  const entries = Object.entries(desired);
  return entries.length === deployed.length && deployed.every((tag) => Object.hasOwn(desired, tag.Key ?? '') && desired[tag.Key ?? ''] === tag.Value);
}

/** Compares templates as data, not text: key order and whitespace do not count. */
export function sameTemplate(desired: Template, deployedBody: string | undefined): boolean {
  if (deployedBody === undefined) return false;
  try {
    return isDeepStrictEqual(JSON.parse(JSON.stringify(desired)), JSON.parse(deployedBody));
  } catch {
    // A template deployed by someone else in YAML: only a change set can compare it.
    return false;
  }
}
