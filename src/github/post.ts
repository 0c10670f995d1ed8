/**
 * The post step: when the main step was cancelled or crashed before it ended its deployment,
 * mark that deployment as ended in error (not as a failed application), so that GitHub never shows a deploy in progress forever.
 */
import * as core from '@actions/core';
import type { Log } from '../engine/ports.js';
import { createOctokit, type Octokit } from './client.js';
import { setDeploymentStatus } from './deployments.js';
import { DEPLOYMENT_STATE, explainFailure, type SavedDeployment } from './feedback.js';
import { actionsLog } from './log.js';
import { githubTokenInput } from './token.js';

export const DANGLING_DESCRIPTION = 'The run was cancelled or crashed before the deploy finished; see the log.';

/** The deployment the main step left unfinished, if any. */
export function readSaved(value: string): SavedDeployment | undefined {
  if (!value) return undefined;
  try {
    const saved = JSON.parse(value) as Partial<SavedDeployment>;
    if (typeof saved.owner !== 'string' || typeof saved.repo !== 'string' || typeof saved.id !== 'number') return undefined;
    return { owner: saved.owner, repo: saved.repo, id: saved.id, ...(typeof saved.logUrl === 'string' ? { logUrl: saved.logUrl } : {}) };
  } catch {
    return undefined;
  }
}

/** Marks `saved` failed; never throws. */
export async function endDangling(octokit: Octokit, saved: SavedDeployment, log: Pick<Log, 'info' | 'warning'>): Promise<void> {
  try {
    await setDeploymentStatus(octokit, { owner: saved.owner, repo: saved.repo }, saved.id, {
      // A cancelled or crashed run says nothing about the application: `error`, not `failure`.
      state: 'error',
      description: DANGLING_DESCRIPTION,
      ...(saved.logUrl ? { logUrl: saved.logUrl } : {}),
    });
    log.info(`GitHub deployment ${saved.id} marked as ended in error: the main step did not finish it.`);
  } catch (error) {
    log.warning(explainFailure(error, `mark deployment ${saved.id} failed`, 'deployments'));
  }
}

export interface PostDependencies {
  readonly state?: (name: string) => string;
  readonly token?: string;
  readonly octokit?: Octokit;
  readonly log?: Pick<Log, 'info' | 'warning'>;
}

export async function runPost(dependencies: PostDependencies = {}): Promise<void> {
  const log = dependencies.log ?? actionsLog;
  const saved = readSaved((dependencies.state ?? core.getState)(DEPLOYMENT_STATE));
  if (!saved) return;
  const token = dependencies.token ?? githubTokenInput((message) => log.warning(message));
  if (!dependencies.octokit && !token) {
    log.warning(`GitHub deployment ${saved.id} was left in progress and no \`github-token\` is available to mark it failed.`);
    return;
  }
  await endDangling(dependencies.octokit ?? createOctokit(token), saved, log);
}
