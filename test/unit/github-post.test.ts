import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createOctokit } from '../../src/github/client.js';
import { DEPLOYMENT_STATE } from '../../src/github/feedback.js';
import { DANGLING_DESCRIPTION, readSaved, runPost } from '../../src/github/post.js';
import { startGitHubStandIn, type GitHubStandIn } from '../support/github-stand-in.js';
import { RecordingLog } from '../support/recording-log.js';
import { UNEXPANDED_TOKEN_WARNING, usableToken } from '../../src/github/token.js';

const LOG_URL = 'https://github.com/Codertocat/Hello-World/actions/runs/7';

describe('the post step', () => {
  let standIn: GitHubStandIn;
  let deploymentId: number;
  beforeEach(async () => {
    standIn = await startGitHubStandIn();
    const octokit = createOctokit(standIn.token, { baseUrl: standIn.url, secondMs: 1 });
    const { data } = await octokit.rest.repos.createDeployment({ owner: standIn.owner, repo: standIn.repo, ref: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821', environment: 'pr-2', auto_merge: false, required_contexts: [] });
    assert.ok('id' in data);
    deploymentId = data.id;
    standIn.requests.length = 0;
  });
  afterEach(async () => {
    await standIn.close();
    assert.deepEqual(standIn.violations, []);
    assert.deepEqual(standIn.standInErrors, []);
  });

  const saved = (id: number) => JSON.stringify({ owner: standIn.owner, repo: standIn.repo, id, logUrl: LOG_URL });
  const post = (state: string, log = new RecordingLog()) =>
    runPost({ state: (name) => (name === DEPLOYMENT_STATE ? state : ''), token: standIn.token, octokit: createOctokit(standIn.token, { baseUrl: standIn.url, secondMs: 1 }), log });

  test('ends in error (cancelled or crashed, not a failed application) the deployment that the main step left in progress', async () => {
    await post(saved(deploymentId));
    assert.deepEqual(standIn.requests.map((r) => [r.operationId, r.body]), [
      ['repos/create-deployment-status', { state: 'error', description: DANGLING_DESCRIPTION, log_url: LOG_URL }],
    ]);
    assert.equal(standIn.latestState(deploymentId), 'error');
  });

  test('does nothing when the main step finished its deployment', async () => {
    await post('');
    assert.deepEqual(standIn.requests, []);
  });

  test('never throws: a deployment GitHub no longer knows becomes a warning', async () => {
    const log = new RecordingLog();
    await post(saved(deploymentId + 999), log);
    assert.match(log.lines[0] ?? '', /^warning: Could not mark deployment \d+ failed: 404 /);
  });

  test('without a token, warns that the deployment stays in progress', async () => {
    const log = new RecordingLog();
    await runPost({ state: () => saved(deploymentId), token: '', log });
    assert.deepEqual(log.lines, [`warning: GitHub deployment ${deploymentId} was left in progress and no \`github-token\` is available to mark it failed.`]);
  });

  test('takes a github-token passed through as the text ${{ github.token }} for no token, and says why', async () => {
    const log = new RecordingLog();
    process.env['INPUT_GITHUB-TOKEN'] = '${{ github.token }}';
    try {
      await runPost({ state: () => saved(deploymentId), log });
    } finally {
      delete process.env['INPUT_GITHUB-TOKEN'];
    }
    assert.deepEqual(log.lines, [`warning: ${UNEXPANDED_TOKEN_WARNING}`, `warning: GitHub deployment ${deploymentId} was left in progress and no \`github-token\` is available to mark it failed.`]);
    assert.deepEqual(standIn.requests, []);
  });
});

test('a state that is not a saved deployment is ignored', () => {
  assert.equal(readSaved('not json'), undefined);
  assert.equal(readSaved(JSON.stringify({ owner: 'o', repo: 'r', id: '7' })), undefined);
  assert.deepEqual(readSaved(JSON.stringify({ owner: 'o', repo: 'r', id: 7 })), { owner: 'o', repo: 'r', id: 7 });
});

test('a real token is used as given, with no warning', () => {
  const warnings: string[] = [];
  assert.equal(usableToken('ghs_abc123', (message) => warnings.push(message)), 'ghs_abc123');
  assert.deepEqual(warnings, []);
});

test('the post entrypoint exports run, as the main one does, for @github/local-action', async () => {
  const post = await import('../../src/post.js');
  const main = await import('../../src/main.js');
  assert.equal(typeof post.run, 'function');
  assert.equal(typeof main.run, 'function');
});
