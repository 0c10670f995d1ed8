/**
 * Everything the action tells people on GitHub, behind one facade that never throws: a deploy
 * must not fail because a comment could not be written. Each failure becomes one warning that
 * says what to change (usually a permission of the workflow's token).
 */
import * as core from '@actions/core';
import type { Log } from '../engine/ports.js';
import { commentBody, commentMarker, removedCommentBody } from '../report/comment.js';
import { shortVersion } from '../report/render.js';
import type { RunReport } from '../engine/run-report.js';
import { isRateLimited, retriesOf, statusOf, type Octokit } from './client.js';
import { tokenAuthor, upsertComment, type Author } from './comments.js';
import { createDeployment, deactivateEnvironment, setDeploymentStatus, type DeploymentStatus, type Repo } from './deployments.js';

/** Where the main step leaves the deployment it started, for the post step to end if it must. */
export const DEPLOYMENT_STATE = 'deployment';

export interface SavedDeployment extends Repo {
  readonly id: number;
  readonly logUrl?: string;
}

/** The runner's state between the main and the post step. */
export interface RunState {
  save(name: string, value: string): void;
}

/** Outside a runner (a terminal) there is no post step, and core.saveState would print to stdout. */
export const runnerState: RunState = {
  save(name, value) {
    if (process.env.GITHUB_STATE) core.saveState(name, value);
  },
};

export interface FeedbackOptions {
  readonly octokit: Octokit;
  readonly repo: Repo;
  readonly log: Log;
  readonly application: string;
  /** The pull request to comment on: set for pull_request events only. */
  readonly pullRequest?: number;
  /** The workflow run's page. */
  readonly logUrl?: string;
  readonly state?: RunState;
}

export interface DeploymentStart {
  readonly sha: string;
  /** GitHub's environment name: the environment deployed to (pr-<n> for a preview). */
  readonly environment: string;
  readonly version: string;
  readonly production: boolean;
  readonly transient: boolean;
  readonly description: string;
  readonly logUrl?: string;
}

export interface Feedback {
  /** Creates the run's deployment and marks it in progress. */
  started(start: DeploymentStart): Promise<void>;
  /**
   * Ends the deployment `started` created with the report's outcome, and writes the pull
   * request comment. A successful destroy also does what `previewRemoved` does.
   */
  finished(report: RunReport): Promise<void>;
  /**
   * Marks every deployment of `environment` inactive (GitHub shows a transient one as
   * destroyed) and says so in the pull request's comment, when it has one.
   */
  previewRemoved(environment: string, pullRequest?: number): Promise<void>;
}

type Permission = 'deployments' | 'pull-requests';

/** The sentence that tells a person what went wrong and what to change. */
export function explainFailure(error: unknown, what: string, permission: Permission): string {
  const status = statusOf(error);
  const reason = error instanceof Error ? error.message : String(error);
  if (status === 401) {
    return `Could not ${what}: GitHub rejected the token (401). The \`github-token\` input is missing, expired or invalid.`;
  }
  if (isRateLimited(error)) {
    const times = retriesOf(error);
    return `Could not ${what}: GitHub rate limited the requests, retried ${times} ${times === 1 ? 'time' : 'times'}. ${reason}`;
  }
  if (status === 403 || (status === 404 && permission === 'pull-requests')) {
    return `Could not ${what}: GitHub answered ${status} (${reason}). Add \`permissions: ${permission}: write\` to the job.`;
  }
  return `Could not ${what}: ${status ? `${status} ` : ''}${reason}`;
}

/** The final status of a run's deployment. */
export function finalStatus(report: RunReport, logUrl?: string): DeploymentStatus {
  const log = logUrl ? { logUrl } : {};
  const version = shortVersion(report.version);
  switch (report.status) {
    case 'success':
    case 'no-change':
      return {
        state: 'success',
        description: report.status === 'success' ? `Deployed ${version}` : `${version} was already deployed`,
        ...log,
        ...(report.url ? { environmentUrl: report.url } : {}),
        autoInactive: true,
      };
    case 'failure': {
      const cause = report.rootCause;
      const description = cause ? `${cause.resource} ${cause.status}${cause.reason ? `: ${cause.reason}` : ''}` : (report.message ?? 'The deploy failed: see the log.');
      return { state: 'failure', description, ...log };
    }
    case 'cancelled':
      // `error`, not `failure`: a person stopped the run; nothing says the application is broken.
      return { state: 'error', description: 'The run was cancelled; CloudFormation may still be finishing its update.', ...log };
    case 'planned':
    case 'skipped':
      return { state: 'inactive', description: report.message ?? 'Nothing was deployed.', ...log };
  }
}

export async function writeSummary(markdown: string, log: Pick<Log, 'warning'>): Promise<boolean> {
  // core.summary throws where the runner gave no summary file, as in a terminal.
  if (!process.env.GITHUB_STEP_SUMMARY) return false;
  try {
    // A write that failed leaves its text in core's buffer: never let it into the next one.
    await core.summary.emptyBuffer().addRaw(markdown, true).write();
    return true;
  } catch (error) {
    log.warning(`Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}

export function createFeedback(options: FeedbackOptions): Feedback {
  const { octokit, repo, log, application } = options;
  const state = options.state ?? runnerState;
  let current: SavedDeployment | undefined;
  let author: Promise<Author> | undefined;

  async function guard<T>(what: string, permission: Permission, work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (error) {
      log.warning(explainFailure(error, what, permission));
      return undefined;
    }
  }

  async function comment(issueNumber: number, environment: string, body: string, onlyUpdate: boolean): Promise<void> {
    await guard('write the pull request comment', 'pull-requests', async () => {
      author ??= tokenAuthor(octokit);
      const marker = commentMarker(application, environment);
      const outcome = await upsertComment(octokit, repo, { issueNumber, marker, body, author: await author }, onlyUpdate);
      if (outcome !== 'absent') log.info(`Pull request #${issueNumber} comment: ${outcome}.`);
    });
  }

  async function retire(environment: string, body: string, pullRequest: number | undefined): Promise<void> {
    await guard(`mark the deployments of ${environment} inactive`, 'deployments', async () => {
      const count = await deactivateEnvironment(octokit, repo, environment, `${environment} was removed`);
      log.info(`${count} GitHub ${count === 1 ? 'deployment' : 'deployments'} of ${environment} marked inactive.`);
    });
    if (pullRequest !== undefined) await comment(pullRequest, environment, body, true);
  }

  return {
    async started(start) {
      const logUrl = start.logUrl ?? options.logUrl;
      await guard(`create a GitHub deployment for ${start.environment}`, 'deployments', async () => {
        const id = await createDeployment(octokit, repo, {
          sha: start.sha,
          environment: start.environment,
          production: start.production,
          transient: start.transient,
          description: start.description,
          payload: { application, version: start.version },
        });
        current = { ...repo, id, ...(logUrl ? { logUrl } : {}) };
        state.save(DEPLOYMENT_STATE, JSON.stringify(current));
        await setDeploymentStatus(octokit, repo, id, { state: 'in_progress', description: start.description, ...(logUrl ? { logUrl } : {}) });
      });
    },

    async finished(report) {
      const deployment = current;
      if (deployment) {
        const status = finalStatus(report, deployment.logUrl);
        await guard(`set the deployment status to ${status.state}`, 'deployments', () => setDeploymentStatus(octokit, repo, deployment.id, status));
        current = undefined;
        state.save(DEPLOYMENT_STATE, '');
      }
      const pullRequest = options.pullRequest;
      if (report.command === 'destroy') {
        if (report.status === 'success') await retire(report.environment, commentBody(report), pullRequest);
        else if (pullRequest !== undefined) await comment(pullRequest, report.environment, commentBody(report), true);
        return;
      }
      // A skipped run (another pull request action, a fork) has nothing to tell the pull request.
      if (pullRequest !== undefined && report.status !== 'skipped') await comment(pullRequest, report.environment, commentBody(report), false);
    },

    async previewRemoved(environment, pullRequest = options.pullRequest) {
      await retire(environment, removedCommentBody(application, environment, options.logUrl), pullRequest);
    },
  };
}
