import type { Config } from '../config/types.js';
import { CATALOGUE, waves } from './catalogue.js';
import type { StackKind } from './kind.js';

/**
 * CloudFormation's limit for a template sent inline (TemplateBody). The product sends every
 * template inline, so a larger one cannot be deployed: it fails before the run changes anything.
 */
export const INLINE_TEMPLATE_LIMIT = 51_200;

/** Why a template of `size` bytes cannot be sent, or undefined when it fits. */
export function inlineLimitFailure(stack: string, size: number): string | undefined {
  if (size <= INLINE_TEMPLATE_LIMIT) return undefined;
  return (
    `The template of stack ${stack} is ${size.toLocaleString('en-US')} bytes, over CloudFormation's limit of ` +
    `${INLINE_TEMPLATE_LIMIT.toLocaleString('en-US')} bytes for a template sent inline; nothing was changed.`
  );
}

/**
 * Every stack the run's steps apply, built from its planned facts (what the account adds at
 * deploy time is a few names, far below the margin): the failures of those over the limit.
 */
export function oversizedTemplates(config: Config, kinds: readonly StackKind[] = CATALOGUE): string[] {
  return waves(kinds)
    .filter(({ kind }) => config.steps.includes(kind.phase) && (kind.applies?.(config) ?? true))
    .flatMap(({ kind }) => {
      const spec = kind.spec(config, kind.planned(config).facts);
      return inlineLimitFailure(spec.name, Buffer.byteLength(JSON.stringify(spec.template), 'utf8')) ?? [];
    });
}
