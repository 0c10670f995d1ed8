import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_STACK, environmentStack, hostname, loadBalancerStack, releaseStack, resourcesStack, rollingStack, TAG_APPLICATION, TAG_ENVIRONMENT } from '../../src/config/names.js';
import { ENVIRONMENT_OUTPUTS } from '../../src/templates/outputs.js';
import { COMMIT, configOf } from '../support/config.js';
import { APP, blueGreen, FakeAws, V1, V2 } from '../support/fake-aws.js';

/** Environments: their own networks, shared by previews; and how an application leaves one. */


/** The VPC range an environment stack was given, as its template holds it. */
function vpcRange(aws: FakeAws, environment: string): unknown {
  const resources = aws.stacks.get(environmentStack(environment))!.template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
  return Object.values(resources).find((resource) => resource.Type === 'AWS::EC2::VPC')?.Properties.CidrBlock;
}

describe('environments', () => {
  test('a custom environment takes the lowest free 10.N.0.0/16 and keeps it on the next run', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({ version: V1 }));
    aws.stacks.seed({ name: environmentStack('demo'), tags: { [TAG_APPLICATION]: 'wimpy', [TAG_ENVIRONMENT]: 'demo' }, outputs: { [ENVIRONMENT_OUTPUTS.vpcCidr]: '10.2.0.0/16' } });

    const first = await aws.run(configOf({ version: V1, environment: 'qa' }));
    assert.equal(first.report.status, 'success');
    assert.equal(vpcRange(aws, 'staging'), '10.1.0.0/16');
    assert.equal(vpcRange(aws, 'qa'), '10.3.0.0/16');
    assert.equal(aws.stacks.get(environmentStack('qa'))!.outputs[ENVIRONMENT_OUTPUTS.vpcCidr], '10.3.0.0/16');

    // 10.2 is free again, but a VPC's range cannot change: qa keeps its own.
    aws.stacks.stacks.delete(environmentStack('demo'));
    const before = aws.stacks.calls.length;
    const again = await aws.run(configOf({ version: V2, environment: 'qa' }));
    assert.equal(again.report.status, 'success');
    assert.equal(vpcRange(aws, 'qa'), '10.3.0.0/16');
    assert.ok(!aws.stacks.calls.slice(before).some((call) => call.name === environmentStack('qa')), 'the network of qa is unchanged: not applied again');
  });

  test('a preview deploys its own resources and application stack into the staging network, and never changes staging stacks', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({ version: V1, steps: 'environment' }));
    const before = aws.stacks.calls.length;
    // Another port than staging's: it must not reach staging's security groups.
    const preview = configOf({ 'application-port': '9090' }, { sha: COMMIT, intent: { kind: 'preview-deploy', pullRequest: 7 } });
    const { report, outputs } = await aws.run(preview);

    assert.equal(report.status, 'success');
    assert.deepEqual(aws.stacks.calls.slice(before).map((call) => call.name), [resourcesStack(APP, 'pr-7'), rollingStack(APP, 'pr-7')]);
    assert.equal(aws.stacks.get(rollingStack(APP, 'pr-7'))!.tags[TAG_ENVIRONMENT], 'pr-7');
    assert.equal(outputs.url, `https://${hostname(APP, 'pr-7', 'armesto.net')}`);
    // A host rule of its own on staging's load balancer, to its own target group; its hostname an alias of that load balancer.
    assert.deepEqual(aws.weightsOf(hostname(APP, 'pr-7', 'armesto.net')), { [rollingStack(APP, 'pr-7')]: 100 });
    const balancer = aws.stacks.get(loadBalancerStack(APP, 'staging'))!;
    assert.equal(aws.listeners.changesFor(hostname(APP, 'pr-7', 'armesto.net'))[0]!.listenerArn, balancer.outputs.HttpsListenerArn);
    assert.equal(aws.dns.aliases.get(hostname(APP, 'pr-7', 'armesto.net'))?.dnsName, balancer.outputs.LoadBalancerDnsName);
  });

  test('a preview in an empty account creates the baseline and the staging network as staging would, then its own stacks', async () => {
    const aws = new FakeAws();
    const { report } = await aws.run(configOf({}, { sha: COMMIT, intent: { kind: 'preview-deploy', pullRequest: 7 } }));
    assert.equal(report.status, 'success', report.message);
    assert.deepEqual(aws.stacks.calls.map((call) => call.name).slice(0, 2).sort(), [BASE_STACK, environmentStack('staging')].sort());
    assert.deepEqual(aws.stacks.calls.map((call) => call.name).slice(2), [loadBalancerStack(APP, 'staging'), resourcesStack(APP, 'pr-7'), rollingStack(APP, 'pr-7')]);
    // Staging's first deploy then finds the same network, baseline and load balancer: nothing to change there.
    const staging = await aws.run(configOf({ version: V1, steps: 'environment' }));
    assert.deepEqual(staging.report.stacks.map((stack) => `${stack.name} ${stack.outcome}`), [`${BASE_STACK} unchanged`, `${environmentStack('staging')} unchanged`, `${loadBalancerStack(APP, 'staging')} unchanged`, `${resourcesStack(APP, 'staging')} created`]);
  });

  test('a preview never updates an existing baseline or staging network, even when its inputs would change them', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({ version: V1, steps: 'environment', cloudtrail: 'false' }));
    const before = aws.stacks.calls.length;
    const { report } = await aws.run(configOf({ cloudtrail: 'true' }, { sha: COMMIT, intent: { kind: 'preview-deploy', pullRequest: 7 } }));
    assert.equal(report.status, 'success', report.message);
    assert.ok(aws.stacks.calls.slice(before).every((call) => call.name !== BASE_STACK && call.name !== environmentStack('staging') && call.name !== loadBalancerStack(APP, 'staging')));
  });
});

describe('destroy', () => {
  const HOST = hostname(APP, 'staging', 'armesto.net');
  const releases = [releaseStack(APP, 'staging', V1), releaseStack(APP, 'staging', V2)];

  async function twoReleases(): Promise<FakeAws> {
    const aws = new FakeAws();
    for (const version of [V1, V2]) await aws.run(blueGreen(version));
    return aws;
  }

  test('removes the alias and the rule first, then the release stacks, then the resources and the load balancer, and never the base stack or the network', async () => {
    const aws = await twoReleases();
    const mark = aws.journal.length;
    const { report, outputs } = await aws.run(configOf({ strategy: 'blue-green', command: 'destroy' }));

    assert.equal(report.status, 'success');
    const changes = aws.since(mark).filter((call) => /^(dns\.(setWeights|removeAlias)|listeners\.removeRule|stacks\.(remove|unprotect|apply)) /.test(call) && !call.includes(': '));
    assert.deepEqual(changes.slice(0, 1), [`dns.removeAlias ${HOST}`]);
    assert.match(changes[1]!, /^listeners\.removeRule /);
    // The schedules go before the releases whose task definitions they name (there are none here: asked by name).
    assert.deepEqual(changes.slice(2, 3), [`stacks.remove ${APP}-staging-schedules`]);
    assert.deepEqual(changes.slice(3, 5).sort(), releases.map((name) => `stacks.remove ${name}`));
    assert.deepEqual(changes.slice(5), [`stacks.remove ${resourcesStack(APP, 'staging')}`, `stacks.remove ${loadBalancerStack(APP, 'staging')}`]);
    assert.equal(aws.dns.aliases.get(HOST), undefined);
    assert.equal(aws.listeners.ruleOf(HOST), undefined);
    assert.deepEqual(aws.stacks.names(), [BASE_STACK, environmentStack('staging')]);
    assert.equal(outputs.url, '');
  });

  test('removes the environment stack with destroy-environment, turning its termination protection off first', async () => {
    const aws = await twoReleases();
    const mark = aws.journal.length;
    const { report } = await aws.run(configOf({ strategy: 'blue-green', command: 'destroy', 'destroy-environment': 'true' }));

    assert.equal(report.status, 'success');
    const network = environmentStack('staging');
    assert.deepEqual(aws.since(mark).filter((call) => call.includes(network)), [`stacks.unprotect ${network}`, `stacks.remove ${network}`, `stacks.remove ${network}: removed`]);
    assert.deepEqual(aws.stacks.names(), [BASE_STACK]);
    assert.deepEqual(aws.stacks.removed.at(-1), network, 'the network goes last, after what imports from it');
  });

  test('of a preview removes its stacks, its rule and its alias and leaves staging as it is', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({ version: V1, steps: 'environment' }));
    await aws.run(configOf({}, { sha: COMMIT, intent: { kind: 'preview-deploy', pullRequest: 7 } }));
    const { report } = await aws.run(configOf({}, { sha: COMMIT, intent: { kind: 'preview-destroy', pullRequest: 7 } }));

    assert.equal(report.status, 'success');
    assert.deepEqual(aws.stacks.removed, [rollingStack(APP, 'pr-7'), resourcesStack(APP, 'pr-7')]);
    assert.equal(aws.dns.aliases.get(hostname(APP, 'pr-7', 'armesto.net')), undefined);
    assert.equal(aws.listeners.ruleOf(hostname(APP, 'pr-7', 'armesto.net')), undefined);
    assert.ok(aws.stacks.get(resourcesStack(APP, 'staging')));
    assert.ok(aws.stacks.get(loadBalancerStack(APP, 'staging')), "staging's load balancer stays");
  });
});

describe('a run with nothing to change in the environment', () => {
  test('checks the base, the network, the load balancer and the resources side by side and applies none of them', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({ version: V1, steps: 'environment' }));
    const mark = aws.journal.length;
    const before = aws.stacks.calls.length;
    const again = await aws.run(configOf({ version: V1, steps: 'environment' }));

    assert.equal(again.report.status, 'no-change');
    assert.deepEqual(aws.stacks.calls.slice(before), []);
    const checks = aws.since(mark).filter((call) => call.startsWith('stacks.unchanged'));
    assert.deepEqual(checks.sort(), [`stacks.unchanged ${BASE_STACK}`, `stacks.unchanged ${resourcesStack(APP, 'staging')}`, `stacks.unchanged ${environmentStack('staging')}`, `stacks.unchanged ${loadBalancerStack(APP, 'staging')}`].sort());
    assert.equal(aws.stacks.maxChecksAtOnce, 4, 'all four checks were waiting for their answers at the same moment');
  });
});
