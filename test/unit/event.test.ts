import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { intentOf, readEvent } from '../../src/config/event.js';
import { COMMIT, configOf } from '../support/config.js';

// The payloads GitHub really sends, as published by GitHub in @octokit/webhooks-examples.
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples/api.github.com/index.json') as Array<{ name: string; examples: Array<Record<string, unknown>> }>;
const payloadsOf = (name: string) => examples.find((e) => e.name === name)!.examples;
const pullRequest = (action: string) => payloadsOf('pull_request').find((p) => p.action === action)!;
const MERGE_SHA = 'f'.repeat(40);

function intentFor(name: string, payload: Record<string, unknown>) {
  return intentOf(readEvent(name, payload, MERGE_SHA, 'refs/pull/2/merge'));
}

describe('the event of a run', () => {
  for (const action of ['opened', 'synchronize', 'reopened']) {
    test(`pull_request ${action} deploys the preview pr-<number>`, () => {
      assert.deepEqual(intentFor('pull_request', pullRequest(action)), { kind: 'preview-deploy', pullRequest: 2 });
    });
  }

  test('pull_request closed removes the preview', () => {
    assert.deepEqual(intentFor('pull_request', pullRequest('closed')), { kind: 'preview-destroy', pullRequest: 2 });
  });

  test('a preview deploys the pull request head, not the merge commit GitHub checks out', () => {
    const event = readEvent('pull_request', pullRequest('synchronize'), MERGE_SHA, 'refs/pull/2/merge');
    assert.equal(event.sha, (pullRequest('synchronize').pull_request as { head: { sha: string } }).head.sha);
  });

  for (const action of ['labeled', 'assigned', 'review_requested', 'converted_to_draft']) {
    test(`pull_request ${action} changes nothing and says why`, () => {
      const intent = intentFor('pull_request', pullRequest(action));
      assert.equal(intent.kind, 'skip');
      assert.match((intent as { reason: string }).reason, /only opened, synchronize, reopened and closed/);
    });
  }

  test('a pull request from a fork deploys nothing and explains that forks get no credentials', () => {
    const payload = structuredClone(pullRequest('opened')) as { pull_request: { head: { repo: { full_name: string } } } };
    payload.pull_request.head.repo.full_name = 'someone-else/Hello-World';
    const intent = intentFor('pull_request', payload);
    assert.equal(intent.kind, 'skip');
    assert.match((intent as { reason: string }).reason, /comes from a fork/);
    assert.equal(configOf({}, { sha: COMMIT, intent }).environment, 'pr-2', 'the summary speaks of the preview it did not deploy');
  });

  test('closing a fork pull request removes nothing: it never had a preview', () => {
    const payload = structuredClone(pullRequest('closed')) as { pull_request: { head: { repo: { full_name: string } } } };
    payload.pull_request.head.repo.full_name = 'someone-else/Hello-World';
    assert.equal(intentFor('pull_request', payload).kind, 'skip');
  });

  for (const [name, index] of [['push', 0], ['workflow_dispatch', 0]] as const) {
    test(`${name} runs as configured, at the commit of the run`, () => {
      const event = readEvent(name, payloadsOf(name)[index], MERGE_SHA, 'refs/heads/main');
      assert.deepEqual(intentOf(event), { kind: 'as-configured' });
      assert.equal(event.sha, MERGE_SHA);
    });
  }

  test('a preview is a small rolling deploy into the staging network', () => {
    const event = readEvent('pull_request', pullRequest('opened'), MERGE_SHA, '');
    const config = configOf({ strategy: 'blue-green', 'max-size': '4' }, { sha: event.sha, intent: intentOf(event) });
    assert.equal(config.environment, 'pr-2');
    assert.equal(config.networkEnvironment, 'staging');
    assert.equal(config.strategy, 'rolling');
    assert.deepEqual([config.capacity.minSize, config.capacity.desiredSize, config.capacity.maxSize], [1, 1, 1]);
  });

  test('a closed pull request turns a deploy into the removal of its preview', () => {
    const event = readEvent('pull_request', pullRequest('closed'), MERGE_SHA, '');
    assert.equal(configOf({}, { sha: event.sha, intent: intentOf(event) }).command, 'destroy');
  });
});
