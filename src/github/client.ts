/**
 * The one way to talk to GitHub's REST API: @actions/github's octokit, pointed at
 * `GITHUB_API_URL` (GitHub Enterprise Server, or a local stand-in in tests), with Octokit's own
 * plugins for what GitHub asks of a client: @octokit/plugin-throttling waits out primary and
 * secondary rate limits (and spaces writes as GitHub's best practices ask), and
 * @octokit/plugin-retry retries server errors. A 4xx other than a rate limit is not retried:
 * it says something about the request, which will not change.
 */
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck/light.js';

export type Octokit = ReturnType<typeof getOctokit>;

export interface ClientOptions {
  /** Default: `GITHUB_API_URL`, else https://api.github.com. */
  readonly baseUrl?: string;
  /** Retries of one request, after a rate limit or a server error, before giving up. */
  readonly maxRetries?: number;
  /** The longest wait for a rate limit to pass; a longer one is not worth holding a deploy for. */
  readonly maxWaitMs?: number;
  /**
   * How long one of the seconds GitHub asks to wait lasts: a second, except in tests, which
   * pass a millisecond so that every wait happens, scaled, and no test waits.
   */
  readonly secondMs?: number;
  /** Told of each wait for a rate limit, in the seconds GitHub asked for. */
  readonly onRateLimitWait?: (seconds: number, kind: 'rate limit' | 'secondary rate limit') => void;
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

/** A 429, or a 403 that is a primary (no requests left) or secondary rate limit. */
export function isRateLimited(error: unknown): boolean {
  const status = statusOf(error);
  if (status === 429) return true;
  if (status !== 403) return false;
  const headers = failure(error).response?.headers ?? {};
  return String(headers['x-ratelimit-remaining']) === '0' || headers['retry-after'] !== undefined || /rate limit/i.test(failure(error).message ?? '');
}

/** Rate-limit retries by request options, while the request is under way; then by its final error. */
const retries = new WeakMap<object, number>();

/** How many times the request that failed with `error` was retried because of rate limits. */
export function retriesOf(error: unknown): number {
  return error !== null && typeof error === 'object' ? (retries.get(error) ?? 0) : 0;
}

/**
 * Every 4xx: a client error says something about the request (a token, a permission, a
 * conflict), and rate limits, which do pass, are the throttling plugin's to wait out.
 */
const CLIENT_ERRORS = Array.from({ length: 100 }, (_, index) => 400 + index);

/**
 * GitHub's pacing of writes (a second between mutations, three before one that notifies
 * people), scaled like every wait. Only a client with scaled seconds gets limiters of its own:
 * the plugin's shared ones pace every client of the process together, as GitHub counts them.
 */
function scaledPacing(secondMs: number): { write?: Bottleneck.Group; notifications?: Bottleneck.Group } {
  if (secondMs === 1000) return {};
  return {
    write: new Bottleneck.Group({ maxConcurrent: 1, minTime: secondMs }),
    notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 3 * secondMs }),
  };
}

export function createOctokit(token: string, options: ClientOptions = {}): Octokit {
  const baseUrl = options.baseUrl ?? (process.env.GITHUB_API_URL || 'https://api.github.com');
  const maxRetries = options.maxRetries ?? 3;
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  const secondMs = options.secondMs ?? 1000;
  const onLimit = (kind: 'rate limit' | 'secondary rate limit') => (retryAfter: number, request: object, _octokit: unknown, retryCount: number): boolean => {
    retries.set(request, retryCount);
    // A quota that resets in half an hour is not waited for: the deploy goes on without its feedback.
    if (retryCount >= maxRetries || retryAfter * 1000 > maxWaitMs) return false;
    options.onRateLimitWait?.(retryAfter, kind);
    return true;
  };
  const octokit = getOctokit(
    token,
    {
      baseUrl,
      throttle: { onRateLimit: onLimit('rate limit'), onSecondaryRateLimit: onLimit('secondary rate limit'), retryAfterBaseValue: secondMs, ...scaledPacing(secondMs) },
      retry: { retries: maxRetries, doNotRetry: CLIENT_ERRORS, retryAfterBaseValue: secondMs },
    },
    throttling,
    retry,
  );
  // Outermost: the options the plugins saw are these, and the count they reached goes with the error.
  octokit.hook.wrap('request', async (request, requestOptions) => {
    try {
      return await request(requestOptions);
    } catch (error) {
      const count = retries.get(requestOptions);
      if (count !== undefined && error !== null && typeof error === 'object') retries.set(error, count);
      throw error;
    }
  });
  return octokit;
}
