import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isImageReference, pinnedImage, registryOf } from '../../src/config/image-reference.js';

const DIGEST = `sha256:${'e'.repeat(64)}`;

describe('the image reference grammar', () => {
  test('accepts what docker pulls: a host with a port, a tag, a digest, or both', () => {
    for (const reference of ['nginx', 'localhost:5000/team/app:1.0', `ghcr.io/org/app:v1.4.2@${DIGEST}`, `app@${DIGEST}`]) assert.ok(isImageReference(reference), reference);
  });

  test('refuses uppercase repositories, a scheme, and a digest that is not sha256', () => {
    for (const reference of ['Org/App', 'https://ghcr.io/org/app', 'app@md5:abc']) assert.equal(isImageReference(reference), false, reference);
  });

  test('the registry is the first part only when it is a host; docker.io otherwise', () => {
    assert.deepEqual([`localhost:5000/app@${DIGEST}`, `ghcr.io/org/app@${DIGEST}`, `library/nginx@${DIGEST}`, 'nginx'].map(registryOf), ['localhost:5000', 'ghcr.io', 'docker.io', 'docker.io']);
  });

  test('a pinned image is its repository and digest', () => {
    assert.equal(pinnedImage({ repository: 'ghcr.io/org/app', digest: DIGEST }), `ghcr.io/org/app@${DIGEST}`);
  });
});
