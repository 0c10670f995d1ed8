import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { describeStack, imageOf, deployInputs, prepareEmulator, skip, type Emulator } from '../support/emulator.js';
import { runAction, type ActionRun } from '../support/run-action.js';

// Issue 13: one application's cloudtrail input does not change the account's trail behind the others.

describe('two applications with different cloudtrail inputs, one after the other', { skip }, () => {
  let emulator: Emulator;
  let shop: ActionRun;
  let blog: ActionRun;
  const trailIn = async () => {
    const template = await emulator.cloudformation.send(new GetTemplateCommand({ StackName: 'wimpy-base' }));
    return Object.keys((JSON.parse(template.TemplateBody ?? '{}') as { Resources?: object }).Resources ?? {}).includes('Trail');
  };

  before(async () => {
    emulator = await prepareEmulator();
    shop = await runAction({ awsEndpoint: emulator.endpoint, inputs: deployInputs({ 'application-name': 'shop', cloudtrail: 'true', image: imageOf('1') }) });
  });
  after(() => emulator?.close());

  test('the trail is created once by the first, never removed by the second, and the second run warns', async () => {
    assert.equal(shop.exitCode, 0, shop.stdout + shop.stderr);
    assert.equal(await trailIn(), true);
    const created = (await describeStack(emulator, 'wimpy-base'))?.LastUpdatedTime;

    blog = await runAction({ awsEndpoint: emulator.endpoint, inputs: deployInputs({ 'application-name': 'blog', cloudtrail: 'false', image: imageOf('2') }) });

    assert.equal(blog.exitCode, 0, blog.stdout + blog.stderr);
    assert.equal(await trailIn(), true);
    assert.equal((await describeStack(emulator, 'wimpy-base'))?.LastUpdatedTime?.getTime(), created?.getTime(), 'wimpy-base was not updated');
    assert.match(blog.stdout, /::warning::cloudtrail: this run asks for false, but wimpy-base, which every application of the account shares, has true; kept true\. To change it on purpose, run once with steps: environment and cloudtrail: false\./);
    assert.match(blog.summary, /cloudtrail: this run asks for false/);
  });
});

// Issue 16: the environment's NAT is the environment's, kept like the account's trail.
describe('an environment created with nat: instance, then changed on purpose', { skip }, () => {
  let emulator: Emulator;
  const resourcesOf = async (stack: string) => {
    const template = await emulator.cloudformation.send(new GetTemplateCommand({ StackName: stack }));
    return Object.keys((JSON.parse(template.TemplateBody ?? '{}') as { Resources?: object }).Resources ?? {});
  };

  before(async () => {
    emulator = await prepareEmulator();
  });
  after(() => emulator?.close());

  test('the first deploy creates one NAT instance; a later default keeps it; steps: environment with nat: gateway replaces it', async () => {
    const shop = await runAction({ awsEndpoint: emulator.endpoint, inputs: deployInputs({ 'application-name': 'shop', nat: 'instance', image: imageOf('1') }) });
    assert.equal(shop.exitCode, 0, shop.stdout + shop.stderr);
    assert.ok((await resourcesOf('wimpy-staging')).includes('NatInstance'));
    assert.ok(!(await resourcesOf('wimpy-staging')).includes('NatGateway'));

    const blog = await runAction({ awsEndpoint: emulator.endpoint, inputs: deployInputs({ 'application-name': 'blog', image: imageOf('2') }) });
    assert.equal(blog.exitCode, 0, blog.stdout + blog.stderr);
    assert.match(blog.stdout, /::warning::nat: this run asks for gateway, but wimpy-staging, which every application in staging shares, has instance; kept instance\./);
    assert.ok((await resourcesOf('wimpy-staging')).includes('NatInstance'));

    const change = await runAction({ awsEndpoint: emulator.endpoint, inputs: deployInputs({ 'application-name': 'shop', nat: 'gateway', steps: 'environment' }) });
    assert.equal(change.exitCode, 0, change.stdout + change.stderr);
    const resources = await resourcesOf('wimpy-staging');
    assert.ok(resources.includes('NatGateway') && !resources.includes('NatInstance'), resources.join(', '));
    // The stack's wimpy:nat tag follows too (the unit tests show it): the emulator keeps the tags a stack was created with.
  });
});
