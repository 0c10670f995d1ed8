import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CATALOGUE, phaseKinds, removalOrder, waves, wavesFor } from '../../src/stacks/catalogue.js';
import type { StackKind } from '../../src/stacks/kind.js';
import { applicationRelease, isReleaseStack } from '../../src/stacks/application-release.js';
import { applicationSchedules } from '../../src/stacks/application-schedules.js';
import { configOf } from '../support/config.js';

const ids = (kinds: readonly { id: string }[]) => kinds.map((kind) => kind.id);

/** A kind of the test's own: only what the order is derived from matters here. */
function kind(id: string, dependsOn: string[], overrides: Partial<StackKind> = {}): StackKind {
  return { ...CATALOGUE[0]!, id, dependsOn, ...overrides };
}

describe('the stack catalogue', () => {
  test('places every kind after the kinds it imports from', () => {
    assert.deepEqual(waves().map(({ kind: placed, wave }) => [wave, placed.id]), [
      [1, 'account-baseline'],
      [2, 'environment-network'],
      [3, 'application-load-balancer'],
      [4, 'application-resources'],
      [5, 'application-database'],
      [6, 'application-release'],
      [7, 'application-schedules'],
    ]);
  });

  test('a new kind takes its place from its dependencies alone, side by side with its peers', () => {
    const cache = kind('cache', ['environment-network'], { phase: 'environment' });
    assert.deepEqual(waves([...CATALOGUE, cache]).map(({ kind: placed, wave }) => [wave, placed.id]), [
      [1, 'account-baseline'],
      [2, 'environment-network'],
      [3, 'application-load-balancer'],
      [3, 'cache'],
      [4, 'application-resources'],
      [5, 'application-database'],
      [6, 'application-release'],
      [7, 'application-schedules'],
    ]);
  });

  test('refuses a dependency the catalogue does not hold, and a cycle', () => {
    assert.throws(() => waves([kind('a', ['nowhere'])]), /a depends on nowhere, which the catalogue does not hold/);
    assert.throws(() => waves([kind('a', ['b']), kind('b', ['a'])]), /cycle: a -> b -> a/);
  });

  test('each phase applies its own kinds', () => {
    assert.deepEqual(ids(phaseKinds('environment', configOf()).map((placed) => placed.kind)), ['account-baseline', 'environment-network', 'application-load-balancer', 'application-resources']);
    assert.deepEqual(ids(phaseKinds('deploy', configOf()).map((placed) => placed.kind)), ['application-release']);
  });

  test('a database is a kind of its own, after the resources it uses and before the release that reads it, only when asked for', () => {
    assert.deepEqual(wavesFor(configOf({ database: 'postgres' })).map((placed) => [placed.kind.id, placed.wave]), [['account-baseline', 1], ['environment-network', 2], ['application-load-balancer', 3], ['application-resources', 4], ['application-database', 5], ['application-release', 6]]);
    // Without one the waves close up: the release follows the resources.
    assert.deepEqual(wavesFor(configOf()).map((placed) => [placed.kind.id, placed.wave]), [['account-baseline', 1], ['environment-network', 2], ['application-load-balancer', 3], ['application-resources', 4], ['application-release', 5]]);
    assert.deepEqual(ids(phaseKinds('environment', configOf({ database: 'postgres' })).map((placed) => placed.kind)), ['account-baseline', 'environment-network', 'application-load-balancer', 'application-resources', 'application-database']);
    // Destroy removes it by its own rules (destroy-database, a final snapshot), never as the catalogue's removal.
    assert.deepEqual(ids(removalOrder(configOf({ database: 'postgres' }), 'destroy')), ['application-schedules', 'application-release', 'application-resources', 'application-load-balancer']);
  });

  test("destroy removes the application's kinds, what imports first; the environment's only when asked; the baseline never", () => {
    const config = configOf();
    assert.deepEqual(ids(removalOrder(config, 'destroy')), ['application-schedules', 'application-release', 'application-resources', 'application-load-balancer']);
    assert.deepEqual(ids(removalOrder(config, 'destroy-environment')), ['environment-network']);
    assert.ok(CATALOGUE.every((each) => each.id !== 'account-baseline' || each.removal.by === 'never'));
  });

  test("a preview never removes what it shares with staging: its network and the application's load balancer", () => {
    const preview = { ...configOf(), environment: 'pr-7', preview: 7 };
    assert.deepEqual(ids(removalOrder(preview, 'destroy-environment')), []);
    assert.deepEqual(ids(removalOrder(preview, 'destroy')), ['application-schedules', 'application-release', 'application-resources']);
  });

  test('schedules are a kind of their own, applied after the release whose task definition they name and removed before it, only when asked for', () => {
    const config = configOf({ schedules: 'cron(0 3 * * ? *) ./nightly' });
    assert.deepEqual(wavesFor(config).map((placed) => [placed.kind.id, placed.wave]), [['account-baseline', 1], ['environment-network', 2], ['application-load-balancer', 3], ['application-resources', 4], ['application-release', 5], ['application-schedules', 6]]);
    assert.deepEqual(ids(phaseKinds('deploy', config).map((placed) => placed.kind)), ['application-release', 'application-schedules']);
    assert.deepEqual(ids(phaseKinds('deploy', configOf()).map((placed) => placed.kind)), ['application-release']);
    // Removed by its name, whether or not the destroying run names schedules; a preview never has one.
    assert.deepEqual(applicationSchedules.stacksToRemove(configOf(), []), ['awesome-application-staging-schedules']);
    assert.deepEqual(applicationSchedules.stacksToRemove({ ...configOf(), environment: 'pr-7', preview: 7 }, []), []);
    assert.deepEqual(configOf({ schedules: 'cron(0 3 * * ? *) ./nightly' }, { sha: 'a'.repeat(40), intent: { kind: 'preview-deploy', pullRequest: 7 } }).schedules, []);
  });

  test('a release stack is one whose name its tags give: rolling or blue-green, never the resources stack', () => {
    const tags = { 'wimpy:application': 'shop', 'wimpy:environment': 'production', 'wimpy:version': 'v142' };
    const summary = (name: string, extra = {}) => ({ name, status: 'CREATE_COMPLETE', outputs: {}, parameters: {}, tags: { ...tags, ...extra } });
    assert.ok(isReleaseStack(summary('shop-production')));
    assert.ok(isReleaseStack(summary('shop-production-v142')));
    assert.ok(!isReleaseStack(summary('shop-production-resources')));
    const config = { ...configOf({ environment: 'production' }), application: 'shop' };
    assert.deepEqual(applicationRelease.stacksToRemove(config, [summary('shop-production-v142'), summary('shop-production-resources'), summary('shop-staging', { 'wimpy:environment': 'staging' })]), ['shop-production-v142']);
  });
});
