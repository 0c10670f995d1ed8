import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEvent } from '../../src/config/event.js';
import { hostname, previewEnvironment } from '../../src/config/names.js';
import { createOctokit } from '../../src/github/client.js';
import { createFeedback, DEPLOYMENT_STATE, writeSummary, type FeedbackOptions, type RunState } from '../../src/github/feedback.js';
import type { RunReport } from '../../src/engine/run-report.js';
import { startGitHubStandIn, type GitHubStandIn, type StandInOptions } from '../support/github-stand-in.js';
import { RecordingLog } from '../support/recording-log.js';
import { deployedReport, failedReport } from '../support/run-reports.js';

// The payloads GitHub really sends, as published by GitHub in @octokit/webhooks-examples.
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples/api.github.com/index.json') as Array<{ name: string; examples: Array<Record<string, unknown>> }>;
const pullRequestEvent = (action: string) => examples.find((e) => e.name === 'pull_request')!.examples.find((p) => p.action === action)!;

const APPLICATION = 'awesome-application';
const ZONE = 'armesto.net';
const LOG_URL = 'https://github.com/Codertocat/Hello-World/actions/runs/7';

const warnings = (log: RecordingLog) => log.lines.filter((line) => line.startsWith('warning: '));
const bodies = (standIn: GitHubStandIn, operationId: string) => standIn.requests.filter((r) => r.operationId === operationId).map((r) => r.body);

class MemoryState implements RunState {
  readonly saved: [string, string][] = [];
  save(name: string, value: string): void {
    this.saved.push([name, value]);
  }
}

/** One run of the action for a pull_request event: what main.ts hands the feedback. */
function runFor(standIn: GitHubStandIn, action: string, extra: Partial<FeedbackOptions> = {}) {
  const payload = pullRequestEvent(action);
  const event = readEvent('pull_request', payload, 'f'.repeat(40), 'refs/pull/2/merge');
  const pr = event.pullRequest!;
  const repository = payload.repository as { name: string; owner: { login: string } };
  const environment = previewEnvironment(pr.number);
  const log = new RecordingLog();
  const state = new MemoryState();
  const feedback = createFeedback({
    octokit: createOctokit(standIn.token, { baseUrl: standIn.url, secondMs: 1 }),
    repo: { owner: repository.owner.login, repo: repository.name },
    log,
    application: APPLICATION,
    pullRequest: pr.number,
    logUrl: LOG_URL,
    state,
    ...extra,
  });
  const start = { sha: event.sha, environment, version: event.sha, production: false, transient: true, description: `Deploying ${APPLICATION} ${event.sha.slice(0, 7)} to ${environment}` };
  const report = (overrides: Partial<RunReport> = {}) =>
    deployedReport({ environment, sha: event.sha, version: event.sha, url: `https://${hostname(APPLICATION, environment, ZONE)}`, logUrl: LOG_URL, ...overrides });
  return { feedback, log, state, event, environment, start, report };
}

describe('feedback through a preview life cycle, against GitHub as its OpenAPI description defines it', () => {
  let standIn: GitHubStandIn;
  before(async () => {
    standIn = await startGitHubStandIn();
  });
  after(() => standIn.close());

  test('opened: a transient deployment of the head commit, in progress then successful with its URL, and one comment', async () => {
    const run = runFor(standIn, 'opened');
    await run.feedback.started(run.start);
    await run.feedback.finished(run.report());

    assert.deepEqual(bodies(standIn, 'repos/create-deployment'), [
      {
        ref: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
        task: 'deploy',
        environment: 'pr-2',
        description: 'Deploying awesome-application ec26c3e to pr-2',
        auto_merge: false,
        required_contexts: [],
        transient_environment: true,
        production_environment: false,
        payload: { application: APPLICATION, version: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821' },
      },
    ]);
    assert.deepEqual(bodies(standIn, 'repos/create-deployment-status'), [
      { state: 'in_progress', description: 'Deploying awesome-application ec26c3e to pr-2', log_url: LOG_URL },
      { state: 'success', description: 'Deployed ec26c3e', log_url: LOG_URL, environment_url: 'https://awesome-application-pr-2.armesto.net', auto_inactive: true },
    ]);
    const comments = standIn.comments.get(2) ?? [];
    assert.equal(comments.length, 1);
    assert.equal(comments[0]?.user?.login, 'github-actions[bot]');
    assert.ok(comments[0]?.body?.startsWith('<!-- wimpy-deploy: awesome-application/pr-2 -->\n### ✅ Deployed'));
    assert.deepEqual(warnings(run.log), []);
  });

  test('synchronize: a new deployment, and the same comment updated in place', async () => {
    const run = runFor(standIn, 'synchronize');
    const commentId = standIn.comments.get(2)?.[0]?.id;
    await run.feedback.started(run.start);
    await run.feedback.finished(run.report({ durationMs: 95_000 }));

    assert.equal(standIn.deployments.length, 2);
    assert.equal(standIn.latestState(standIn.deployments[1]!.id as number), 'success');
    assert.equal(bodies(standIn, 'issues/create-comment').length, 1, 'never a second comment');
    assert.equal(standIn.requests.filter((r) => r.operationId === 'issues/update-comment').at(-1)?.path, `/repos/Codertocat/Hello-World/issues/comments/${commentId}`);
    assert.equal(standIn.comments.get(2)?.length, 1);
    assert.ok(standIn.comments.get(2)?.[0]?.body?.includes('| **Duration** | 1 min 35 s |'));
  });

  test('closed: every deployment of the preview inactive, and the comment says it was removed', async () => {
    const run = runFor(standIn, 'closed');
    await run.feedback.previewRemoved(run.environment);

    for (const deployment of standIn.deployments) assert.equal(standIn.latestState(deployment.id as number), 'inactive');
    const listed = standIn.requests.filter((r) => r.operationId === 'repos/list-deployments');
    assert.deepEqual(listed.map((r) => r.query), [{ environment: 'pr-2', per_page: '100' }]);
    assert.equal(standIn.comments.get(2)?.length, 1);
    assert.match(standIn.comments.get(2)?.[0]?.body ?? '', /^<!-- wimpy-deploy: awesome-application\/pr-2 -->\n### 🗑️ Removed <code>awesome-application<\/code> from <code>pr-2<\/code>/);
  });

  test('reopened: deployed again, and the same comment says so', async () => {
    const run = runFor(standIn, 'reopened');
    await run.feedback.started(run.start);
    await run.feedback.finished(run.report());

    assert.equal(standIn.deployments.length, 3);
    assert.equal(standIn.comments.get(2)?.length, 1);
    assert.match(standIn.comments.get(2)?.[0]?.body ?? '', /\n### ✅ Deployed/);
  });

  test('every request of the life cycle matched an operation of the description and broke none of its rules', () => {
    assert.ok(standIn.requests.length >= 15);
    assert.deepEqual(standIn.requests.filter((r) => r.operationId === undefined), []);
    assert.deepEqual(standIn.violations, []);
    assert.deepEqual(standIn.standInErrors, []);
  });
});

describe('feedback', () => {
  let standIn: GitHubStandIn;
  const start = async (options?: StandInOptions) => {
    standIn = await startGitHubStandIn(options);
  };
  afterEach(async () => {
    await standIn.close();
    assert.deepEqual(standIn.violations, []);
    assert.deepEqual(standIn.standInErrors, []);
  });

  test('a cancelled run ends its deployment in error, saying it was cancelled, not as a failed application', async () => {
    await start();
    const run = runFor(standIn, 'opened');
    const before = bodies(standIn, 'repos/create-deployment-status').length;
    await run.feedback.started(run.start);
    await run.feedback.finished(run.report({ status: 'cancelled', message: 'The run was cancelled during the rollout.' }));
    const [, last] = bodies(standIn, 'repos/create-deployment-status').slice(before) as Array<{ state: string; description: string }>;
    assert.equal(last?.state, 'error');
    assert.match(last?.description ?? '', /^The run was cancelled/);
  });

  test('without deployments: write, goes on and warns with the permission to add', async () => {
    await start();
    standIn.fail({ operationId: 'repos/create-deployment', status: 403 });
    const run = runFor(standIn, 'opened');
    await run.feedback.started(run.start);
    await run.feedback.finished(run.report());

    assert.equal(warnings(run.log).length, 1);
    assert.match(warnings(run.log)[0] ?? '', /^warning: Could not create a GitHub deployment for pr-2: .*Add `permissions: deployments: write` to the job\./);
    assert.deepEqual(bodies(standIn, 'repos/create-deployment-status'), [], 'no status for a deployment that does not exist');
    assert.equal(standIn.comments.get(2)?.length, 1, 'the comment is written all the same');
  });

  test('without pull-requests: write, warns with that permission', async () => {
    await start();
    standIn.fail({ operationId: 'issues/list-comments', status: 403 });
    const run = runFor(standIn, 'opened');
    await run.feedback.finished(run.report());
    assert.match(warnings(run.log)[0] ?? '', /^warning: Could not write the pull request comment: .*Add `permissions: pull-requests: write` to the job\./);
  });

  test('with a token GitHub rejects, warns that the token is missing or invalid, and throws nothing', async () => {
    await start();
    const run = runFor(standIn, 'opened', { octokit: createOctokit('ghs_revoked', { baseUrl: standIn.url, secondMs: 1 }) });
    await run.feedback.started(run.start);
    await run.feedback.finished(run.report());
    await run.feedback.previewRemoved(run.environment);
    assert.ok(warnings(run.log).length >= 3);
    for (const warning of warnings(run.log)) assert.match(warning, /GitHub rejected the token \(401\)\. The `github-token` input is missing, expired or invalid\./);
  });

  /** A client whose seconds last a millisecond, noting every wait for a rate limit GitHub asks for. */
  const recording = (waits: string[]) =>
    createOctokit(standIn.token, { baseUrl: standIn.url, secondMs: 1, onRateLimitWait: (seconds, kind) => void waits.push(`${kind} ${seconds} s`) });

  test('waits the seconds a secondary rate limit asks for, retries, then says how often it tried', async () => {
    await start();
    standIn.fail({ operationId: 'repos/create-deployment', status: 429, message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', headers: { 'retry-after': '2' } });
    const waits: string[] = [];
    const run = runFor(standIn, 'opened', { octokit: recording(waits) });
    await run.feedback.started(run.start);
    assert.deepEqual(waits, ['secondary rate limit 2 s', 'secondary rate limit 2 s', 'secondary rate limit 2 s']);
    assert.equal(bodies(standIn, 'repos/create-deployment').length, 4);
    assert.match(warnings(run.log)[0] ?? '', /^warning: Could not create a GitHub deployment for pr-2: GitHub rate limited the requests, retried 3 times\./);
  });

  test('a secondary rate limit that passes is invisible, after the minute GitHub asks for when it names no wait', async () => {
    await start();
    standIn.fail({ operationId: 'repos/create-deployment', status: 403, message: 'You have exceeded a secondary rate limit.', times: 2 });
    const waits: string[] = [];
    const run = runFor(standIn, 'opened', { octokit: recording(waits) });
    await run.feedback.started(run.start);
    assert.deepEqual(waits, ['secondary rate limit 60 s', 'secondary rate limit 60 s']);
    assert.equal(standIn.deployments.length, 1);
    assert.deepEqual(warnings(run.log), []);
  });

  test('an exhausted quota that resets within the minute is waited for, then the request goes through', async () => {
    await start();
    const reset = String(Math.floor(Date.now() / 1000) + 30);
    standIn.fail({ operationId: 'repos/create-deployment', status: 403, message: 'API rate limit exceeded', headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }, times: 1 });
    const waits: string[] = [];
    const run = runFor(standIn, 'opened', { octokit: recording(waits) });
    await run.feedback.started(run.start);
    assert.equal(waits.length, 1);
    assert.match(waits[0]!, /^rate limit (2\d|3[01]) s$/);
    assert.equal(standIn.deployments.length, 1);
    assert.deepEqual(warnings(run.log), []);
  });

  test('does not hold a deploy for a quota that resets in more than a minute', async () => {
    await start();
    const reset = String(Math.floor(Date.now() / 1000) + 1800);
    standIn.fail({ operationId: 'repos/create-deployment', status: 403, message: 'API rate limit exceeded', headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset } });
    const waits: string[] = [];
    const run = runFor(standIn, 'opened', { octokit: recording(waits) });
    await run.feedback.started(run.start);
    assert.deepEqual(waits, []);
    assert.equal(bodies(standIn, 'repos/create-deployment').length, 1);
    assert.match(warnings(run.log)[0] ?? '', /GitHub rate limited the requests, retried 0 times\./);
  });

  test('retries a request GitHub answered with a server error, and the deploy never hears of it', async () => {
    await start();
    standIn.fail({ operationId: 'repos/create-deployment', status: 502, message: 'Server Error', times: 2 });
    const run = runFor(standIn, 'opened');
    await run.feedback.started(run.start);
    assert.equal(bodies(standIn, 'repos/create-deployment').length, 3);
    assert.equal(standIn.deployments.length, 1);
    assert.deepEqual(warnings(run.log), []);
  });

  test('gives up on a server error that lasts, after three retries, with GitHub\'s answer in the warning', async () => {
    await start();
    standIn.fail({ operationId: 'repos/create-deployment', status: 503, message: 'Service Unavailable' });
    const run = runFor(standIn, 'opened');
    await run.feedback.started(run.start);
    assert.equal(bodies(standIn, 'repos/create-deployment').length, 4);
    assert.match(warnings(run.log)[0] ?? '', /^warning: Could not create a GitHub deployment for pr-2: 503 Service Unavailable/);
  });

  test('does not retry a refusal: a 403 that is no rate limit is asked once', async () => {
    await start();
    standIn.fail({ operationId: 'repos/create-deployment', status: 403, message: 'Resource not accessible by integration' });
    const run = runFor(standIn, 'opened');
    await run.feedback.started(run.start);
    assert.equal(bodies(standIn, 'repos/create-deployment').length, 1);
  });

  test('a failed deploy ends its deployment failed, with the root cause in 140 characters', async () => {
    await start();
    const run = runFor(standIn, 'opened');
    await run.feedback.started(run.start);
    const reason = `Received 0 SUCCESS signals out of the 1 expected or failed to receive 1 signals. ${'Each resource signal timeout is counted as a FAILURE. '.repeat(3)}`;
    await run.feedback.finished(failedReport({ rootCause: { stack: 's', resource: 'Fleet', type: 'AWS::AutoScaling::AutoScalingGroup', status: 'CREATE_FAILED', reason } }));
    const final = bodies(standIn, 'repos/create-deployment-status').at(-1) as { state: string; description: string };
    assert.equal(final.state, 'failure');
    assert.equal(Array.from(final.description).length, 140);
    assert.ok(final.description.startsWith('Fleet CREATE_FAILED: Received 0 SUCCESS signals'));
    assert.ok(final.description.endsWith('…'));
  });

  test('a production deployment is marked as such and is not transient', async () => {
    await start();
    const run = runFor(standIn, 'opened');
    await run.feedback.started({ ...run.start, environment: 'production', production: true, transient: false });
    assert.deepEqual(bodies(standIn, 'repos/create-deployment').map((b) => [(b as Record<string, unknown>).production_environment, (b as Record<string, unknown>).transient_environment]), [[true, false]]);
  });

  test('an unchanged comment is not rewritten', async () => {
    await start();
    const run = runFor(standIn, 'opened');
    await run.feedback.finished(run.report());
    await run.feedback.finished(run.report());
    assert.equal(bodies(standIn, 'issues/create-comment').length, 1);
    assert.equal(bodies(standIn, 'issues/update-comment').length, 0);
  });

  test("a person's comment that carries the marker is never taken over", async () => {
    await start();
    const human = standIn.seedComment(2, { login: 'Codertocat', type: 'User' }, '<!-- wimpy-deploy: awesome-application/pr-2 -->\nlooks fine');
    const run = runFor(standIn, 'opened');
    await run.feedback.finished(run.report());
    assert.equal(standIn.comments.get(2)?.length, 2);
    assert.equal(standIn.comments.get(2)?.[0]?.body, human.body);
    assert.equal(bodies(standIn, 'issues/update-comment').length, 0);
  });

  test("with a person's token, the comment is the one that person's token wrote", async () => {
    await start({ account: { login: 'octocat', type: 'User' } });
    const bot = standIn.seedComment(2, { login: 'github-actions[bot]', type: 'Bot' }, '<!-- wimpy-deploy: awesome-application/pr-2 -->\nold');
    const own = standIn.seedComment(2, { login: 'octocat', type: 'User' }, '<!-- wimpy-deploy: awesome-application/pr-2 -->\nold');
    const run = runFor(standIn, 'opened');
    await run.feedback.finished(run.report());
    assert.equal(standIn.comments.get(2)?.find((c) => c.id === bot.id)?.body, bot.body);
    assert.match(standIn.comments.get(2)?.find((c) => c.id === own.id)?.body ?? '', /### ✅ Deployed/);
    assert.equal(standIn.comments.get(2)?.length, 2);
  });

  test('finds its comment beyond the first page of comments', async () => {
    await start();
    for (let i = 0; i < 150; i++) standIn.seedComment(2, { login: 'Codertocat', type: 'User' }, `comment ${i}`);
    standIn.seedComment(2, { login: 'github-actions[bot]', type: 'Bot' }, '<!-- wimpy-deploy: awesome-application/pr-2 -->\nold');
    standIn.seedComment(2, { login: 'github-actions[bot]', type: 'Bot' }, '<!-- wimpy-deploy: another-application/pr-2 -->\nnot ours');
    const run = runFor(standIn, 'opened');
    await run.feedback.finished(run.report());
    assert.deepEqual(standIn.requests.filter((r) => r.operationId === 'issues/list-comments').map((r) => r.query.page ?? '1'), ['1', '2']);
    assert.equal(standIn.comments.get(2)?.length, 152);
    assert.match(standIn.comments.get(2)?.[150]?.body ?? '', /### ✅ Deployed/);
    assert.equal(standIn.comments.get(2)?.[151]?.body, '<!-- wimpy-deploy: another-application/pr-2 -->\nnot ours');
  });

  test('a skipped run says nothing on the pull request', async () => {
    await start();
    const run = runFor(standIn, 'opened');
    await run.feedback.finished(run.report({ status: 'skipped', message: 'The pull_request action "labeled" does not change a preview.' }));
    assert.deepEqual(standIn.requests, []);
  });

  test('removing a preview that never had a comment adds none', async () => {
    await start();
    const run = runFor(standIn, 'closed');
    await run.feedback.previewRemoved(run.environment);
    assert.equal(standIn.comments.get(2), undefined);
    assert.deepEqual(warnings(run.log), []);
  });

  test('a successful destroy marks the deployments inactive and updates the comment with the report', async () => {
    await start();
    const opened = runFor(standIn, 'opened');
    await opened.feedback.started(opened.start);
    await opened.feedback.finished(opened.report());
    const closed = runFor(standIn, 'closed');
    await closed.feedback.finished(closed.report({ command: 'destroy', stacks: [{ name: 'awesome-application-pr-2-ec26c3e', outcome: 'removed', changes: [] }], traffic: [] }));
    assert.equal(standIn.latestState(standIn.deployments[0]!.id as number), 'inactive');
    assert.match(standIn.comments.get(2)?.[0]?.body ?? '', /### 🗑️ Removed/);
  });

  test('saves the started deployment for the post step, and clears it once finished', async () => {
    await start();
    const run = runFor(standIn, 'opened');
    await run.feedback.started(run.start);
    const id = standIn.deployments[0]!.id;
    assert.deepEqual(run.state.saved, [[DEPLOYMENT_STATE, JSON.stringify({ owner: 'Codertocat', repo: 'Hello-World', id, logUrl: LOG_URL })]]);
    await run.feedback.finished(run.report());
    assert.deepEqual(run.state.saved.at(-1), [DEPLOYMENT_STATE, '']);
  });
});

describe('the job summary file', () => {
  let saved: string | undefined;
  let dir: string;
  beforeEach(() => {
    saved = process.env.GITHUB_STEP_SUMMARY;
    dir = mkdtempSync(join(tmpdir(), 'summary-'));
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY;
    else process.env.GITHUB_STEP_SUMMARY = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  test('in a terminal, where there is no summary file, is skipped without an error', async () => {
    delete process.env.GITHUB_STEP_SUMMARY;
    const log = new RecordingLog();
    assert.equal(await writeSummary('## hello', log), false);
    assert.deepEqual(log.lines, []);
  });

  test('that cannot be written gives a warning, not a failure', async () => {
    process.env.GITHUB_STEP_SUMMARY = join(dir, 'missing-folder', 'step_summary');
    const log = new RecordingLog();
    assert.equal(await writeSummary('## hello', log), false);
    assert.match(log.lines[0] ?? '', /^warning: Could not write the job summary: /);
  });

  // @actions/core remembers the first summary file it could open, so this test comes last.
  test('on a runner, is appended to the file GitHub gives', async () => {
    const file = join(dir, 'step_summary');
    writeFileSync(file, ''); // the runner creates it
    process.env.GITHUB_STEP_SUMMARY = file;
    const log = new RecordingLog();
    assert.equal(await writeSummary('## one', log), true);
    assert.equal(await writeSummary('## two', log), true);
    assert.equal(readFileSync(file, 'utf8'), '## one\n## two\n');
  });
});
