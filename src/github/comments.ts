/**
 * The sticky pull request comment: one per application and environment, found by its hidden
 * marker and by its author, rewritten only when its text changes. Matching the author too
 * means that nobody can make the action overwrite their comment by pasting the marker.
 */
import { statusOf, type Octokit } from './client.js';
import type { Repo } from './deployments.js';

/** The only author whose comments the action may take as its own. */
export type Author = (user: { readonly login: string; readonly type: string } | null | undefined) => boolean;

/** What GITHUB_TOKEN comments as; GitHub does not let that token read GET /user. */
export const ACTIONS_BOT = 'github-actions[bot]';

/** The token's user when GitHub says who it is (a personal token), else github-actions[bot]. */
export async function tokenAuthor(octokit: Octokit): Promise<Author> {
  try {
    const { data } = await octokit.rest.users.getAuthenticated();
    return (user) => user?.login === data.login;
  } catch (error) {
    // 403 "Resource not accessible by integration": an installation token such as GITHUB_TOKEN.
    if (statusOf(error) !== 403 && statusOf(error) !== 404) throw error;
    return (user) => user?.type === 'Bot' && user.login === ACTIONS_BOT;
  }
}

export interface StickyComment {
  readonly issueNumber: number;
  readonly marker: string;
  readonly body: string;
  readonly author: Author;
}

export type CommentOutcome = 'created' | 'updated' | 'unchanged' | 'absent';

async function findComment(octokit: Octokit, repo: Repo, comment: StickyComment): Promise<{ id: number; body: string } | undefined> {
  const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, { ...repo, issue_number: comment.issueNumber, per_page: 100 });
  for await (const page of pages) {
    const found = page.data.find((candidate) => candidate.body?.startsWith(comment.marker) && comment.author(candidate.user));
    if (found) return { id: found.id, body: found.body ?? '' };
  }
  return undefined;
}

/**
 * Updates the comment in place, or creates it; with `onlyUpdate` (a preview being removed)
 * a pull request that never had a comment does not get one now.
 */
export async function upsertComment(octokit: Octokit, repo: Repo, comment: StickyComment, onlyUpdate = false): Promise<CommentOutcome> {
  const existing = await findComment(octokit, repo, comment);
  if (existing) {
    if (existing.body === comment.body) return 'unchanged';
    await octokit.rest.issues.updateComment({ ...repo, comment_id: existing.id, body: comment.body });
    return 'updated';
  }
  if (onlyUpdate) return 'absent';
  await octokit.rest.issues.createComment({ ...repo, issue_number: comment.issueNumber, body: comment.body });
  return 'created';
}
