import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applicationStack, hostname, pinnedHostname, resourcesStack, versionLabel } from '../../src/config/names.js';

describe('names', () => {
  test('production is served at <app>.<zone>', () => {
    assert.equal(hostname('awesome-application', 'production', 'armesto.net'), 'awesome-application.armesto.net');
  });

  test('other environments and previews at <app>-<environment>.<zone>', () => {
    assert.equal(hostname('awesome-application', 'staging', 'armesto.net'), 'awesome-application-staging.armesto.net');
    assert.equal(hostname('awesome-application', 'pr-12', 'armesto.net'), 'awesome-application-pr-12.armesto.net');
  });

  test('a release is pinned at <app>-<environment>-<version7>.<zone>', () => {
    assert.equal(pinnedHostname('shop', 'production', '6113728f27ae82c7b1a177c8d03f9e96e0adf246', 'armesto.net'), 'shop-production-6113728.armesto.net');
  });

  test('stacks are named as the design says', () => {
    assert.equal(resourcesStack('shop', 'staging'), 'shop-staging-resources');
    assert.equal(applicationStack('shop', 'staging', 'rolling', 'v1'), 'shop-staging');
    assert.equal(applicationStack('shop', 'staging', 'blue-green', '6113728f27ae82c7b1a177c8d03f9e96e0adf246'), 'shop-staging-6113728');
  });

  test('a short tag that is a DNS label names its release as it is', () => {
    assert.equal(versionLabel('v142'), 'v142');
  });

  test('other tags keep a readable start and a digest, so two versions never share a label', () => {
    const a = versionLabel('v1.4.2');
    const b = versionLabel('v1-4-2');
    assert.match(a, /^v1-4-2-[0-9a-f]{5}$/);
    assert.notEqual(a, b);
    assert.match(versionLabel('Release_2026.11.23-final'), /^[a-z0-9-]{1,13}$/);
  });
});
