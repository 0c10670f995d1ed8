import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readContainer } from '../../../src/config/sections/container.js';
import { readerOf, refusals } from '../../support/config.js';

describe('the container section', () => {
  test("a secret's relative name is under the environment's path; a preview's under the previews' own", () => {
    assert.deepEqual(readContainer(readerOf({ secrets: 'TOKEN=token' }), 'shop', 'production').secrets, [{ name: 'TOKEN', parameter: '/shop/production/token' }]);
    assert.deepEqual(readContainer(readerOf({ secrets: 'TOKEN=token' }), 'shop', 'pr-7').secrets, [{ name: 'TOKEN', parameter: '/shop/preview/token' }]);
  });

  test('refuses a variable the action sets itself', () => {
    const reader = readerOf({ 'environment-variables': 'PORT=1' });
    readContainer(reader, 'shop', 'staging');
    assert.deepEqual(refusals(reader), ['environment-variables: sets PORT, which the action sets itself (ENVIRONMENT, PORT, DOCKER_REGISTRY, KMS_MASTER_KEY, S3_BUCKET)']);
  });
});
