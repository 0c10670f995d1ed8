// One SDK client per module: the build makes each a chunk that loads on its first use.
export { Route53Client } from '@aws-sdk/client-route-53';
