import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readImage } from '../../../src/config/sections/image.js';
import { readerOf, refusals } from '../../support/config.js';

describe('the image section', () => {
  test("reads a registry without its trailing slash, and its login", () => {
    const build = readImage(readerOf({ registry: 'ghcr.io/my-org/', 'registry-username': 'bot', 'registry-password': 'secret' }));
    assert.deepEqual([build.registry, build.registryUsername, build.registryPassword], ['ghcr.io/my-org', 'bot', 'secret']);
  });

  test('refuses a Dockerfile outside the repository', () => {
    const reader = readerOf({ dockerfile: '../Dockerfile' });
    readImage(reader);
    assert.deepEqual(refusals(reader), ['dockerfile: is not allowed: use a path inside the repository, relative, without ..']);
  });

  test('refuses a registry login without a registry: ECR takes none', () => {
    const reader = readerOf({ 'registry-username': 'bot' });
    readImage(reader);
    assert.deepEqual(refusals(reader), ['registry-username: is only used with registry: ECR needs no password, the action signs in with the AWS credentials']);
  });
});
