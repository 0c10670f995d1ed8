// One SDK client per module: the build makes each a chunk that loads on its first use.
export { EC2Client } from '@aws-sdk/client-ec2';
