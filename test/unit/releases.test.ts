import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { releaseStack, resourcesStack, rollingStack, TAG_APPLICATION, TAG_ENVIRONMENT, TAG_VERSION } from '../../src/config/names.js';
import type { StackSummary, WeightedTarget } from '../../src/engine/ports.js';
import { lastGood, releaseHistory, ReleaseError, rollbackTarget, serving, TAG_REPLACES, type Release } from '../../src/engine/releases.js';

const APP = 'shop';
const ENV = 'production';
const SHA = '0123456789abcdef0123456789abcdef01234567';

interface StackOptions {
  readonly minute: number;
  readonly status?: string;
  readonly replaces?: string;
  readonly name?: string;
}

/** A stack as the stacks adapter lists it; `minute` orders creation times. */
function stack(version: string, options: StackOptions): StackSummary {
  return {
    name: options.name ?? releaseStack(APP, ENV, version),
    status: options.status ?? 'CREATE_COMPLETE',
    outputs: {},
    parameters: {},
    tags: {
      [TAG_APPLICATION]: APP,
      [TAG_ENVIRONMENT]: ENV,
      [TAG_VERSION]: version,
      ...(options.replaces ? { [TAG_REPLACES]: releaseStack(APP, ENV, options.replaces) } : {}),
    },
    createdAt: new Date(Date.UTC(2026, 0, 1, 12, options.minute)),
  };
}

function record(version: string, weight: number, name = releaseStack(APP, ENV, version)): WeightedTarget {
  return { setIdentifier: name, weight, dnsName: `dualstack.${name}.eu-west-1.elb.amazonaws.com.`, hostedZoneId: 'Z32O12XQLNTSW2' };
}

function byVersion(releases: readonly Release[]): Record<string, Pick<Release, 'health' | 'weight'>> {
  return Object.fromEntries(releases.map((release) => [release.version, { health: release.health, weight: release.weight }]));
}

/** v1 served; v2's canary was reverted; v3 replaced v1 and serves everything. */
const REVERTED_THEN_PROMOTED = releaseHistory(
  [stack('v1', { minute: 1 }), stack('v2', { minute: 2, replaces: 'v1' }), stack('v3', { minute: 3, replaces: 'v1' })],
  [record('v1', 0), record('v2', 0), record('v3', 100)],
);

describe('releaseHistory', () => {
  test('lists the release stacks newest first, with version, stack, status, creation time and weight', () => {
    const releases = releaseHistory([stack('v1', { minute: 1 }), stack('v2', { minute: 2, status: 'UPDATE_COMPLETE', replaces: 'v1' })], [record('v1', 0), record('v2', 100)]);
    assert.deepEqual(releases, [
      {
        version: 'v2', stackName: 'shop-production-v2', stackStatus: 'UPDATE_COMPLETE', createdAt: new Date(Date.UTC(2026, 0, 1, 12, 2)),
        weight: 100, hasRecord: true, ownLoadBalancer: false, health: 'good', reason: 'it serves all traffic', warm: true, replaces: 'shop-production-v1',
      },
      {
        version: 'v1', stackName: 'shop-production-v1', stackStatus: 'CREATE_COMPLETE', createdAt: new Date(Date.UTC(2026, 0, 1, 12, 1)),
        weight: 0, hasRecord: true, ownLoadBalancer: false, health: 'good', reason: 'it served all traffic until a newer release replaced it', warm: true,
      },
    ]);
  });

  test('leaves out a stack being deleted or deleted: no run waits for a deletion, so each takes it for gone; one whose deletion failed stays', () => {
    const releases = releaseHistory(
      [stack('v1', { minute: 1, status: 'DELETE_IN_PROGRESS' }), stack('v2', { minute: 2, status: 'DELETE_COMPLETE' }), stack('v3', { minute: 3, status: 'DELETE_FAILED' }), stack('v4', { minute: 4 })],
      [record('v4', 100)],
    );
    assert.deepEqual(releases.map((release) => [release.version, release.stackStatus]), [['v4', 'CREATE_COMPLETE'], ['v3', 'DELETE_FAILED']]);
  });

  test('leaves out the resources stack and stacks without a version, though they carry the same tags', () => {
    const resources = stack('v1', { minute: 0, name: resourcesStack(APP, ENV) });
    const unversioned = { ...stack('v2', { minute: 0 }), tags: { [TAG_APPLICATION]: APP, [TAG_ENVIRONMENT]: ENV } };
    assert.deepEqual(releaseHistory([resources, unversioned, stack('v3', { minute: 3 })], []).map((release) => release.stackName), ['shop-production-v3']);
  });

  test('counts the rolling stack as a release, so that switching to blue-green keeps it in the history', () => {
    const releases = releaseHistory([stack('v1', { minute: 1, name: rollingStack(APP, ENV) })], [record('v1', 100, rollingStack(APP, ENV))]);
    assert.deepEqual(releases.map((release) => [release.stackName, release.health]), [['shop-production', 'good']]);
  });

  test('gives weight 0 and no record to a release the hostname does not point at', () => {
    const [release] = releaseHistory([stack('v1', { minute: 1 })], []);
    assert.deepEqual([release?.weight, release?.hasRecord], [0, false]);
  });

  test('calls a release good when a newer release replaced it, and failed when it lost its traffic without being replaced', () => {
    assert.deepEqual(byVersion(REVERTED_THEN_PROMOTED), {
      v3: { health: 'good', weight: 100 },
      v2: { health: 'failed', weight: 0 },
      v1: { health: 'good', weight: 0 },
    });
  });

  test('calls a canary in progress and the release it replaces good', () => {
    const releases = releaseHistory([stack('v1', { minute: 1 }), stack('v2', { minute: 2, replaces: 'v1' })], [record('v1', 90), record('v2', 10)]);
    assert.deepEqual(byVersion(releases), { v2: { health: 'in-progress', weight: 10 }, v1: { health: 'good', weight: 90 } });
  });

  test('follows the stack status first: in progress is in progress, broken is failed, and neither is warm', () => {
    const releases = releaseHistory(
      [stack('v1', { minute: 1, status: 'ROLLBACK_COMPLETE' }), stack('v2', { minute: 2, status: 'CREATE_IN_PROGRESS' }), stack('v3', { minute: 3, status: 'UPDATE_ROLLBACK_COMPLETE' })],
      [record('v3', 100)],
    );
    assert.deepEqual(releases.map((release) => [release.version, release.health, release.warm]), [['v3', 'good', true], ['v2', 'in-progress', false], ['v1', 'failed', false]]);
  });
});

describe('serving', () => {
  test('is the releases with a weight above 0', () => {
    const releases = releaseHistory([stack('v1', { minute: 1 }), stack('v2', { minute: 2, replaces: 'v1' }), stack('v3', { minute: 3 })], [record('v1', 50), record('v2', 50), record('v3', 0)]);
    assert.deepEqual(serving(releases).map((release) => release.version), ['v2', 'v1']);
  });

  test('is every release with a record when all records are at 0, because Route 53 then answers them all', () => {
    const releases = releaseHistory([stack('v1', { minute: 1 }), stack('v2', { minute: 2 }), stack('v3', { minute: 3 })], [record('v1', 0), record('v2', 0)]);
    assert.deepEqual(serving(releases).map((release) => release.version), ['v2', 'v1']);
  });
});

describe('lastGood', () => {
  test('skips a reverted canary and returns the good release before the serving one', () => {
    assert.equal(lastGood(REVERTED_THEN_PROMOTED)?.version, 'v1');
  });

  test('during a canary, is the release the canary replaces', () => {
    const releases = releaseHistory([stack('v1', { minute: 1 }), stack('v2', { minute: 2, replaces: 'v1' }), stack('v3', { minute: 3, replaces: 'v2' })], [record('v2', 50), record('v3', 50)]);
    assert.equal(lastGood(releases)?.version, 'v2');
  });

  test('leaves out the excepted version entirely', () => {
    const releases = releaseHistory([stack('v1', { minute: 1 }), stack('v2', { minute: 2, replaces: 'v1' }), stack('v3', { minute: 3, replaces: 'v2' })], [record('v3', 100)]);
    assert.deepEqual([lastGood(releases)?.version, lastGood(releases, 'v2')?.version], ['v2', 'v1']);
  });

  test('is undefined when no good release precedes the serving one', () => {
    assert.equal(lastGood(releaseHistory([stack('v1', { minute: 1 })], [record('v1', 100)])), undefined);
  });

  test('never returns a release whose stack is broken', () => {
    const releases = releaseHistory([stack('v1', { minute: 1, status: 'UPDATE_ROLLBACK_FAILED' }), stack('v2', { minute: 2, replaces: 'v1' })], [record('v2', 100)]);
    assert.equal(lastGood(releases), undefined);
  });
});

describe('rollbackTarget', () => {
  test('without a version, flips to the last good release', () => {
    assert.deepEqual(rollbackTarget(REVERTED_THEN_PROMOTED), { kind: 'flip', release: REVERTED_THEN_PROMOTED[2] });
  });

  test('without a version and no good release, says so and asks for a version', () => {
    const releases = releaseHistory([stack('v1', { minute: 1 })], [record('v1', 100)]);
    assert.throws(() => rollbackTarget(releases, ''), new ReleaseError('There is no good release to go back to (serving: v1). Give the version to roll back to.'));
  });

  test('finds a release by the short SHA of its full-SHA version', () => {
    const releases = releaseHistory([stack(SHA, { minute: 1 }), stack('v2', { minute: 2, replaces: SHA })], [record('v2', 100), record(SHA, 0)]);
    assert.deepEqual(rollbackTarget(releases, '0123456'), { kind: 'flip', release: releases[1] });
  });

  test('flips to a named release even when it was rolled back, since a person chose it', () => {
    assert.deepEqual(rollbackTarget(REVERTED_THEN_PROMOTED, 'v2'), { kind: 'flip', release: REVERTED_THEN_PROMOTED[1] });
  });

  test('redeploys a named version whose stack is gone or broken', () => {
    const releases = releaseHistory([stack('v1', { minute: 1, status: 'DELETE_FAILED' }), stack('v2', { minute: 2 })], [record('v2', 100)]);
    assert.deepEqual(
      [rollbackTarget(releases, 'v0'), rollbackTarget(releases, 'v1')],
      [
        { kind: 'redeploy', version: 'v0', reason: 'no stack of version v0 remains' },
        { kind: 'redeploy', version: 'v1', reason: 'its stack shop-production-v1 is DELETE_FAILED' },
      ],
    );
  });

  test('refuses a named release whose stack is still being deployed', () => {
    const releases = releaseHistory([stack('v1', { minute: 1 }), stack('v2', { minute: 2, status: 'UPDATE_IN_PROGRESS' })], [record('v1', 100)]);
    assert.throws(() => rollbackTarget(releases, 'v2'), new ReleaseError('Release v2 cannot take traffic now: its stack shop-production-v2 is UPDATE_IN_PROGRESS. Wait for it to finish.'));
  });
});
