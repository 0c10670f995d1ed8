/**
 * The settings every SDK client shares. Region and credentials come from the environment
 * (what aws-actions/configure-aws-credentials exports), and `AWS_ENDPOINT_URL` points the
 * same code at an emulator or a sandbox account.
 */
export interface ClientSettings {
  readonly region?: string;
  readonly maxAttempts: number;
  readonly retryMode: 'adaptive';
}

/**
 * Throttling and transient faults are retried by the SDK itself with adaptive backoff, so
 * no adapter writes a retry loop of its own; a fatal error is never retried.
 */
export function clientSettings(env: NodeJS.ProcessEnv = process.env): ClientSettings {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  return { ...(region ? { region } : {}), maxAttempts: 8, retryMode: 'adaptive' };
}
