import { digest } from '../config/names.js';
import { LOAD_BALANCER_OUTPUTS } from '../templates/outputs.js';
import { MAX_RULE_PRIORITY, STACK_RULE_PRIORITIES } from '../templates/load-balancer.js';
import type { EngineDeps } from './context.js';
import { RulePriorityTaken, type AliasTarget, type ForwardTarget, type HostRule, type StackSummary } from './ports.js';
import type { Weighted } from './traffic.js';

/**
 * Traffic on the application's one load balancer: a host rule per hostname, forwarding to the
 * releases' target groups with weights. A step, a promote or a rollback is one ModifyRule: the
 * load balancer applies it to the next request, with no DNS cache to wait for.
 */

/** A release's share of a hostname's rule: its stack (the set identifier) and its target group. */
export interface Route extends Weighted {
  readonly targetGroupArn: string;
}

/** The application's load balancer in the environment, as its stack's outputs give it. */
export interface LoadBalancerRef {
  readonly stack: string;
  readonly listenerArn: string;
  readonly alias: AliasTarget;
}

/** The output by which a release stack says it is behind the application's one load balancer. */
export const SHARED_LOAD_BALANCER_OUTPUT = 'SharedLoadBalancer';

/** A release stack of the first layout, with a load balancer of its own reached by weighted DNS records. */
export function ownsLoadBalancer(stack: Pick<StackSummary, 'outputs'>): boolean {
  return stack.outputs.LoadBalancerArn !== undefined;
}

/** A release stack whose target group the application's load balancer can forward to. */
export function behindSharedLoadBalancer(stack: Pick<StackSummary, 'outputs'>): boolean {
  return stack.outputs[SHARED_LOAD_BALANCER_OUTPUT] !== undefined && stack.outputs.TargetGroupArn !== undefined;
}

export function loadBalancerOf(stack: StackSummary | undefined, name: string): LoadBalancerRef {
  const listenerArn = stack?.outputs[LOAD_BALANCER_OUTPUTS.httpsListenerArn];
  const dnsName = stack?.outputs[LOAD_BALANCER_OUTPUTS.dnsName];
  const hostedZoneId = stack?.outputs[LOAD_BALANCER_OUTPUTS.canonicalHostedZoneId];
  if (!stack || !listenerArn || !dnsName || !hostedZoneId) {
    throw new Error(`The application's load balancer stack ${name} ${stack ? `has no listener outputs (it is ${stack.status})` : 'does not exist'}: run with steps including environment first.`);
  }
  return { stack: name, listenerArn, alias: { dnsName, hostedZoneId } };
}

/** The route of a release stack at a weight. */
export function routeOf(stack: Pick<StackSummary, 'name' | 'outputs'>, weight: number): Route {
  const targetGroupArn = stack.outputs.TargetGroupArn;
  if (!targetGroupArn || !behindSharedLoadBalancer(stack)) throw new Error(`Stack ${stack.name} has no target group behind the application's load balancer: it was not created by this version of the action.`);
  return { setIdentifier: stack.name, weight, targetGroupArn };
}

/** A hostname's rule on the listener, and the priorities the listener's rules take. */
export interface HostTraffic {
  readonly listenerArn: string;
  readonly hostname: string;
  /** The hostnames the rule answers: the hostname first, then the environment's domains. */
  readonly hosts: readonly string[];
  readonly ruleArn?: string;
  readonly routes: readonly Route[];
  readonly taken: readonly number[];
}

const sameHost = (a: string, b: string) => a.toLowerCase().replace(/\.$/, '') === b.toLowerCase().replace(/\.$/, '');

/**
 * The rule of `hosts[0]` among the listener's rules (the rule that names it; the environment's
 * domains, `hosts` after it, share that rule), its target groups named by the release stacks
 * whose output they are; a target group of no known stack keeps its ARN as its name and its
 * weight, so that a change never drops what someone else put there.
 */
export function hostTraffic(listenerArn: string, hosts: readonly string[], rules: readonly HostRule[], stacks: readonly Pick<StackSummary, 'name' | 'outputs'>[], named: ReadonlyMap<string, string> = new Map()): HostTraffic {
  const hostname = hosts[0]!;
  const rule = rules.find((candidate) => candidate.hosts.some((host) => sameHost(host, hostname)));
  const byArn = new Map([...named, ...stacks.filter(behindSharedLoadBalancer).map((stack) => [stack.outputs.TargetGroupArn!, stack.name] as const)]);
  const routes = (rule?.targets ?? []).map((target) => ({ setIdentifier: byArn.get(target.targetGroupArn) ?? target.targetGroupArn, weight: target.weight, targetGroupArn: target.targetGroupArn }));
  return { listenerArn, hostname, hosts, ...(rule ? { ruleArn: rule.ruleArn } : {}), routes, taken: rules.map((candidate) => candidate.priority) };
}

/**
 * The release stacks that target groups belong to, by the releases' pinned rules: a blue-green
 * release's pinned hostname is its stack's name under the zone (`<app>-<environment>-<version7>`),
 * and its rule forwards there alone. Names releases without reading their stacks.
 */
export function namedByPinnedRules(rules: readonly HostRule[], releasePrefix: string, zone: string): Map<string, string> {
  const suffix = `.${zone.toLowerCase().replace(/\.$/, '')}`;
  const named = new Map<string, string>();
  for (const rule of rules) {
    const host = rule.hosts.length === 1 ? rule.hosts[0]!.toLowerCase().replace(/\.$/, '') : '';
    const label = host.endsWith(suffix) ? host.slice(0, -suffix.length) : '';
    if (label.startsWith(releasePrefix) && !label.includes('.') && rule.targets.length === 1) named.set(rule.targets[0]!.targetGroupArn, label);
  }
  return named;
}

export async function readHostTraffic(deps: Pick<EngineDeps, 'listeners'>, listenerArn: string, hosts: readonly string[], stacks: readonly Pick<StackSummary, 'name' | 'outputs'>[], signal?: AbortSignal): Promise<HostTraffic> {
  return hostTraffic(listenerArn, hosts, await deps.listeners.rules(listenerArn, signal), stacks);
}

/**
 * A free priority for a hostname's rule: the same one for the same hostname whenever it is
 * free, so that two runs on one listener rarely reach for the same, and the next free one after
 * it otherwise. Rules of one listener match disjoint hostnames, so their order does not matter.
 */
export function rulePriority(hostname: string, taken: readonly number[]): number {
  const used = new Set(taken);
  // The last priorities are the load balancer stack's own (its redirect rules).
  const last = MAX_RULE_PRIORITY - STACK_RULE_PRIORITIES;
  const start = 1 + (Number.parseInt(digest(hostname.toLowerCase(), 8), 16) % last);
  for (let step = 0; step < last; step += 1) {
    const candidate = ((start - 1 + step) % last) + 1;
    if (!used.has(candidate)) return candidate;
  }
  throw new Error('The listener has no free rule priority left.');
}

/**
 * Applies weight sets to the hostname's rule: each a ModifyRule, the first set of a hostname
 * without a rule a CreateRule. Target groups at weight 0 stay in the rule: registered, warm, and
 * one ModifyRule away from traffic.
 */
export function listenerSwitch(deps: Pick<EngineDeps, 'listeners'>, traffic: HostTraffic): (set: readonly Route[]) => Promise<void> {
  let ruleArn = traffic.ruleArn;
  return async (set) => {
    const targets = set.map((route) => ({ targetGroupArn: route.targetGroupArn, weight: route.weight }));
    ruleArn = ruleArn ? await deps.listeners.forward(traffic.listenerArn, traffic.hosts, targets, { ruleArn }) : await createRule(deps, traffic, targets);
  };
}

/** Tries at most this many priorities for a new rule before the run fails. */
const PRIORITY_ATTEMPTS = 5;

/**
 * A new rule for the hostname. Other runs work on the same listener at the same time (two
 * previews opened at once, a release's pinned rule): one may take the priority this run chose
 * after it read the rules. Elastic Load Balancing then refuses it (PriorityInUse), and the rule
 * is asked for again at a priority free in a fresh read, instead of failing the run.
 */
async function createRule(deps: Pick<EngineDeps, 'listeners'>, traffic: HostTraffic, targets: readonly ForwardTarget[]): Promise<string> {
  let taken = traffic.taken;
  const refused: number[] = [];
  for (let attempt = 1; ; attempt += 1) {
    const priority = rulePriority(traffic.hostname, taken);
    try {
      return await deps.listeners.forward(traffic.listenerArn, traffic.hosts, targets, { priority });
    } catch (error) {
      if (!(error instanceof RulePriorityTaken) || attempt === PRIORITY_ATTEMPTS) throw error;
      refused.push(priority);
      const rules = await deps.listeners.rules(traffic.listenerArn);
      taken = [...rules.map((rule) => rule.priority), ...refused];
    }
  }
}
