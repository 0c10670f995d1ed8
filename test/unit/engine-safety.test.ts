import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_STACK, environmentStack, hostname, loadBalancerStack, releaseStack, resourcesStack, rollingStack, TAG_APPLICATION, TAG_ENVIRONMENT } from '../../src/config/names.js';
import type { RunFacts } from '../../src/config/read-config.js';
import type { Config } from '../../src/config/types.js';
import { planChanges } from '../../src/engine/plan-changes.js';
import type { StackSummary, Template } from '../../src/engine/ports.js';
import { lastGood, releaseHistory, serving, TAG_REPLACES } from '../../src/engine/releases.js';
import { accountBaseline } from '../../src/stacks/account-baseline.js';
import { applicationLoadBalancer } from '../../src/stacks/application-load-balancer.js';
import { applicationRelease } from '../../src/stacks/application-release.js';
import { applicationResources } from '../../src/stacks/application-resources.js';
import { plannedSpec } from '../../src/stacks/catalogue.js';
import { environmentNetwork } from '../../src/stacks/environment-network.js';
import { baseTemplate } from '../../src/templates/base.js';
import { configOf } from '../support/config.js';
import { FakeAws, START, type FakeStack } from '../support/fake-aws.js';

/**
 * Nothing is lost, whatever the command: every command, with every strategy and as a preview,
 * runs against one account that already holds the whole history of two applications, and no
 * run may remove what serves, what a rollback returns to, the account's baseline, another
 * environment or another application.
 */

const APP = 'awesome-application';
const OTHER = 'other-application';
const ZONE = 'armesto.net';
const PREVIEW = 7;

/** Releases of APP in production, oldest first; NEXT is the one a deploy brings. */
const V1 = '1111111a2b3c4d5e6f708192a3b4c5d6e7f80911';
const V2 = '2222222a2b3c4d5e6f708192a3b4c5d6e7f80922';
const V3 = '3333333a2b3c4d5e6f708192a3b4c5d6e7f80933';
const CANARY = '4444444a2b3c4d5e6f708192a3b4c5d6e7f80944';
const NEXT = '5555555a2b3c4d5e6f708192a3b4c5d6e7f80955';
const OTHER_VERSION = '6666666a2b3c4d5e6f708192a3b4c5d6e7f80966';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

interface World {
  readonly aws: FakeAws;
  /** Per hostname: the releases serving it and the one a rollback returns to, before the run. */
  readonly hostnames: readonly HostFacts[];
  /** Every stack as it was before the run: what a removed stack was. */
  readonly stacks: ReadonlyMap<string, FakeStack>;
}

interface HostFacts {
  readonly application: string;
  readonly environment: string;
  readonly hostname: string;
  readonly serving: readonly string[];
  readonly lastGood?: string;
}

const facts = { image: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${APP}@sha256:${'a'.repeat(64)}`, certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/wildcard', hostedZoneId: 'Z0FAKEZONE0000000000' };

/** A release stack of an application as an earlier run left it, created `age` ago. */
function seedRelease(aws: FakeAws, config: Config, version: string, age: number, replaces?: string): FakeStack {
  const spec = applicationRelease.spec({ ...config, version }, { ...facts, ...(replaces ? { extraTags: { [TAG_REPLACES]: replaces } } : {}) });
  return aws.stacks.seed({ name: spec.name, template: spec.template, parameters: { ...spec.parameters }, tags: { ...spec.tags }, createdAt: new Date(START - age) });
}

const route = (stack: FakeStack, weight: number) => [stack.name, weight] as const;

function seedSpec(aws: FakeAws, spec: { name: string; template: Template; parameters: Readonly<Record<string, string>>; tags: Readonly<Record<string, string>>; terminationProtection: boolean }): void {
  aws.stacks.seed({ name: spec.name, template: spec.template, parameters: { ...spec.parameters }, tags: { ...spec.tags }, terminationProtection: spec.terminationProtection, createdAt: new Date(START - 90 * DAY) });
}

/**
 * The account: the base stack, the staging and production networks, APP's resources in both,
 * APP in production blue-green (V3 serving, V2 the last good one, V1 older), APP in staging
 * rolling, APP's preview pr-7, and OTHER in production with an expired preview of its own.
 * `canary`: V4 (CANARY) takes 10 % beside V3.
 */
function world(canary: boolean): World {
  const aws = new FakeAws();
  const production = configOf({ environment: 'production', strategy: 'blue-green' });
  const staging = configOf({ environment: 'staging' });
  const other = configOf({ 'application-name': OTHER, environment: 'production', strategy: 'blue-green' });
  seedSpec(aws, plannedSpec(accountBaseline, production));
  for (const environment of ['staging', 'production']) seedSpec(aws, plannedSpec(environmentNetwork, configOf({ environment })));
  for (const config of [production, staging, other]) seedSpec(aws, plannedSpec(applicationLoadBalancer, config));
  for (const config of [production, staging, other]) seedSpec(aws, plannedSpec(applicationResources, config));
  const productionBalancer = loadBalancerStack(APP, 'production');
  const stagingBalancer = loadBalancerStack(APP, 'staging');

  const v1 = seedRelease(aws, production, V1, 30 * DAY);
  const v2 = seedRelease(aws, production, V2, 20 * DAY, v1.name);
  const v3 = seedRelease(aws, production, V3, 10 * DAY, v2.name);
  const productionHost = hostname(APP, 'production', ZONE);
  if (canary) {
    const v4 = seedRelease(aws, production, CANARY, DAY, v3.name);
    aws.seedRule(productionHost, productionBalancer, [route(v3, 90), route(v2, 0), route(v4, 10)]);
  } else {
    aws.seedRule(productionHost, productionBalancer, [route(v3, 100), route(v2, 0)]);
  }

  const stagingRelease = seedRelease(aws, staging, V3, 10 * DAY);
  const stagingHost = hostname(APP, 'staging', ZONE);
  aws.seedRule(stagingHost, stagingBalancer, [route(stagingRelease, 100)]);

  const preview = configOf({}, { sha: V3, intent: { kind: 'preview-deploy', pullRequest: PREVIEW } });
  const previewRelease = seedRelease(aws, preview, V3, DAY);
  const previewHost = hostname(APP, preview.environment, ZONE);
  aws.seedRule(previewHost, stagingBalancer, [route(previewRelease, 100)]);

  const otherRelease = seedRelease(aws, other, OTHER_VERSION, 10 * DAY);
  const otherHost = hostname(OTHER, 'production', ZONE);
  aws.seedRule(otherHost, loadBalancerStack(OTHER, 'production'), [route(otherRelease, 100)]);
  // Older than any preview-ttl: only OTHER's own runs may expire it.
  const otherPreview = configOf({ 'application-name': OTHER }, { sha: OTHER_VERSION, intent: { kind: 'preview-deploy', pullRequest: 3 } });
  const otherPreviewRelease = seedRelease(aws, otherPreview, OTHER_VERSION, 60 * DAY);
  const otherPreviewHost = hostname(OTHER, otherPreview.environment, ZONE);
  // OTHER has no staging load balancer in this account: its preview was seeded on a stack of its own.
  seedSpec(aws, plannedSpec(applicationLoadBalancer, configOf({ 'application-name': OTHER })));
  aws.seedRule(otherPreviewHost, loadBalancerStack(OTHER, 'staging'), [route(otherPreviewRelease, 100)]);

  for (const version of [V1, V2, V3, CANARY, NEXT]) aws.images.push(version);
  return {
    aws,
    stacks: new Map([...aws.stacks.stacks].map(([name, stack]) => [name, structuredClone(stack)])),
    hostnames: [
      { application: APP, environment: 'production', hostname: productionHost, serving: canary ? [v3.name, releaseStack(APP, 'production', CANARY)] : [v3.name], lastGood: canary ? v3.name : v2.name },
      { application: APP, environment: 'staging', hostname: stagingHost, serving: [stagingRelease.name] },
      { application: APP, environment: preview.environment, hostname: previewHost, serving: [previewRelease.name] },
      { application: OTHER, environment: 'production', hostname: otherHost, serving: [otherRelease.name] },
      { application: OTHER, environment: otherPreview.environment, hostname: otherPreviewHost, serving: [otherPreviewRelease.name] },
    ],
  };
}

interface Case {
  readonly name: string;
  readonly canary: boolean;
  readonly inputs: Record<string, string>;
  readonly facts?: RunFacts;
}

const COMMANDS = ['deploy', 'rollback', 'promote', 'destroy', 'plan'] as const;

function cases(): Case[] {
  const all: Case[] = [];
  for (const canary of [false, true]) {
    for (const environment of ['production', 'staging']) {
      for (const strategy of ['rolling', 'blue-green']) {
        for (const command of COMMANDS) {
          if (command === 'promote' && strategy === 'rolling') continue; // refused by the configuration, before any run
          // deploy: a new release, and again one that an earlier run left warm at weight 0.
          const versions = command === 'rollback' ? ['', V1] : command === 'deploy' ? [NEXT, V2] : command === 'plan' ? [NEXT] : [''];
          const destroyEnvironment = command === 'destroy' ? ['false', 'true'] : ['false'];
          for (const version of versions) {
            for (const destroy of destroyEnvironment) {
              const inputs = { command, environment, strategy, version, 'destroy-environment': destroy };
              const label = `${command} ${strategy} in ${environment}${version ? ` version ${version.slice(0, 7)}` : ''}${destroy === 'true' ? ' with destroy-environment' : ''}${canary ? ', a canary running' : ''}`;
              all.push({ name: label, canary, inputs });
            }
          }
        }
      }
    }
  }
  for (const command of ['deploy', 'destroy', 'rollback', 'plan'] as const) {
    const kind = command === 'destroy' ? 'preview-destroy' : 'preview-deploy';
    const version = command === 'rollback' ? V1 : command === 'destroy' ? '' : NEXT;
    const inputs = { command: command === 'destroy' ? 'deploy' : command, version, 'destroy-environment': command === 'destroy' ? 'true' : 'false' };
    all.push({ name: `${command} of the preview pr-${PREVIEW}`, canary: false, inputs, facts: { sha: NEXT, intent: { kind, pullRequest: PREVIEW } } });
  }
  return all;
}

interface Outcome {
  readonly status: string;
  readonly message?: string;
}

async function runCase(aws: FakeAws, config: Config): Promise<Outcome> {
  if (config.command === 'plan') {
    const run = aws.request(config).run;
    await planChanges(config, aws, run, () => undefined);
    return { status: 'planned' };
  }
  const { report } = await aws.run(config);
  return { status: report.status, ...(report.message ? { message: report.message } : {}) };
}

const summary = (stack: FakeStack): StackSummary => ({ name: stack.name, status: stack.status, outputs: stack.outputs, parameters: stack.parameters, tags: stack.tags, createdAt: stack.createdAt });

/** Every way a run could lose something; empty when it lost nothing. */
function losses(before: World, config: Config, removed: readonly string[], after: FakeAws): string[] {
  const problems: string[] = [];
  const own = (host: HostFacts) => host.application === config.application && host.environment === config.environment;
  // Removing what serves is a destroy's purpose; a rollback declares what served bad, and cleanup may take it.
  const mayRemoveServing = (host: HostFacts) => own(host) && (config.command === 'destroy' || config.command === 'rollback');
  const removedSet = new Set(removed);

  for (const host of before.hostnames) {
    if (own(host) && config.command === 'destroy') continue;
    for (const name of host.serving) if (removedSet.has(name) && !mayRemoveServing(host)) problems.push(`${name} served ${host.hostname} and was removed`);
    const afterWeights = Object.entries(after.weightsOf(host.hostname)).map(([setIdentifier, weight]) => ({ setIdentifier, weight }));
    const servingAfter = afterWeights.filter((target) => target.weight > 0).map((target) => target.setIdentifier);
    // The last good release may give way to an older one only when a new release took all the traffic.
    const advanced = servingAfter.length === 1 && !host.serving.includes(servingAfter[0]!);
    if (host.lastGood && removedSet.has(host.lastGood) && !advanced) problems.push(`${host.lastGood}, the last good release of ${host.hostname}, was removed`);
    // After the run, judged on what is left and what went: the serving and last good releases stay.
    const tags = { [TAG_APPLICATION]: host.application, [TAG_ENVIRONMENT]: host.environment };
    const seen = [...after.stacks.stacks.values(), ...removed.map((name) => before.stacks.get(name)!)].filter((stack) => Object.entries(tags).every(([key, value]) => stack.tags[key] === value));
    const history = releaseHistory(seen.map(summary), afterWeights);
    const good = lastGood(history);
    for (const release of [...serving(history), ...(good ? [good] : [])]) {
      if (removedSet.has(release.stackName)) problems.push(`${release.stackName} serves or is the last good release of ${host.hostname} after the run, and was removed`);
    }
  }

  const touchedBase = after.stacks.calls.filter((call) => call.name === BASE_STACK && call.kind !== 'apply');
  if (touchedBase.length > 0 || !after.stacks.get(BASE_STACK)) problems.push(`${BASE_STACK} was ${touchedBase.map((call) => call.kind).join(', ') || 'lost'}`);
  for (const environment of ['staging', 'production']) {
    const network = environmentStack(environment);
    const allowed = config.command === 'destroy' && config.destroyEnvironment && config.preview === undefined && config.networkEnvironment === environment;
    if (removedSet.has(network) && !allowed) problems.push(`${network} was removed`);
  }

  for (const call of after.stacks.calls) {
    const stack = before.stacks.get(call.name) ?? after.stacks.get(call.name);
    if (stack?.tags[TAG_APPLICATION] === OTHER) problems.push(`${OTHER}'s stack ${call.name}: ${call.kind}`);
  }
  for (const batch of after.dns.batches) {
    if (before.hostnames.some((host) => host.application === OTHER && host.hostname === batch.hostname)) problems.push(`${OTHER}'s records of ${batch.hostname} were changed`);
  }
  for (const change of after.listeners.changes) {
    if (before.hostnames.some((host) => host.application === OTHER && host.hostname === change.hostname)) problems.push(`${OTHER}'s rule of ${change.hostname} was changed`);
    if (change.targets.length > 0 && change.targets.every((target) => target.weight === 0)) problems.push(`every target group of ${change.hostname} was left at weight 0`);
  }
  return problems;
}

describe('nothing is lost, whatever the command', () => {
  for (const item of cases()) {
    test(`${item.name}: removes no serving or last good release, no baseline, no other environment or application, and never zeroes every weight`, async () => {
      const before = world(item.canary);
      const config = configOf(item.inputs, item.facts);
      const outcome = await runCase(before.aws, config);
      const removed = before.aws.stacks.removed;
      assert.deepEqual(losses(before, config, removed, before.aws), [], `outcome ${outcome.status}: ${outcome.message ?? ''}; removed ${removed.join(', ') || 'nothing'}`);
    });
  }

  test('the walk covers every command, both strategies and the preview', () => {
    const all = cases();
    for (const command of COMMANDS) assert.ok(all.some((item) => item.inputs.command === command), command);
    for (const strategy of ['rolling', 'blue-green']) assert.ok(all.some((item) => item.inputs.strategy === strategy), strategy);
    assert.ok(all.some((item) => item.facts?.intent.kind === 'preview-destroy'));
  });

  test('a destroy of the application removes what served it, and only that application and environment', async () => {
    const before = world(false);
    const config = configOf({ command: 'destroy', environment: 'production', strategy: 'blue-green' });
    const { report } = await before.aws.run(config);
    assert.equal(report.status, 'success');
    assert.deepEqual(new Set(before.aws.stacks.removed), new Set([releaseStack(APP, 'production', V1), releaseStack(APP, 'production', V2), releaseStack(APP, 'production', V3), resourcesStack(APP, 'production'), loadBalancerStack(APP, 'production')]));
    assert.ok(before.aws.stacks.get(rollingStack(APP, 'staging')));
    assert.deepEqual(before.aws.weightsOf(hostname(APP, 'production', ZONE)), {});
    assert.equal(before.aws.dns.aliases.get(hostname(APP, 'production', ZONE)), undefined);
  });
});

test('the base template keeps the master key and both buckets when its stack or a resource goes (DeletionPolicy and UpdateReplacePolicy Retain)', () => {
  for (const cloudTrail of [true, false]) {
    const resources = baseTemplate({ cloudTrail }).Resources as Record<string, { Type: string; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;
    const kept = Object.entries(resources).filter(([, resource]) => resource.Type === 'AWS::KMS::Key' || resource.Type === 'AWS::S3::Bucket');
    assert.deepEqual(kept.map(([logicalId, resource]) => [logicalId, resource.Type, resource.DeletionPolicy, resource.UpdateReplacePolicy]), [
      ['MasterKey', 'AWS::KMS::Key', 'Retain', 'Retain'],
      ['LogBucket', 'AWS::S3::Bucket', 'Retain', 'Retain'],
      ['StorageBucket', 'AWS::S3::Bucket', 'Retain', 'Retain'],
    ]);
  }
});
