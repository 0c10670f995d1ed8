// One SDK client per module: the build makes each a chunk that loads on its first use.
export { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
