import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_STACK, environmentStack } from '../../src/config/names.js';
import { configOf } from '../support/config.js';
import { FakeAws } from '../support/fake-aws.js';

/** Account-wide settings change only on purpose, whatever each application's inputs say. */

const trailOf = (aws: FakeAws) => Object.keys((aws.stacks.get(BASE_STACK)?.template.Resources ?? {}) as Record<string, unknown>).includes('Trail');

describe('the account trail shared by every application', () => {
  test('two applications with different cloudtrail inputs: the trail is created once, never removed, and the second run warns', async () => {
    const aws = new FakeAws();
    const first = await aws.run(configOf({ 'application-name': 'shop', cloudtrail: 'true' }));
    assert.equal(first.report.status, 'success');
    assert.equal(trailOf(aws), true);
    const baseApplies = aws.stacks.updated.filter((name) => name === BASE_STACK).length;

    const second = await aws.run(configOf({ 'application-name': 'blog', cloudtrail: 'false' }));

    assert.equal(second.report.status, 'success');
    assert.equal(trailOf(aws), true, 'the trail stays');
    assert.equal(aws.stacks.updated.filter((name) => name === BASE_STACK).length, baseApplies, 'wimpy-base is not changed at all');
    const warning = `cloudtrail: this run asks for false, but ${BASE_STACK}, which every application of the account shares, has true; kept true. To change it on purpose, run once with steps: environment and cloudtrail: false.`;
    assert.deepEqual(second.report.warnings, [warning]);
    assert.ok(aws.log.lines.includes(`warning: ${warning}`));
    const third = await aws.run(configOf({ 'application-name': 'shop', cloudtrail: 'true' }));
    assert.equal(third.report.warnings, undefined, 'a run that agrees says nothing');
  });

  test('the first run that creates the base stack sets the account value', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({ cloudtrail: 'false' }));
    assert.equal(trailOf(aws), false);
    const { report } = await aws.run(configOf({ 'application-name': 'blog' }));
    assert.equal(trailOf(aws), false, 'a later default does not turn it on behind the account owner');
    assert.match(report.warnings?.[0] ?? '', /cloudtrail: this run asks for true, .* has false; kept false\./);
  });

  test('a run of the environment phase alone changes it on purpose', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({ cloudtrail: 'true' }));
    const { report } = await aws.run(configOf({ cloudtrail: 'false', steps: 'environment' }));
    assert.equal(report.status, 'success');
    assert.equal(report.warnings, undefined);
    assert.equal(trailOf(aws), false);
    assert.equal(aws.stacks.get(BASE_STACK)?.tags['wimpy:cloudtrail'], 'false');
  });
});

describe("the environment's NAT, shared by every application of the environment", () => {
  const natOf = (aws: FakeAws) => Object.keys((aws.stacks.get(environmentStack('staging'))?.template.Resources ?? {}) as Record<string, unknown>).includes('NatInstance') ? 'instance' : 'gateway';

  test('the run that creates the network sets it; a later run that asks otherwise keeps it and warns', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({ 'application-name': 'shop', nat: 'instance' }));
    assert.equal(natOf(aws), 'instance');
    assert.equal(aws.stacks.get(environmentStack('staging'))?.tags['wimpy:nat'], 'instance');
    const { report } = await aws.run(configOf({ 'application-name': 'blog' }));
    assert.equal(natOf(aws), 'instance', "another application's default does not bring the NAT gateway back");
    assert.match(report.warnings?.[0] ?? '', /^nat: this run asks for gateway, but wimpy-staging, which every application in staging shares, has instance; kept instance\. To change it on purpose, run once with steps: environment and nat: gateway\.$/);
  });

  test('a run of the environment phase alone changes it on purpose', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({}));
    const { report } = await aws.run(configOf({ nat: 'instance', steps: 'environment' }));
    assert.equal(report.warnings, undefined);
    assert.equal(natOf(aws), 'instance');
  });
});
