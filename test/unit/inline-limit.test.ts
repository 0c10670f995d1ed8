import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CATALOGUE } from '../../src/stacks/catalogue.js';
import { INLINE_TEMPLATE_LIMIT, oversizedTemplates } from '../../src/stacks/inline-limit.js';
import type { StackKind } from '../../src/stacks/kind.js';
import { configOf } from '../support/config.js';
import { APP, V1 } from '../support/fake-aws.js';
import { resourcesStack } from '../../src/config/names.js';

/** The catalogue with one kind whose template is `bytes` larger than its own. */
function grown(id: string, bytes: number): StackKind[] {
  return CATALOGUE.map((kind) =>
    kind.id !== id
      ? kind
      : {
          ...kind,
          spec: (config, facts) => {
            const spec = kind.spec(config, facts);
            return { ...spec, template: { ...spec.template, Description: 'x'.repeat(bytes) } };
          },
        },
  );
}

describe("templates over CloudFormation's inline limit", () => {
  test("none of the product's stacks comes near the limit", () => {
    assert.deepEqual(oversizedTemplates(configOf({ version: V1 })), []);
    assert.deepEqual(oversizedTemplates(configOf({ version: V1, strategy: 'blue-green' })), []);
  });

  test('one over the limit is named with its size and the limit, before the run changes anything', () => {
    const config = configOf({ version: V1 });
    const [failure, ...others] = oversizedTemplates(config, grown('application-resources', INLINE_TEMPLATE_LIMIT));
    assert.deepEqual(others, []);
    assert.match(failure ?? '', new RegExp(`^The template of stack ${resourcesStack(APP, 'staging')} is [\\d,]+ bytes, over CloudFormation's limit of 51,200 bytes for a template sent inline; nothing was changed\\.`));
  });

  test('only the stacks of the steps the run takes are checked', () => {
    const config = configOf({ version: V1, steps: 'environment' });
    assert.deepEqual(oversizedTemplates(config, grown('application-release', INLINE_TEMPLATE_LIMIT)), []);
    assert.equal(oversizedTemplates(config, grown('environment-network', INLINE_TEMPLATE_LIMIT)).length, 1);
  });
});
