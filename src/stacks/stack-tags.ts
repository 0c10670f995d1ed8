import { TAG_APPLICATION, TAG_ENVIRONMENT, TAG_VERSION } from '../config/names.js';

/**
 * Stack tags. CloudFormation copies a stack's tags onto every resource of it that takes tags,
 * so these three are how every resource says which application, environment and release it
 * belongs to, and how the release history is read back from AWS with no other state store.
 */
export function stackTags(application: string, environment: string, version?: string): Record<string, string> {
  return {
    [TAG_APPLICATION]: application,
    [TAG_ENVIRONMENT]: environment,
    ...(version ? { [TAG_VERSION]: version } : {}),
  };
}
