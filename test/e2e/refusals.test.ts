import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startAwsProxy, type AwsProxy } from '../support/aws-proxy.js';
import { deployInputs, endpoint, imageOf, skip } from '../support/emulator.js';
import { startGitHubStandIn, type GitHubStandIn } from '../support/github-stand-in.js';
import { examplePayload, runAction } from '../support/run-action.js';

// Runs that must not reach AWS at all: every request to the AWS endpoint is counted on its way.

describe('runs that must not reach AWS', { skip }, () => {
  let proxy: AwsProxy;
  let github: GitHubStandIn;

  before(async () => {
    proxy = await startAwsProxy({ target: endpoint! });
    github = await startGitHubStandIn();
  });
  after(async () => {
    await proxy?.close();
    await github?.close();
  });

  test('a pull request from a fork deploys nothing, sends no AWS request, says why in the summary and succeeds', async (t) => {
    proxy.resetStats();
    const opened = examplePayload<{ pull_request: { head: { repo: { full_name: string } }; base: { repo: { full_name: string } } } }>('pull_request', 'opened');
    opened.pull_request.base.repo.full_name = `${github.owner}/${github.repo}`;
    opened.pull_request.head.repo.full_name = `someone-else/${github.repo}`;
    const run = await runAction({
      awsEndpoint: proxy.url,
      github: { apiUrl: github.url, token: github.token, repository: `${github.owner}/${github.repo}` },
      event: { name: 'pull_request', payload: opened },
      inputs: deployInputs({ image: imageOf('4') }),
      post: true,
    });
    assert.equal(run.exitCode, 0, run.stdout + run.stderr);
    assert.equal(proxy.stats().total, 0, JSON.stringify(proxy.stats().byApi));
    assert.equal(run.outputs['has-changes'], 'false');
    assert.match(run.summary, /Skipped/);
    assert.match(run.summary, /Pull request #2 comes from a fork\. GitHub gives such runs no secrets and no AWS credentials, so no preview is deployed/);
    assert.deepEqual(github.deployments, []);
    assert.deepEqual([...github.comments.values()].flat(), []);
    assert.equal(run.post?.exitCode, 0);
    t.diagnostic(`exit ${run.exitCode}, AWS requests ${proxy.stats().total}; summary:\n${run.summary}`);
  });

  test('a bad application-port and a bad hosted-zone fail the step, naming both inputs, before any AWS request', async (t) => {
    proxy.resetStats();
    const run = await runAction({ awsEndpoint: proxy.url, inputs: deployInputs({ 'application-port': '80800', 'hosted-zone': 'armesto..net', image: imageOf('5') }) });
    assert.notEqual(run.exitCode, 0);
    assert.equal(proxy.stats().total, 0, JSON.stringify(proxy.stats().byApi));
    const errors = run.stdout.split('\n').filter((line) => line.startsWith('::error'));
    // One annotation per input, then the failure that quotes both values.
    assert.ok(errors.includes('::error title=Input application-port::application-port: is not allowed: use a whole number from 1 to 65535'), errors.join('\n'));
    assert.ok(errors.some((line) => line.startsWith('::error title=Input hosted-zone::hosted-zone: is not allowed')), errors.join('\n'));
    assert.match(run.stdout, /The configuration has 2 problems:%0A {2}- application-port: "80800" is not allowed.*%0A {2}- hosted-zone: "armesto\.\.net" is not allowed/);
    t.diagnostic(`exit ${run.exitCode}, AWS requests ${proxy.stats().total}; annotations:\n${errors.join('\n')}`);
  });
});
