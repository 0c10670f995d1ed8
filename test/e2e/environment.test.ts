import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { APPLICATION, ZONE, describeStack, outputsOf, prepareEmulator, skip, type Emulator } from '../support/emulator.js';
import { runAction, type ActionRun } from '../support/run-action.js';

// Issue 4: the environment phase, run by the bundled action against an AWS API.

const ENVIRONMENTS = ['staging', 'production'] as const;

/** The first and last address of a CIDR block, as numbers. */
function range(cidr: string): [number, number] {
  const [address = '', bits = '32'] = cidr.split('/');
  const start = address.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
  return [start, start + 2 ** (32 - Number(bits)) - 1];
}

const overlap = (a: string, b: string) => {
  const [aStart, aEnd] = range(a);
  const [bStart, bEnd] = range(b);
  return aStart <= bEnd && bStart <= aEnd;
};

describe('the environment phase against an AWS API', { skip }, () => {
  let emulator: Emulator;
  const firstRuns = new Map<string, ActionRun>();
  const environmentOnly = (environment: string) => runAction({
    awsEndpoint: emulator.endpoint,
    inputs: { 'application-name': APPLICATION, 'hosted-zone': ZONE, environment, steps: 'environment' },
  });

  before(async () => {
    emulator = await prepareEmulator();
    for (const environment of ENVIRONMENTS) firstRuns.set(environment, await environmentOnly(environment));
  });
  after(() => emulator?.close());

  test('staging and production each create the base, their own network and the application resources', async (t) => {
    for (const environment of ENVIRONMENTS) {
      const run = firstRuns.get(environment)!;
      assert.equal(run.exitCode, 0, run.stdout + run.stderr);
      assert.equal(run.outputs['has-changes'], 'true');
      assert.equal(run.outputs.environment, environment);
    }
    const names = ['wimpy-base', 'wimpy-staging', 'wimpy-production', `${APPLICATION}-staging-resources`, `${APPLICATION}-production-resources`];
    for (const name of names) {
      const stack = await describeStack(emulator, name);
      assert.equal(stack?.StackStatus, 'CREATE_COMPLETE', name);
      t.diagnostic(`${name}: ${stack?.StackStatus}${stack?.EnableTerminationProtection ? ', termination protection on' : ''}`);
    }
  });

  test('the shared stacks are protected from deletion from the moment they exist', async () => {
    for (const name of ['wimpy-base', 'wimpy-staging', 'wimpy-production']) {
      assert.equal((await describeStack(emulator, name))?.EnableTerminationProtection, true, name);
    }
    assert.notEqual((await describeStack(emulator, `${APPLICATION}-staging-resources`))?.EnableTerminationProtection, true);
  });

  test('each environment has its own VPC, and their address ranges do not overlap', async (t) => {
    const [staging, production] = await Promise.all(ENVIRONMENTS.map(async (environment) => outputsOf(await describeStack(emulator, `wimpy-${environment}`))));
    t.diagnostic(`wimpy-staging: ${staging!.VpcId} ${staging!.VpcCidr}; wimpy-production: ${production!.VpcId} ${production!.VpcCidr}`);
    assert.match(staging!.VpcId ?? '', /^vpc-/);
    assert.match(production!.VpcId ?? '', /^vpc-/);
    assert.notEqual(staging!.VpcId, production!.VpcId);
    assert.equal(overlap(staging!.VpcCidr!, production!.VpcCidr!), false, `${staging!.VpcCidr} overlaps ${production!.VpcCidr}`);
  });

  test('a second run changes no stack, and says so in its outputs, log and summary', async (t) => {
    for (const environment of ENVIRONMENTS) {
      const again = await environmentOnly(environment);
      assert.equal(again.exitCode, 0, again.stdout + again.stderr);
      assert.equal(again.outputs['has-changes'], 'false');
      const unchanged = ['wimpy-base', `wimpy-${environment}`, `${APPLICATION}-${environment}-resources`];
      for (const name of unchanged) assert.match(again.stdout, new RegExp(`Stack ${name}: no changes`));
      assert.match(again.summary, new RegExp(`${APPLICATION}\\S* in \\S*${environment}\\S* is up to date`));
      for (const name of unchanged) assert.match(again.summary, new RegExp(`${name}\\S* \\| unchanged \\| no changes`));
      t.diagnostic(`${environment}, second run: has-changes=${again.outputs['has-changes']}; summary: ${again.summary.split('\n')[0]}`);
    }
  });
});
