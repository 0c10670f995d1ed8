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
