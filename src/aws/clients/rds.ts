// One SDK client per module: the build makes each a chunk that loads on its first use.
export { RDSClient } from '@aws-sdk/client-rds';
