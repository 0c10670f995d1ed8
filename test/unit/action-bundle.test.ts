import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runAction } from '../support/run-action.js';
import { startRequestCounter } from '../support/request-counter.js';

/**
 * The committed bundle, started as a runner starts it: inputs as INPUT_* variables, outputs
 * and summary through their files, on Node 24. Only this proves dist/, action.yml and the
 * behaviour together.
 */
describe('the bundled action', () => {
  let counter: Awaited<ReturnType<typeof startRequestCounter>>;
  before(async () => {
    counter = await startRequestCounter();
  });
  after(() => counter.close());

  test('plans with no AWS credentials: outputs the URL and the stack, and writes the plan to the job summary', async () => {
    const run = await runAction({
      awsEndpoint: counter.url,
      withoutCredentials: true,
      inputs: { command: 'plan', 'application-name': 'awesome-application', 'hosted-zone': 'armesto.net', environment: 'production', strategy: 'blue-green', version: 'v142' },
    });
    assert.equal(run.exitCode, 0, run.stderr + run.stdout);
    assert.equal(run.outputs.url, 'https://awesome-application.armesto.net');
    assert.equal(run.outputs['stack-name'], 'awesome-application-production-v142');
    assert.equal(run.outputs.environment, 'production');
    assert.match(run.summary, /Plan: deploy <code>awesome-application<\/code> to <code>production<\/code>/);
    assert.match(run.summary, /<summary>Template of <code>wimpy-base<\/code><\/summary>/);
    assert.match(run.stdout, /--- template of awesome-application-production-v142/);
    assert.equal(counter.count(), 0, 'no request reached AWS');
  });

  test('refuses bad input before any AWS request, naming each input', async () => {
    const run = await runAction({
      awsEndpoint: counter.url,
      inputs: { 'application-name': 'Awesome_App', 'application-port': '80800', 'hosted-zone': 'armesto..net', 'canary-steps': '50,10' },
    });
    assert.equal(run.exitCode, 1);
    for (const input of ['application-name', 'application-port', 'hosted-zone', 'canary-steps']) {
      assert.match(run.stdout, new RegExp(`::error title=Input ${input}::${input}: is not allowed`), input);
    }
    assert.equal(counter.count(), 0, 'no request reached AWS');
  });
});
