/**
 * What an SDK error means for the run. The clients retry throttling and transient faults
 * themselves (see client-config.ts); this module only tells them apart from the fatal errors,
 * which must fail at once with their message, and explains the one fatal error that people
 * cannot act on from its text alone: credentials that expired in the middle of a long deploy.
 */

export type AwsErrorKind = 'expired-credentials' | 'throttling' | 'transient' | 'cancelled' | 'fatal';

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'ProvisionedThroughputExceededException',
  'PriorRequestNotComplete',
  'SlowDown',
  'EC2ThrottledException',
]);

const TRANSIENT = new Set([
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
]);

const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException']);
const EXPIRED_MESSAGE = /security token included in the request is expired/i;

interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly Code?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: { readonly throttling?: boolean };
}

function shape(error: unknown): ErrorShape {
  return typeof error === 'object' && error !== null ? (error as ErrorShape) : {};
}

/** The AWS error code: the SDK puts it in `name`; some layers in `Code` or `code`. */
export function errorCode(error: unknown): string {
  const { name, Code, code } = shape(error);
  for (const candidate of [Code, code, name]) if (typeof candidate === 'string' && candidate !== 'Error') return candidate;
  return '';
}

export function errorMessage(error: unknown): string {
  const { message } = shape(error);
  return typeof message === 'string' ? message : String(error);
}

export function classifyAwsError(error: unknown): AwsErrorKind {
  const code = errorCode(error);
  const { $metadata, $retryable } = shape(error);
  if (EXPIRED.has(code) || EXPIRED_MESSAGE.test(errorMessage(error))) return 'expired-credentials';
  if (code === 'AbortError') return 'cancelled';
  if (THROTTLING.has(code) || $retryable?.throttling === true || $metadata?.httpStatusCode === 429) return 'throttling';
  const status = $metadata?.httpStatusCode ?? 0;
  if (TRANSIENT.has(code) || (status >= 500 && status !== 501)) return 'transient';
  return 'fatal';
}

/** Whether the error may go away by itself, so a poll can simply try again at its next turn. */
export function isPassing(error: unknown): boolean {
  const kind = classifyAwsError(error);
  return kind === 'throttling' || kind === 'transient';
}

/** AWS's ValidationError carrying `fragment` in its message (how CloudFormation says "not found"). */
export function isValidationError(error: unknown, fragment: string): boolean {
  return errorCode(error) === 'ValidationError' && errorMessage(error).includes(fragment);
}

export class ExpiredCredentialsError extends Error {
  constructor(original: unknown) {
    super(
      `The AWS credentials expired in the middle of the run (${errorCode(original) || 'ExpiredToken'}: ${errorMessage(original)}). ` +
        'The session is shorter than the deploy: raise `role-duration-seconds` of aws-actions/configure-aws-credentials ' +
        "(and the role's maximum session duration in IAM) so that it covers the whole run. " +
        'Any CloudFormation operation already started goes on without this run.',
      { cause: original },
    );
    this.name = 'ExpiredCredentialsError';
  }
}

/** The error to show: expired credentials explained, anything else as it came. */
export function explainAwsError(error: unknown): Error {
  if (classifyAwsError(error) === 'expired-credentials') return new ExpiredCredentialsError(error);
  return error instanceof Error ? error : new Error(String(error));
}
