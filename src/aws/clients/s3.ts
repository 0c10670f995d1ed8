// One SDK client per module: the build makes each a chunk that loads on its first use.
export { S3Client } from '@aws-sdk/client-s3';
