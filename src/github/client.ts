/**
 * The one way to talk to GitHub's REST API: @actions/github's octokit, pointed at
 * `GITHUB_API_URL` (GitHub Enterprise Server, or a local stand-in in tests), that waits and
 * retries when GitHub rate limits it. Other failures are not retried: they will not change.
 */
import { getOctokit } from '@actions/github';

export type Octokit = ReturnType<typeof getOctokit>;

export interface ClientOptions {
  /** Default: `GITHUB_API_URL`, else https://api.github.com. */
  readonly baseUrl?: string;
  /** Retries of a rate-limited request before giving up. */
  readonly maxRetries?: number;
  /** The longest wait for a rate limit to pass; a longer one is not worth holding a deploy for. */
  readonly maxWaitMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

interface HttpFailure {
  readonly status?: number;
  readonly message?: string;
  readonly response?: { readonly headers?: Readonly<Record<string, string | number | undefined>> };
}

function failure(error: unknown): HttpFailure {
  return error !== null && typeof error === 'object' ? (error as HttpFailure) : {};
}

export function statusOf(error: unknown): number | undefined {
  const status = failure(error).status;
  return typeof status === 'number' ? status : undefined;
}

function header(error: unknown, name: string): string | undefined {
  const value = failure(error).response?.headers?.[name];
  return value === undefined ? undefined : String(value);
}

/** A 429, or a 403 that is a primary (no requests left) or secondary rate limit. */
export function isRateLimited(error: unknown): boolean {
  const status = statusOf(error);
  if (status === 429) return true;
  if (status !== 403) return false;
  return header(error, 'x-ratelimit-remaining') === '0' || header(error, 'retry-after') !== undefined || /rate limit/i.test(failure(error).message ?? '');
}

const retries = new WeakMap<object, number>();

/** How many times the request that failed with `error` was retried because of rate limits. */
export function retriesOf(error: unknown): number {
  return error !== null && typeof error === 'object' ? (retries.get(error) ?? 0) : 0;
}

/**
 * What GitHub asks to wait: retry-after; else until the reset of an exhausted quota; else, for
 * a secondary rate limit, the minute GitHub's documentation asks for; else an exponential backoff.
 */
function waitFor(error: unknown, attempt: number, now: number): number {
  const retryAfter = header(error, 'retry-after');
  if (retryAfter !== undefined && Number.isFinite(Number(retryAfter))) return Math.max(0, Number(retryAfter)) * 1000;
  const reset = Number(header(error, 'x-ratelimit-reset'));
  if (header(error, 'x-ratelimit-remaining') === '0' && Number.isFinite(reset)) return Math.max(0, reset * 1000 - now);
  if (statusOf(error) === 403) return 60_000;
  return 1000 * 2 ** attempt;
}

export function createOctokit(token: string, options: ClientOptions = {}): Octokit {
  const baseUrl = options.baseUrl ?? (process.env.GITHUB_API_URL || 'https://api.github.com');
  const maxRetries = options.maxRetries ?? 3;
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const octokit = getOctokit(token, { baseUrl });
  octokit.hook.wrap('request', async (request, requestOptions) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(requestOptions);
      } catch (error) {
        if (!isRateLimited(error)) throw error;
        const wait = waitFor(error, attempt, now());
        if (attempt >= maxRetries || wait > maxWaitMs) {
          if (error !== null && typeof error === 'object') retries.set(error, attempt);
          throw error;
        }
        await sleep(wait);
      }
    }
  });
  return octokit;
}
