import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudFormationClient, CreateChangeSetCommand, CreateStackCommand, DeleteStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { taggingIndex } from './stacks-support.js';
import { createStacks } from '../../src/aws/stacks.js';
import { ConfigurationError } from '../../src/config/read-config.js';
import { hostname, rollingStack } from '../../src/config/names.js';
import { StackFailure } from '../../src/engine/ports.js';
import { configOf, PUSH } from '../support/config.js';
import { FakeAws, FakeClock } from '../support/fake-aws.js';

/**
 * Derived names never meet: what could collide is refused before any request to AWS, and what
 * validation cannot know (another application's stacks) is refused by the stacks' owner tags.
 */

function refusal(inputs: Record<string, string>, facts = PUSH): ConfigurationError {
  try {
    configOf(inputs, facts);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  assert.fail(`${JSON.stringify(inputs)} was accepted`);
}

describe('names that could collide are refused at input validation, before any AWS request', () => {
  test('shop + api-staging is refused: its stacks would be those of shop-api + staging', () => {
    const error = refusal({ 'application-name': 'shop', environment: 'api-staging' });
    assert.deepEqual(error.errors.map((e) => e.input), ['environment']);
    assert.match(error.message, /single word .*shop \+ api-staging can never name the stacks of shop-api \+ staging/);
    assert.equal(configOf({ 'application-name': 'shop-api', environment: 'staging' }).environment, 'staging', 'the other combination stays allowed');
  });

  test('version resources is refused: a release stack of that name would be the resources stack', () => {
    const error = refusal({ strategy: 'blue-green', version: 'resources' });
    assert.deepEqual(error.errors.map((e) => e.input), ['version']);
    assert.match(error.message, /names a kind of stack/);
  });

  test('a version like a preview (pr-7) is refused: its release stack would be another application\'s preview stack', () => {
    assert.deepEqual(refusal({ strategy: 'blue-green', version: 'pr-7' }).errors.map((e) => e.input), ['version']);
  });

  test('an environment named like a preview is refused outside pull request runs, and is the preview inside one', () => {
    const error = refusal({ environment: 'pr-5' });
    assert.match(error.message, /environment: "pr-5" is the name of a pull request preview: previews are deployed by pull_request events only/);
    const preview = configOf({}, { sha: PUSH.sha, intent: { kind: 'preview-deploy', pullRequest: 5 } });
    assert.equal(preview.environment, 'pr-5');
    assert.equal(configOf({ environment: 'pr-5', command: 'destroy' }).preview, 5, 'a destroy may still remove a preview whose closing run failed');
  });

  test('an application name that starts with aws is refused: AWS reserves that prefix', () => {
    assert.match(refusal({ 'application-name': 'aws-shop' }).message, /application-name: "aws-shop" starts with aws/);
  });
});

describe('stacks are owned', () => {
  test('the production hostname of shop-staging is the staging hostname of shop: the deploy is refused naming the owner, and shop keeps its stacks and records', async () => {
    const aws = new FakeAws();
    const shop = configOf({ 'application-name': 'shop', environment: 'staging' });
    assert.equal((await aws.run(shop)).report.status, 'success');
    const host = hostname('shop', 'staging', shop.hostedZone);
    const before = { rule: aws.weightsOf(host), alias: aws.dns.aliases.get(host) };
    const shopStack = structuredClone(aws.stacks.get(rollingStack('shop', 'staging')));

    const { report } = await aws.run(configOf({ 'application-name': 'shop-staging', environment: 'production' }));

    assert.equal(report.status, 'failure');
    assert.equal(report.message, `The hostname ${host} is an alias of the load balancer ${aws.stacks.get('shop-staging-load-balancer')!.outputs.LoadBalancerDnsName}, not of this application's (shop-staging-production-load-balancer): this run changed nothing. Two names met: choose another application-name or environment.`);
    assert.deepEqual({ rule: aws.weightsOf(host), alias: aws.dns.aliases.get(host) }, before);
    assert.deepEqual(aws.stacks.get(rollingStack('shop', 'staging')), shopStack);
  });

  test("a record of the application's own release that its listing did not name yet (the tag index answers a moment late) is not taken for another's", async () => {
    const aws = new FakeAws();
    const shop = configOf({ 'application-name': 'shop', environment: 'staging' });
    assert.equal((await aws.run(shop)).report.status, 'success');
    const list = aws.stacks.list.bind(aws.stacks);
    aws.stacks.list = async (tags, only) => (await list(tags, only)).filter((stack) => stack.name !== rollingStack('shop', 'staging'));

    const { report } = await aws.run(configOf({ 'application-name': 'shop', environment: 'staging', version: 'v2' }));

    assert.equal(report.status, 'success', report.message);
  });

  const STACK = 'shop-api-staging';
  const foreign = { StackName: STACK, StackId: `arn:aws:cloudformation:eu-west-1:123456789012:stack/${STACK}/1`, StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(0), Tags: [{ Key: 'wimpy:application', Value: 'shop-api' }, { Key: 'wimpy:environment', Value: 'staging' }] } as never;
  const spec = { name: STACK, template: { Resources: {} }, parameters: {}, tags: { 'wimpy:application': 'shop', 'wimpy:environment': 'api-staging' }, terminationProtection: false };

  test('apply refuses a stack whose tags name another application, naming it, and sends CloudFormation nothing that changes', async () => {
    const client = new CloudFormationClient({ region: 'eu-west-1' });
    const cloudformation = mockClient(client);
    cloudformation.on(DescribeStacksCommand).resolves({ Stacks: [foreign] });
    const stacks = createStacks({ cloudformation: client, tagging: taggingIndex().client, clock: new FakeClock() });

    await assert.rejects(stacks.apply(spec, { deadline: Date.now() + 60_000 }), (error: unknown) => {
      assert.ok(error instanceof StackFailure);
      assert.equal(error.message, `Stack ${STACK} belongs to application shop-api in environment staging, not to application shop in environment api-staging: it was not changed. Two names met: choose another application-name or environment.`);
      return true;
    });
    assert.equal(cloudformation.commandCalls(CreateChangeSetCommand).length + cloudformation.commandCalls(CreateStackCommand).length, 0);
  });

  test('remove refuses a stack whose tags name another owner', async () => {
    const client = new CloudFormationClient({ region: 'eu-west-1' });
    const cloudformation = mockClient(client);
    cloudformation.on(DescribeStacksCommand).resolves({ Stacks: [foreign] });
    const stacks = createStacks({ cloudformation: client, tagging: taggingIndex().client, clock: new FakeClock() });

    await assert.rejects(stacks.remove(STACK, { deadline: Date.now() + 60_000, owner: spec.tags }), /belongs to application shop-api in environment staging/);
    assert.equal(cloudformation.commandCalls(DeleteStackCommand).length, 0);
  });
});
