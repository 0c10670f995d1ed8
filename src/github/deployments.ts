/**
 * GitHub Deployments: one per run, created for the exact commit, then given statuses so that
 * the commit, the pull request and the environments page show what is deployed where.
 */
import type { operations } from '@octokit/openapi-types';
import { clip } from '../report/markdown.js';
import type { Octokit } from './client.js';

export interface Repo {
  readonly owner: string;
  readonly repo: string;
}

export type DeploymentState = operations['repos/create-deployment-status']['requestBody']['content']['application/json']['state'];

/** GitHub rejects a status description longer than this. */
export const DESCRIPTION_LIMIT = 140;

export interface NewDeployment {
  readonly sha: string;
  readonly environment: string;
  readonly production: boolean;
  /** A preview: GitHub shows it as destroyed once inactive. */
  readonly transient: boolean;
  readonly description: string;
  readonly payload: Readonly<Record<string, string>>;
}

export interface DeploymentStatus {
  readonly state: DeploymentState;
  readonly description?: string;
  readonly logUrl?: string;
  readonly environmentUrl?: string;
  /** Marks the environment's earlier successful deployments inactive. */
  readonly autoInactive?: boolean;
}

/** Shortens to GitHub's limit by code points, so that no character is cut in half. */
export function statusDescription(description: string): string {
  return clip(description.replace(/\s+/g, ' ').trim(), DESCRIPTION_LIMIT);
}

/** Creates the deployment and returns its id. */
export async function createDeployment(octokit: Octokit, repo: Repo, deployment: NewDeployment): Promise<number> {
  const { data } = await octokit.rest.repos.createDeployment({
    ...repo,
    ref: deployment.sha,
    task: 'deploy',
    environment: deployment.environment,
    description: statusDescription(deployment.description),
    // The commit is deployed as it is: never merge the default branch into it, never wait for checks.
    auto_merge: false,
    required_contexts: [],
    transient_environment: deployment.transient,
    production_environment: deployment.production,
    payload: { ...deployment.payload },
  });
  // 202 means GitHub merged or is merging instead of deploying; auto_merge false should prevent it.
  if (!('id' in data)) throw new Error(`GitHub created no deployment: ${data.message ?? 'no reason given'}`);
  return data.id;
}

export async function setDeploymentStatus(octokit: Octokit, repo: Repo, deploymentId: number, status: DeploymentStatus): Promise<void> {
  await octokit.rest.repos.createDeploymentStatus({
    ...repo,
    deployment_id: deploymentId,
    state: status.state,
    ...(status.description !== undefined ? { description: statusDescription(status.description) } : {}),
    ...(status.logUrl ? { log_url: status.logUrl } : {}),
    ...(status.environmentUrl ? { environment_url: status.environmentUrl } : {}),
    ...(status.autoInactive !== undefined ? { auto_inactive: status.autoInactive } : {}),
  });
}

/** Marks every deployment of `environment` inactive; returns how many there were. */
export async function deactivateEnvironment(octokit: Octokit, repo: Repo, environment: string, description: string): Promise<number> {
  const deployments = await octokit.paginate(octokit.rest.repos.listDeployments, { ...repo, environment, per_page: 100 });
  for (const deployment of deployments) {
    await setDeploymentStatus(octokit, repo, deployment.id, { state: 'inactive', description });
  }
  return deployments.length;
}
