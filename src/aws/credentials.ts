import { defaultProvider } from '@aws-sdk/credential-provider-node';

/**
 * Whether the SDK finds AWS credentials, looking where the AWS CLI looks: the environment,
 * profiles in ~/.aws (SSO and credential_process included), a web identity token, a container
 * or an instance role. `plan` reads the account whenever the AWS CLI could.
 */
export async function awsCredentialsFound(): Promise<boolean> {
  try {
    await defaultProvider()();
    return true;
  } catch {
    return false;
  }
}
