import { setTimeout as sleep } from 'node:timers/promises';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CreateRuleCommand, DescribeRulesCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ChangeResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { createStackInput, templateSource } from '../src/aws/stacks-change-set.js';
import { atMost } from '../src/engine/at-most.js';
import { rulePriority } from '../src/engine/listener-traffic.js';
import { LOAD_BALANCER_OUTPUTS } from '../src/templates/outputs.js';
import type { StackSpec } from '../src/engine/ports.js';
import { CREDENTIALS, REGION } from '../test/support/emulator.js';

/**
 * What the bench puts into the emulator's account beside the scenarios' own stacks, straight
 * through the SDK and untimed: other teams' stacks, and previews nobody closed.
 */

const AT_ONCE = 3;

/** A CreateStack the SDK retried after the emulator took it: the stack is there, as asked. */
const alreadyThere = (error: unknown) => {
  if ((error as { name?: string }).name !== 'AlreadyExistsException') throw error;
};

function clients(endpoint: string) {
  const settings = { endpoint, region: REGION, credentials: CREDENTIALS };
  return { cloudformation: new CloudFormationClient(settings), route53: new Route53Client(settings), elbv2: new ElasticLoadBalancingV2Client(settings) };
}

/** `count` stacks of nobody this action knows: one resource each, the cheapest stack CloudFormation takes. */
export async function addUnrelatedStacks(endpoint: string, count: number): Promise<void> {
  const { cloudformation, route53, elbv2 } = clients(endpoint);
  try {
    const template = JSON.stringify({ Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } } });
    const names = Array.from({ length: count }, (_, i) => `another-team-service-${String(i + 1).padStart(3, '0')}`);
    await atMost(AT_ONCE, names, (name) => cloudformation.send(new CreateStackCommand({ StackName: name, TemplateBody: template, Tags: [{ Key: 'team', Value: 'another' }] })).catch(alreadyThere));
  } finally {
    cloudformation.destroy();
    route53.destroy();
    elbv2.destroy();
  }
}

/** The stack once CloudFormation is done with it (the emulator is, mostly, at once). */
async function settled(cloudformation: CloudFormationClient, name: string) {
  for (let look = 0; ; look += 1) {
    const stack = (await cloudformation.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
    if (!/_(IN_PROGRESS|PENDING)$/.test(stack?.StackStatus ?? '') || look === 360) return stack;
    await sleep(500);
  }
}

/** A preview as its deploy leaves it: its stacks, in the order of their imports, its hostname's rule and alias. */
export interface SeededPreview {
  readonly stacks: readonly StackSpec[];
  readonly hostname: string;
}

/**
 * Creates the previews as their deploys would, side by side: their stacks, then a host rule on
 * staging's load balancer (`balancerStack`) to the release's target group, and the hostname's
 * alias to that load balancer.
 */
export async function addPreviews(endpoint: string, zoneId: string, balancerStack: string, previews: readonly SeededPreview[]): Promise<void> {
  const { cloudformation, route53, elbv2 } = clients(endpoint);
  try {
    const balancer = await settled(cloudformation, balancerStack);
    const output = (key: string) => balancer?.Outputs?.find((candidate) => candidate.OutputKey === key)?.OutputValue ?? '';
    const listenerArn = output(LOAD_BALANCER_OUTPUTS.httpsListenerArn);
    if (!listenerArn) throw new Error(`The bench found no listener on ${balancerStack}: staging's deploys make it before previews are seeded`);
    const taken = ((await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))).Rules ?? []).map((rule) => Number(rule.Priority));
    // One at a time: moto's CloudFormation can break (an export read while another stack's are written) under stacks created side by side.
    await atMost(1, previews, async (preview) => {
      const outputs: Record<string, string> = {};
      for (const spec of preview.stacks) {
        await cloudformation.send(new CreateStackCommand(createStackInput(spec, templateSource(spec.name, JSON.stringify(spec.template))))).catch(alreadyThere);
        const created = await settled(cloudformation, spec.name);
        if (created?.StackStatus !== 'CREATE_COMPLETE') throw new Error(`The bench could not create the preview stack ${spec.name}: ${created?.StackStatus ?? 'not found'} ${created?.StackStatusReason ?? ''}`);
        for (const output of created.Outputs ?? []) outputs[output.OutputKey!] = output.OutputValue!;
      }
      // Chosen and kept before the request: the previews made side by side never ask for the same.
      const priority = rulePriority(preview.hostname, taken);
      taken.push(priority);
      await elbv2.send(new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: priority,
        Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [preview.hostname] } }],
        Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: outputs.TargetGroupArn!, Weight: 100 }] } }],
      }));
      await route53.send(new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Changes: (['A', 'AAAA'] as const).map((type) => ({
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: preview.hostname,
              Type: type,
              AliasTarget: { DNSName: output(LOAD_BALANCER_OUTPUTS.dnsName), HostedZoneId: output(LOAD_BALANCER_OUTPUTS.canonicalHostedZoneId), EvaluateTargetHealth: false },
            },
          })),
        },
      }));
    });
  } finally {
    cloudformation.destroy();
    route53.destroy();
    elbv2.destroy();
  }
}
