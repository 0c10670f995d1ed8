// One SDK client per module: the build makes each a chunk that loads on its first use.
export { ACMClient } from '@aws-sdk/client-acm';
