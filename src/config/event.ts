/**
 * What GitHub's event means for this run, as a pure function of the event's name and payload.
 * Tested with the payloads GitHub really sends (@octokit/webhooks-examples).
 */

export interface PullRequestFacts {
  readonly number: number;
  readonly action: string;
  readonly headSha: string;
  /** The pull request comes from another repository: GitHub gives its runs no secrets. */
  readonly fromFork: boolean;
  readonly merged: boolean;
}

export interface RunEvent {
  readonly name: string;
  /** The commit to deploy: the pull request's head, never GitHub's merge commit. */
  readonly sha: string;
  readonly ref: string;
  readonly pullRequest?: PullRequestFacts;
}

/** What the run should do because of its event, before any input is considered. */
export type EventIntent =
  | { readonly kind: 'as-configured' }
  | { readonly kind: 'preview-deploy'; readonly pullRequest: number }
  | { readonly kind: 'preview-destroy'; readonly pullRequest: number }
  /** Nothing to do; a pull request's runs still speak of its preview, pr-<number>. */
  | { readonly kind: 'skip'; readonly reason: string; readonly pullRequest?: number };

const PREVIEW_DEPLOY_ACTIONS = new Set(['opened', 'synchronize', 'reopened']);

type Json = Record<string, unknown>;

function object(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' ? (value as Json) : undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Reads the facts the product needs from an event payload, whatever else it holds. */
export function readEvent(name: string, payload: unknown, sha: string, ref: string): RunEvent {
  const pr = object(object(payload)?.pull_request);
  if (!name.startsWith('pull_request') || !pr) return { name, sha, ref };
  const head = object(pr.head);
  const base = object(pr.base);
  const headRepo = text(object(head?.repo)?.full_name);
  const baseRepo = text(object(base?.repo)?.full_name);
  return {
    name,
    sha: text(head?.sha) || sha,
    ref: text(head?.ref) ? `refs/heads/${text(head?.ref)}` : ref,
    pullRequest: {
      number: Number(pr.number ?? object(payload)?.number),
      action: text(object(payload)?.action),
      headSha: text(head?.sha),
      // A deleted fork has no head repository: treat it as a fork, it is not ours either.
      fromFork: headRepo === '' || headRepo !== baseRepo,
      merged: pr.merged === true,
    },
  };
}

/** Decides what a pull_request event asks for; other events run as configured. */
export function intentOf(event: RunEvent): EventIntent {
  const pr = event.pullRequest;
  if (!pr) return { kind: 'as-configured' };
  if (pr.fromFork) {
    return {
      kind: 'skip',
      pullRequest: pr.number,
      reason: `Pull request #${pr.number} comes from a fork. GitHub gives such runs no secrets and no AWS credentials, so no preview is deployed; a maintainer can deploy it from a branch of this repository.`,
    };
  }
  if (pr.action === 'closed') return { kind: 'preview-destroy', pullRequest: pr.number };
  if (PREVIEW_DEPLOY_ACTIONS.has(pr.action)) return { kind: 'preview-deploy', pullRequest: pr.number };
  return { kind: 'skip', pullRequest: pr.number, reason: `The pull_request action "${pr.action}" does not change a preview: only opened, synchronize, reopened and closed do.` };
}
