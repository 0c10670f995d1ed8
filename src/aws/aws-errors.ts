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

/** The error to show: expired credentials explained (once), anything else as it came. */
export function explainAwsError(error: unknown): Error {
  if (error instanceof ExpiredCredentialsError) return error;
  if (classifyAwsError(error) === 'expired-credentials') return new ExpiredCredentialsError(error);
  return error instanceof Error ? error : new Error(String(error));
}

type Handler = (args: { input: object }) => Promise<{ output: object }>;
interface CommandContext {
  readonly clientName?: string;
  readonly commandName?: string;
}

/** Any SDK v3 client: its middleware stack takes a handler around every command. */
interface SdkClient {
  readonly middlewareStack: { add(middleware: (next: Handler, context: CommandContext) => Handler, options: { step: 'initialize'; name: string }): void };
}

/**
 * Makes the errors of every command of `client` say what the run was doing. Expired credentials
 * are explained whichever client meets them first: the run's first failure is the one reported,
 * and it may come from Route 53 or ECR as well as from CloudFormation. A fault that outlived the
 * SDK's retries (a dropped connection says only `read ECONNRESET`) is given the call it broke.
 * Every other error passes through as it came, with its code, for the adapters to judge.
 */
export function explainingFailures<T extends SdkClient>(client: T): T {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const kind = classifyAwsError(error);
        if (kind === 'expired-credentials') throw explainAwsError(error);
        if ((kind === 'transient' || kind === 'throttling') && error instanceof Error) {
          const service = (context.clientName ?? 'AWS').replace(/Client$/, '');
          const operation = (context.commandName ?? 'request').replace(/Command$/, '');
          error.message = `${service} ${operation} kept failing, retries included: ${error.message}`;
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'explainFailures' },
  );
  return client;
}
