/**
 * The yardstick for the action's cold start: the least an action that talks to AWS can be,
 * `@actions/core` and one SDK client sending one request. The bench bundles it exactly as
 * `npm run bundle` bundles the action, and runs both side by side.
 */
import * as core from '@actions/core';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

try {
  const identity = await new STSClient({ maxAttempts: 1 }).send(new GetCallerIdentityCommand({}));
  core.setOutput('account', identity.Account ?? '');
} catch (error) {
  core.setFailed(error instanceof Error ? error.message : String(error));
}
