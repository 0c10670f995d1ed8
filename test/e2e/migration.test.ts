import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deployInputs, describeStack, imageOf, outputsOf, prepareEmulator, recordsOf, ruleWeightsOf, skip, weightsOf, type Emulator } from '../support/emulator.js';
import { startAwsProxy, type AwsProxy } from '../support/aws-proxy.js';
import { repositoryFile } from '../support/github-stand-in.js';
import { logLines, runAction, type ActionRun } from '../support/run-action.js';

// Issue 16: a production of the first layout (a load balancer per release, weighted DNS records)
// moves to the application's one load balancer without downtime. The earlier version of the
// action itself, its bundle at the last commit of the first layout, deploys v1 and v2.

/** The last commit whose bundle deploys the first layout. */
const FIRST_LAYOUT = '20c6830f8d56642c066ce172f52e177913dfb51f';
const HOST = 'awesome-application.armesto.net';
const BALANCER = 'awesome-application-production-load-balancer';
const V1 = 'awesome-application-production-v1';
const V2 = 'awesome-application-production-v2';
const V3 = 'awesome-application-production-v3';
const PRODUCTION = { environment: 'production', strategy: 'blue-green', 'step-wait': '0', 'dns-ttl': '60' };

/** Weights by release, in the order of their names. */
const sorted = (weights: Record<string, number>) => JSON.stringify(Object.fromEntries(Object.entries(weights).sort(([a], [b]) => a.localeCompare(b))));

/** The earlier version's bundle, from git; undefined when this checkout does not have that commit. */
function firstLayoutBundle(into: string): string | undefined {
  try {
    const archive = execFileSync('git', ['-C', dirname(repositoryFile('.git')), 'archive', FIRST_LAYOUT, 'dist'], { maxBuffer: 64 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', into], { input: archive });
    return join(into, 'dist', 'index.js');
  } catch {
    return undefined;
  }
}

const folder = mkdtempSync(join(tmpdir(), 'wimpy-first-layout-'));
const bundle = skip ? undefined : firstLayoutBundle(folder);
const why = skip || (bundle ? false : `this checkout lacks commit ${FIRST_LAYOUT}, whose bundle deploys the first layout (a shallow clone)`);

describe('a production of weighted DNS records moves to the load balancer without downtime', { skip: why }, () => {
  let emulator: Emulator;
  let proxy: AwsProxy;
  /** The hostname's weighted records right after each Route 53 change of the move, and whether a plain alias was there. */
  const dnsSteps: string[] = [];
  let move: ActionRun;
  let earlier: { v1: Record<string, string>; v2: Record<string, string> };

  before(async () => {
    emulator = await prepareEmulator();
    for (const [version, digit] of [['v1', '1'], ['v2', '2']] as const) {
      const run = await runAction({ bundle, awsEndpoint: emulator.endpoint, inputs: deployInputs({ ...PRODUCTION, 'canary-steps': '100', version, image: imageOf(digit) }) });
      assert.equal(run.exitCode, 0, `the first layout's deploy of ${version}: ${run.stdout}${run.stderr}`);
    }
    earlier = { v1: outputsOf(await describeStack(emulator, V1)), v2: outputsOf(await describeStack(emulator, V2)) };
    proxy = await startAwsProxy({
      target: emulator.endpoint,
      afterAnswer: async (call) => {
        if (call.api !== 'route53:POST /2013-04-01/hostedzone/{id}/rrset') return;
        const records = await recordsOf(emulator, HOST);
        const alias = records.some((set) => set.Type === 'A' && set.SetIdentifier === undefined);
        dnsSteps.push(`${sorted(await weightsOf(emulator, HOST))}${alias ? ' + alias' : ''}`);
      },
    });
    move = await runAction({ awsEndpoint: proxy.url, inputs: deployInputs({ ...PRODUCTION, 'canary-steps': '10,50,100', version: 'v3', image: imageOf('3') }) });
  });
  after(async () => {
    await proxy?.close();
    emulator?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  test('the first layout serves through weighted records, each release behind a load balancer of its own', () => {
    assert.ok(earlier.v1.LoadBalancerDnsName && earlier.v2.LoadBalancerDnsName);
    assert.notEqual(earlier.v1.LoadBalancerDnsName, earlier.v2.LoadBalancerDnsName);
  });

  test("the new release takes the traffic record by record, the load balancer's record in the canary steps beside the serving release's, then one change replaces every weighted record with the alias", () => {
    assert.equal(move.exitCode, 0, move.stdout + move.stderr);
    assert.equal(move.outputs['stack-name'], V3);
    assert.deepEqual(dnsSteps, [
      sorted({ [V1]: 0, [V2]: 100, [BALANCER]: 0 }),
      sorted({ [V1]: 0, [V2]: 90, [BALANCER]: 10 }),
      sorted({ [V1]: 0, [V2]: 50, [BALANCER]: 50 }),
      sorted({ [V1]: 0, [V2]: 0, [BALANCER]: 100 }),
      `${sorted({})} + alias`,
    ]);
    assert.deepEqual(logLines(move, 'Traffic:').map((line) => line.trim()).slice(0, 3), [
      `Traffic: ${V1} 0%, ${V2} 90%, ${BALANCER} 10%`,
      `Traffic: ${V1} 0%, ${V2} 50%, ${BALANCER} 50%`,
      `Traffic: ${V1} 0%, ${V2} 0%, ${BALANCER} 100%`,
    ]);
  });

  test("the load balancer forwards the hostname to the new release alone, and the alias points at it", async () => {
    assert.deepEqual(await ruleWeightsOf(emulator, BALANCER, HOST), { [V3]: 100 });
    const balancer = outputsOf(await describeStack(emulator, BALANCER));
    const plain = (await recordsOf(emulator, HOST)).filter((set) => set.SetIdentifier === undefined);
    assert.deepEqual(plain.map((set) => `${set.Type} ${set.AliasTarget?.DNSName?.replace(/\.$/, '')}`).sort(), [`A ${balancer.LoadBalancerDnsName?.toLowerCase()}`, `AAAA ${balancer.LoadBalancerDnsName?.toLowerCase()}`]);
  });

  test('the releases of the first layout stay, with their own load balancers, until resolvers have forgotten their records', async () => {
    for (const [name, outputs] of [[V1, earlier.v1], [V2, earlier.v2]] as const) {
      const stack = await describeStack(emulator, name);
      assert.equal(stack?.StackStatus, 'CREATE_COMPLETE', name);
      assert.equal(outputsOf(stack).LoadBalancerDnsName, outputs.LoadBalancerDnsName, `${name} keeps its load balancer`);
    }
    assert.match(move.stdout, new RegExp(`Left for a later run, once resolvers have forgotten their records: .*${V2} \\(after `));
  });
});
