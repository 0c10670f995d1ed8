// One SDK client per module: the build makes each a chunk that loads on its first use.
export { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
