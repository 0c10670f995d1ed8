/**
 * Every finding of AWS's own security rules (cdk-nag's AwsSolutions pack) that the templates
 * keep on purpose, with the reason, in one place so that a reviewer reads them together. The
 * templates carry them in each resource's Metadata (`cdk_nag.rules_to_suppress`), the format
 * cdk-nag and AWS's other template checkers read, so a stack in the account explains itself too.
 * The README's "Security review" lists the same entries; a test keeps the two in step.
 */

export interface Suppression {
  readonly id: string;
  readonly reason: string;
  /** For rules with one finding per item (IAM5: one per wildcard): exactly the items meant. */
  readonly applies_to?: readonly string[];
}

export const EXCEPTIONS = {
  publicLoadBalancer: {
    id: 'AwsSolutions-EC23',
    reason: 'The load balancer of a public web application answers the internet on 80 (redirected to HTTPS) and 443, and on nothing else; the instances behind it admit only the load balancer.',
  },
  logBucketAccessLogs: {
    id: 'AwsSolutions-S1',
    reason: 'The log bucket is where server access logs go: logging it into itself would log every delivery of its own logs. CloudTrail records its API calls.',
  },
  natInstanceMonitoring: {
    id: 'AwsSolutions-EC28',
    reason: 'The NAT instance needs no detailed monitoring: its recovery alarm watches the status checks, which AWS reports every minute at no charge.',
  },
  natInstanceTermination: {
    id: 'AwsSolutions-EC29',
    reason: 'The NAT instance is replaced by its stack when its image is updated and removed when nat changes to gateway; termination protection would block both. The environment stack is protected instead.',
  },
  registrySignIn: {
    id: 'AwsSolutions-IAM5',
    reason: 'ecr:GetAuthorizationToken and the Session Manager channel actions (ssmmessages, ec2messages, ssm:UpdateInstanceInformation) have no resource-level permissions in AWS: they accept only "*".',
    applies_to: ['Resource::*'],
  },
} as const satisfies Record<string, Suppression>;

/** The rule ids and reasons of the instance role's own wildcards, each scoped to the application and environment. */
export function instanceRoleWildcards(resources: { logStreams: string; storageObjects: string; secrets: string }): Suppression {
  return {
    id: 'AwsSolutions-IAM5',
    reason: 'Each remaining wildcard stays inside what the application owns in its environment: the streams of its own log group (named by instance id at boot), the objects under its own storage prefix, its own secrets under /<application>/<environment>/.',
    applies_to: [resources.logStreams, resources.storageObjects, resources.secrets],
  };
}

/** A resource with the given suppressions in its Metadata. */
export function withExceptions<T extends Record<string, unknown>>(resource: T, ...suppressions: readonly Suppression[]): T & { Metadata: { cdk_nag: { rules_to_suppress: Suppression[] } } } {
  return { ...resource, Metadata: { cdk_nag: { rules_to_suppress: [...suppressions] } } };
}

/**
 * How cdk-nag names an IAM5 finding of one Resource entry: the value flattened, `${X}` and
 * `Ref: X` as `<X>`, an import by its export name, a join joined. The template names its
 * wildcards in the same words, which hold no `${` that CloudFormation would read as a reference.
 */
export function resourceFinding(resource: unknown): string {
  return `Resource::${flatten(resource)}`;
}

function flatten(node: unknown): string {
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const value = node as Record<string, unknown>;
  if (Array.isArray(value['Fn::Join'])) {
    const [delimiter, items] = value['Fn::Join'] as [string, unknown[]];
    return items.map(flatten).join(delimiter);
  }
  if (value['Fn::Sub'] !== undefined) return flatten(value['Fn::Sub']);
  if (value['Fn::ImportValue'] !== undefined) return flatten(value['Fn::ImportValue']);
  if (value.Ref !== undefined) return `<${flatten(value.Ref)}>`;
  return JSON.stringify(node);
}
