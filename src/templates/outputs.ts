import { exportName } from '../config/names.js';

/**
 * The contract between stacks: the outputs each environment-phase stack exports and the
 * application stacks import. Exporter and importer build the export name with the same
 * function, so a renamed output breaks a unit test, not a deploy.
 */

export const BASE_OUTPUTS = {
  kmsKeyArn: 'KmsKeyArn',
  kmsKeyId: 'KmsKeyId',
  storageBucketName: 'StorageBucketName',
  logBucketName: 'LogBucketName',
} as const;

export const ENVIRONMENT_OUTPUTS = {
  vpcId: 'VpcId',
  vpcCidr: 'VpcCidr',
  /** Comma-joined; split with Fn::Split. */
  publicSubnetIds: 'PublicSubnetIds',
  applicationSubnetIds: 'ApplicationSubnetIds',
  databaseSubnetIds: 'DatabaseSubnetIds',
  /** The environment's notifications: Auto Scaling events and one message per deploy, rollback, promote. */
  notificationTopicArn: 'NotificationTopicArn',
} as const;

export const LOAD_BALANCER_OUTPUTS = {
  loadBalancerArn: 'LoadBalancerArn',
  /** app/<name>/<id>: the dimension CloudWatch's load balancer metrics name it by. */
  loadBalancerFullName: 'LoadBalancerFullName',
  dnsName: 'LoadBalancerDnsName',
  canonicalHostedZoneId: 'LoadBalancerHostedZoneId',
  httpsListenerArn: 'HttpsListenerArn',
  securityGroupId: 'LoadBalancerSecurityGroupId',
} as const;

export const RESOURCES_OUTPUTS = {
  loadBalancerSecurityGroupId: 'LoadBalancerSecurityGroupId',
  instanceSecurityGroupId: 'InstanceSecurityGroupId',
  databaseSecurityGroupId: 'DatabaseSecurityGroupId',
  instanceProfileArn: 'InstanceProfileArn',
  instanceProfileName: 'InstanceProfileName',
  instanceRoleArn: 'InstanceRoleArn',
  logGroupName: 'LogGroupName',
  instanceRoleName: 'InstanceRoleName',
} as const;

/** The value another stack exported under `output`. */
export function importOf(stack: string, output: string): { 'Fn::ImportValue': string } {
  return { 'Fn::ImportValue': exportName(stack, output) };
}

/** A template's Outputs section: every value exported under the name importers look for. */
export function exportedOutputs(stack: string, values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, { Value: value, Export: { Name: exportName(stack, key) } }]));
}
