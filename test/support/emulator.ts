import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { DescribeListenersCommand, DescribeRulesCommand, ElasticLoadBalancingV2Client, ModifyRuleCommand, type Rule } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateHostedZoneCommand, ListHostedZonesByNameCommand, ListResourceRecordSetsCommand, Route53Client, type ResourceRecordSet } from '@aws-sdk/client-route-53';

/**
 * The AWS endpoint of the e2e suite: an AWS-compatible API named by AWS_ENDPOINT_URL (the moto
 * emulator on a developer's machine). Without it the suite is skipped, saying why; with it,
 * every file starts from a clean account that holds one public hosted zone.
 */

export const ZONE = 'armesto.net';
export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const APPLICATION = 'awesome-application';

/**
 * A prebuilt image in the account's ECR, pinned by a digest made of one repeated hex digit.
 * The suite builds nothing: an emulator's registry cannot receive a docker push, and a pinned
 * image is deployed as it is, without asking the registry.
 */
export const imageOf = (digit: string) => `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${APPLICATION}@sha256:${digit.repeat(64)}`;

/**
 * The inputs of a deploy of the e2e application: the environment and deploy phases, and no
 * wait for the URL, whose name resolves nowhere but in the emulator.
 */
export function deployInputs(inputs: Readonly<Record<string, string>>): Record<string, string> {
  return { 'application-name': APPLICATION, 'hosted-zone': ZONE, steps: 'environment,deploy', 'verify-url': 'false', ...inputs };
}

export const SKIP_REASON = 'set AWS_ENDPOINT_URL to an AWS-compatible endpoint (e.g. the moto emulator) to run the e2e suite';

/** The endpoint, or undefined when the suite cannot run. */
export const endpoint: string | undefined = process.env.AWS_ENDPOINT_URL || undefined;

/** node:test's `skip` option for every e2e suite. */
export const skip: string | false = endpoint ? false : SKIP_REASON;

export interface Emulator {
  readonly endpoint: string;
  readonly zoneId: string;
  readonly cloudformation: CloudFormationClient;
  readonly route53: Route53Client;
  readonly elbv2: ElasticLoadBalancingV2Client;
  close(): void;
}

/** AWS's documentation example keys: an emulator accepts any. */
export const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } as const;

const clientSettings = (url: string) => ({ endpoint: url, region: REGION, credentials: CREDENTIALS });

/** moto answers its own API beside AWS's; any other endpoint is left as it is. */
async function isMoto(url: string): Promise<boolean> {
  try {
    // The dashboard, not data.json: that one fails whenever moto holds a stack it cannot describe.
    const answer = await fetch(new URL('/moto-api/', url), { signal: AbortSignal.timeout(5000) });
    return answer.ok && /moto/i.test(await answer.text());
  } catch (error) {
    throw new Error(`AWS_ENDPOINT_URL (${url}) does not answer: ${(error as Error).message}. Start the emulator, or unset AWS_ENDPOINT_URL to skip the e2e suite.`, { cause: error });
  }
}

async function ensureZone(route53: Route53Client): Promise<string> {
  const found = await route53.send(new ListHostedZonesByNameCommand({ DNSName: ZONE, MaxItems: 1 }));
  const existing = found.HostedZones?.find((zone) => zone.Name === `${ZONE}.` && !zone.Config?.PrivateZone);
  const id = existing?.Id ?? (await route53.send(new CreateHostedZoneCommand({ Name: ZONE, CallerReference: `e2e-${Date.now()}` }))).HostedZone?.Id;
  if (!id) throw new Error(`Route 53 created no hosted zone ${ZONE}`);
  return id.replace('/hostedzone/', '');
}

/** A clean account (moto is reset) with the public hosted zone armesto.net. */
export async function prepareEmulator(): Promise<Emulator> {
  if (!endpoint) throw new Error(SKIP_REASON);
  if (await isMoto(endpoint)) {
    const reset = await fetch(new URL('/moto-api/reset', endpoint), { method: 'POST' });
    if (!reset.ok) throw new Error(`moto did not reset: ${reset.status}`);
  }
  const route53 = new Route53Client(clientSettings(endpoint));
  const cloudformation = new CloudFormationClient(clientSettings(endpoint));
  const elbv2 = new ElasticLoadBalancingV2Client(clientSettings(endpoint));
  return {
    endpoint,
    zoneId: await ensureZone(route53),
    route53,
    cloudformation,
    elbv2,
    close: () => {
      route53.destroy();
      cloudformation.destroy();
      elbv2.destroy();
    },
  };
}

/** A stack as CloudFormation describes it, or undefined when there is none by that name. */
export async function describeStack(emulator: Emulator, name: string): Promise<Stack | undefined> {
  try {
    return (await emulator.cloudformation.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  } catch (error) {
    if (/does not exist/.test((error as Error).message)) return undefined;
    throw error;
  }
}

export function outputsOf(stack: Stack | undefined): Record<string, string> {
  return Object.fromEntries((stack?.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']));
}

/** Every record set of one name in the zone, all types. */
export async function recordsOf(emulator: Emulator, name: string): Promise<ResourceRecordSet[]> {
  const fqdn = `${name.replace(/\.$/, '')}.`;
  const answer = await emulator.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: emulator.zoneId, StartRecordName: fqdn }));
  // A page holds 300 sets; a hostname of this product has two per release.
  return (answer.ResourceRecordSets ?? []).filter((set) => set.Name === fqdn);
}

/** Each release's weight in the weighted A records of a hostname. */
export async function weightsOf(emulator: Emulator, name: string): Promise<Record<string, number>> {
  const records = await recordsOf(emulator, name);
  return Object.fromEntries(records.filter((set) => set.Type === 'A' && set.SetIdentifier).map((set) => [set.SetIdentifier!, set.Weight ?? 0]));
}

/** The rule of a hostname on the HTTPS listener of a load balancer stack, as Elastic Load Balancing describes it. */
async function hostRuleOf(emulator: Emulator, balancerStack: string, host: string): Promise<Rule | undefined> {
  const balancerArn = outputsOf(await describeStack(emulator, balancerStack)).LoadBalancerArn;
  if (!balancerArn) return undefined;
  const listeners = (await emulator.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: balancerArn }))).Listeners ?? [];
  const https = listeners.find((listener) => listener.Port === 443);
  if (!https) return undefined;
  const rules = (await emulator.elbv2.send(new DescribeRulesCommand({ ListenerArn: https.ListenerArn }))).Rules ?? [];
  return rules.find((candidate) => (candidate.Conditions ?? []).some((condition) => (condition.HostHeaderConfig?.Values ?? condition.Values ?? []).includes(host)));
}

const forwardedGroups = (rule: Rule | undefined) => rule?.Actions?.find((action) => action.Type === 'forward')?.ForwardConfig?.TargetGroups ?? [];

/**
 * The weights of a hostname's rule on the HTTPS listener of a load balancer stack, as Elastic
 * Load Balancing describes them (DescribeListeners, DescribeRules), each target group named by
 * the stack whose TargetGroupArn output it is.
 */
export async function ruleWeightsOf(emulator: Emulator, balancerStack: string, host: string): Promise<Record<string, number>> {
  const groups = forwardedGroups(await hostRuleOf(emulator, balancerStack, host));
  if (groups.length === 0) return {};
  const stacks = (await emulator.cloudformation.send(new DescribeStacksCommand({}))).Stacks ?? [];
  const byArn = new Map(stacks.map((stack) => [outputsOf(stack).TargetGroupArn, stack.StackName!]));
  return Object.fromEntries(groups.map((group) => [byArn.get(group.TargetGroupArn) ?? group.TargetGroupArn!, group.Weight ?? 1]));
}

/**
 * What cleanup does before it deletes a release's stack, for a test that deletes one itself: the
 * release's target group leaves the hostname's rule (AWS refuses to delete a target group that a
 * rule names; the emulator does not).
 */
export async function leaveRule(emulator: Emulator, balancerStack: string, host: string, releaseStack: string): Promise<void> {
  const rule = await hostRuleOf(emulator, balancerStack, host);
  const leaving = outputsOf(await describeStack(emulator, releaseStack)).TargetGroupArn;
  if (!rule || !leaving) return;
  const TargetGroups = forwardedGroups(rule).filter((group) => group.TargetGroupArn !== leaving);
  await emulator.elbv2.send(new ModifyRuleCommand({ RuleArn: rule.RuleArn, Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups } }] }));
}
