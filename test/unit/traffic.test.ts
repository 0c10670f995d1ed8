import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AlarmState, WeightedTarget } from '../../src/engine/ports.js';
import type { Health, Release } from '../../src/engine/releases.js';
import {
  assertServable,
  canaryPlan,
  cleanupCandidates,
  judgeStep,
  promotePlan,
  replacesTag,
  rollbackWeights,
  TrafficError,
  type CleanupOptions,
  type Weighted,
} from '../../src/engine/traffic.js';

function target(setIdentifier: string, weight: number): WeightedTarget {
  return { setIdentifier, weight, dnsName: `dualstack.${setIdentifier}.eu-west-1.elb.amazonaws.com.`, hostedZoneId: 'Z32O12XQLNTSW2' };
}

/** Weight sets as [set identifier, weight] pairs, for readable expectations. */
function pairs(sets: readonly (readonly Weighted[])[]): [string, number][][] {
  return sets.map((set) => set.map((entry): [string, number] => [entry.setIdentifier, entry.weight]));
}

describe('canaryPlan', () => {
  test('gives each step to the new release and the rest to the serving one, with every other record at 0', () => {
    const plan = canaryPlan([10, 50, 100], [target('app-v0', 0), target('app-v1', 100)], target('app-v2', 0));
    assert.deepEqual(pairs(plan), [
      [['app-v0', 0], ['app-v1', 90], ['app-v2', 10]],
      [['app-v0', 0], ['app-v1', 50], ['app-v2', 50]],
      [['app-v0', 0], ['app-v1', 0], ['app-v2', 100]],
    ]);
  });

  test('returns whole records, the new one with the alias target it was given', () => {
    const next = { ...target('app-v2', 0), dnsName: 'dualstack.new-alb.eu-west-1.elb.amazonaws.com.' };
    const [first] = canaryPlan([25], [target('app-v1', 100)], next);
    assert.deepEqual(first, [{ ...target('app-v1', 100), weight: 75 }, { ...next, weight: 25 }]);
  });

  test('stops at the last step, leaving a canary when it is below 100', () => {
    assert.deepEqual(pairs(canaryPlan([10, 50], [target('app-v1', 100)], target('app-v2', 0))).at(-1), [['app-v1', 50], ['app-v2', 50]]);
  });

  test('sends all traffic at once to the first release, since there is nothing to share with', () => {
    assert.deepEqual(pairs(canaryPlan([10, 50], [], target('app-v1', 0))), [[['app-v1', 100]]]);
  });

  test('continues an interrupted canary from the share it already has', () => {
    assert.deepEqual(pairs(canaryPlan([10, 50, 100], [target('app-v1', 90), target('app-v2', 10)], target('app-v2', 10))), [
      [['app-v1', 50], ['app-v2', 50]],
      [['app-v1', 0], ['app-v2', 100]],
    ]);
  });

  test('refuses to start while traffic is split between two other releases', () => {
    assert.throws(
      () => canaryPlan([10, 100], [target('app-v1', 50), target('app-v2', 50)], target('app-v3', 0)),
      new TrafficError('Traffic is split between app-v1 (50), app-v2 (50): promote or roll back that canary before moving traffic to app-v3.'),
    );
  });

  test('refuses steps that are not ascending percentages', () => {
    for (const steps of [[], [50, 10], [0, 100], [10, 101], [12.5]]) {
      assert.throws(() => canaryPlan(steps, [target('app-v1', 100)], target('app-v2', 0)), TrafficError, `steps ${steps.join(',')}`);
    }
  });

  test('treats the record of a rolling stack as the previous release when an application switches to blue-green', () => {
    assert.deepEqual(pairs(canaryPlan([50, 100], [target('shop-production', 100)], target('shop-production-v2', 0))), [
      [['shop-production', 50], ['shop-production-v2', 50]],
      [['shop-production', 0], ['shop-production-v2', 100]],
    ]);
  });

  test('never returns a weight set that is all zeros or outside what Route 53 accepts', () => {
    const records = fc.uniqueArray(fc.record({ setIdentifier: fc.constantFrom<string>('a', 'b', 'c', 'd'), weight: fc.integer({ min: 0, max: 255 }) }), { selector: (entry) => entry.setIdentifier });
    const steps = fc.uniqueArray(fc.integer({ min: 1, max: 100 }), { minLength: 1 }).map((values) => values.sort((x, y) => x - y));
    fc.assert(
      fc.property(records, steps, fc.constantFrom('a', 'e'), (current, plan, next) => {
        let sets: Weighted[][];
        try {
          sets = canaryPlan(plan, current, { setIdentifier: next, weight: 0 });
        } catch (error) {
          if (error instanceof TrafficError && error.message.startsWith('Traffic is split')) return;
          throw error;
        }
        for (const set of sets) {
          assert.equal(set.reduce((sum, entry) => sum + entry.weight, 0), 100);
          assert.ok(set.every((entry) => Number.isInteger(entry.weight) && entry.weight >= 0 && entry.weight <= 255));
        }
      }),
    );
  });
});

describe('assertServable', () => {
  test('refuses a set whose weights are all 0, which Route 53 would answer with every release alike', () => {
    assert.throws(() => assertServable([target('app-v1', 0), target('app-v2', 0)]), /Every weight would be 0/);
  });

  test('refuses weights that are not integers from 0 to 255', () => {
    assert.throws(() => assertServable([target('app-v1', 256)]), /Weight 256 of app-v1/);
    assert.throws(() => assertServable([target('app-v1', 1.5)]), /Weight 1.5 of app-v1/);
  });
});

describe('promotePlan', () => {
  test('continues from the canary’s share to 100, even when the deploy steps stopped below it', () => {
    assert.deepEqual(pairs(promotePlan([10, 50], [target('app-v1', 90), target('app-v2', 10)], 'app-v2')), [
      [['app-v1', 50], ['app-v2', 50]],
      [['app-v1', 0], ['app-v2', 100]],
    ]);
  });

  test('has nothing to do for a release that already serves all traffic', () => {
    assert.deepEqual(promotePlan([10, 50, 100], [target('app-v1', 0), target('app-v2', 100)], 'app-v2'), []);
  });

  test('refuses a release with no record', () => {
    assert.throws(() => promotePlan([100], [target('app-v1', 100)], 'app-v2'), new TrafficError('app-v2 has no weighted record: there is no canary to promote.'));
  });
});

describe('rollbackWeights', () => {
  test('sends all traffic to the target and none to the rest', () => {
    assert.deepEqual(pairs([rollbackWeights([target('app-v1', 0), target('app-v2', 50), target('app-v3', 50)], target('app-v1', 0))]), [[['app-v2', 0], ['app-v3', 0], ['app-v1', 100]]]);
  });

  test('adds the target when the hostname has no record for it, such as a return to the rolling stack', () => {
    assert.deepEqual(pairs([rollbackWeights([target('shop-production-v2', 100)], target('shop-production', 0))]), [[['shop-production-v2', 0], ['shop-production', 100]]]);
  });
});

describe('replacesTag', () => {
  test('names the release that serves all traffic when the new one is created', () => {
    assert.deepEqual(replacesTag([target('app-v0', 0), target('app-v1', 100)], 'app-v2'), { 'wimpy:replaces': 'app-v1' });
  });

  test('is empty for the first release', () => {
    assert.deepEqual(replacesTag([], 'app-v1'), {});
  });
});

const NOW = Date.UTC(2026, 0, 2);
const TTL = 60;

function release(version: string, minute: number, weight: number, health: Health, extra: Partial<Release> = {}): Release {
  return {
    version,
    stackName: `app-${version}`,
    stackStatus: 'CREATE_COMPLETE',
    createdAt: new Date(Date.UTC(2026, 0, 1, 12, minute)),
    weight,
    hasRecord: true,
    ownLoadBalancer: false,
    health,
    reason: 'given',
    warm: true,
    ...extra,
  };
}

/** Zero for long enough: more than twice the TTL before NOW. */
const LONG_AGO = NOW - 2 * TTL * 1000;

function options(keepReleases: number, zeroSince: Record<string, number>): CleanupOptions {
  return { keepReleases, now: NOW, dnsTtlSeconds: TTL, zeroSince: new Map(Object.entries(zeroSince)) };
}

function names(plan: ReturnType<typeof cleanupCandidates>): { remove: string[]; waiting: [string, number][]; kept: string[] } {
  return {
    remove: plan.remove.map((entry) => entry.version),
    waiting: plan.waiting.map((entry) => [entry.release.version, entry.readyAt]),
    kept: plan.kept.map((entry) => entry.version),
  };
}

describe('cleanupCandidates', () => {
  // Releases of the first layout: each with a load balancer of its own, reached by weighted records.
  const firstLayout = { ownLoadBalancer: true };
  const history = [release('v4', 4, 100, 'good', firstLayout), release('v3', 3, 0, 'good', firstLayout), release('v2', 2, 0, 'good', firstLayout), release('v1', 1, 0, 'good', firstLayout)];

  test('removes a release behind the load balancer at once: the listener stopped sending it requests at weight 0', () => {
    const behind = [release('v3', 3, 100, 'good'), release('v2', 2, 0, 'good'), release('v1', 1, 0, 'good')];
    assert.deepEqual(names(cleanupCandidates(behind, options(0, {}))), { remove: ['v1'], waiting: [], kept: ['v3', 'v2'] });
  });

  test('removes releases of the first layout whose records have been at 0 for twice the TTL, keeping the newest previous good ones', () => {
    assert.deepEqual(names(cleanupCandidates(history, options(1, { 'app-v3': LONG_AGO, 'app-v2': LONG_AGO, 'app-v1': LONG_AGO }))), { remove: ['v2', 'v1'], waiting: [], kept: ['v4', 'v3'] });
    assert.deepEqual(names(cleanupCandidates(history, options(2, { 'app-v3': LONG_AGO, 'app-v2': LONG_AGO, 'app-v1': LONG_AGO }))), { remove: ['v1'], waiting: [], kept: ['v4', 'v3', 'v2'] });
  });

  test('never removes the serving release or the last good one, even with keepReleases 0', () => {
    assert.deepEqual(names(cleanupCandidates(history, options(0, { 'app-v3': LONG_AGO, 'app-v2': LONG_AGO, 'app-v1': LONG_AGO }))), { remove: ['v2', 'v1'], waiting: [], kept: ['v4', 'v3'] });
  });

  test('waits for a release of the first layout that left traffic recently, and counts one of unknown age from now', () => {
    const plan = cleanupCandidates(history, options(0, { 'app-v2': NOW - 30_000 }));
    assert.deepEqual(names(plan), { remove: [], waiting: [['v2', NOW + 90_000], ['v1', NOW + 120_000]], kept: ['v4', 'v3'] });
  });

  test('removes failed releases whatever their age, even newer than the serving one', () => {
    const plan = cleanupCandidates([release('v3', 3, 0, 'failed', firstLayout), release('v2', 2, 100, 'good'), release('v1', 1, 0, 'good')], options(5, { 'app-v3': LONG_AGO }));
    assert.deepEqual(names(plan), { remove: ['v3'], waiting: [], kept: ['v2', 'v1'] });
  });

  test('removes nothing that has a record when all records are at 0, because then they all serve', () => {
    const plan = cleanupCandidates([release('v2', 2, 0, 'failed'), release('v1', 1, 0, 'failed')], options(0, { 'app-v2': LONG_AGO, 'app-v1': LONG_AGO }));
    assert.deepEqual(names(plan), { remove: [], waiting: [], kept: ['v2', 'v1'] });
  });

  test('leaves stacks with an operation in progress alone', () => {
    const plan = cleanupCandidates(
      [release('v3', 3, 0, 'in-progress', { stackStatus: 'CREATE_IN_PROGRESS', hasRecord: false, warm: false }), release('v2', 2, 100, 'good'), release('v1', 1, 0, 'in-progress', { stackStatus: 'UPDATE_IN_PROGRESS', warm: false })],
      options(0, {}),
    );
    assert.deepEqual(names(plan), { remove: [], waiting: [], kept: ['v3', 'v2', 'v1'] });
  });

  test('removes a release whose deletion failed again, whatever its age', () => {
    const plan = cleanupCandidates([release('v2', 2, 100, 'good'), release('v1', 1, 0, 'failed', { stackStatus: 'DELETE_FAILED', warm: false })], options(0, {}));
    assert.deepEqual(names(plan), { remove: ['v1'], waiting: [], kept: ['v2'] });
  });
});

describe('judgeStep', () => {
  const alarm = (name: string, state: string, reason = `${name} crossed its threshold`): AlarmState => ({ name, state, reason });

  test('continues when no alarm is in ALARM', () => {
    assert.deepEqual(judgeStep([]), { action: 'continue' });
    assert.deepEqual(judgeStep([alarm('latency', 'OK'), alarm('errors', 'INSUFFICIENT_DATA')]), { action: 'continue' });
  });

  test('reverts with the name and reason of the alarm in ALARM, naming any other', () => {
    assert.deepEqual(judgeStep([alarm('latency', 'OK'), alarm('errors', 'ALARM'), alarm('cpu', 'ALARM')]), {
      action: 'revert',
      alarm: 'errors',
      reason: 'errors crossed its threshold',
      message: 'Alarm errors is in ALARM: errors crossed its threshold (also in ALARM: cpu)',
    });
  });
});
