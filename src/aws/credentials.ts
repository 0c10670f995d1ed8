/**
 * Whether the SDK finds AWS credentials, looking where the AWS CLI looks: the environment,
 * profiles in ~/.aws (SSO and credential_process included), a web identity token, a container
 * or an instance role. `plan` reads the account whenever the AWS CLI could.
 */
export async function awsCredentialsFound(): Promise<boolean> {
  try {
    // Loaded here: only `plan` asks, and the provider chain is modules that other runs never need.
    const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
    await defaultProvider()();
    return true;
  } catch {
    return false;
  }
}
