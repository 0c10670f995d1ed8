import {
  CreateRuleCommand,
  DeleteRuleCommand,
  DescribeRulesCommand,
  ModifyRuleCommand,
  type Action,
  type ElasticLoadBalancingV2Client,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { RulePriorityTaken, type ForwardTarget, type HostRule, type Listeners } from '../engine/ports.js';

/** The host rules of a load balancer's listener, read and written as Elastic Load Balancing holds them. */
export function createListeners(elbv2: ElasticLoadBalancingV2Client): Listeners {
  return {
    async rules(listenerArn, signal) {
      const rules: HostRule[] = [];
      let marker: string | undefined;
      do {
        const page = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn, ...(marker ? { Marker: marker } : {}) }), { abortSignal: signal });
        rules.push(...(page.Rules ?? []).filter((rule) => !rule.IsDefault).map(hostRule));
        marker = page.NextMarker;
      } while (marker);
      return rules;
    },

    async forward(listenerArn, hosts, targets, where) {
      const actions = [forwardAction(targets)];
      // The hostnames go with every change: a domain added or removed moves with the next one.
      const conditions = [{ Field: 'host-header', HostHeaderConfig: { Values: [...hosts] } }];
      if ('ruleArn' in where) {
        await elbv2.send(new ModifyRuleCommand({ RuleArn: where.ruleArn, Conditions: conditions, Actions: actions }));
        return where.ruleArn;
      }
      let created;
      try {
        created = await elbv2.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority: where.priority, Conditions: conditions, Actions: actions }));
      } catch (error) {
        if ((error as Error).name === 'PriorityInUseException') throw new RulePriorityTaken(where.priority, `Priority ${where.priority} of listener ${listenerArn} is taken: ${(error as Error).message}`);
        throw error;
      }
      const arn = created.Rules?.[0]?.RuleArn;
      if (!arn) throw new Error(`Elastic Load Balancing created the rule for ${hosts.join(', ')} but returned no ARN.`);
      return arn;
    },

    async removeRule(ruleArn, signal) {
      try {
        await elbv2.send(new DeleteRuleCommand({ RuleArn: ruleArn }), { abortSignal: signal });
      } catch (error) {
        if ((error as Error).name !== 'RuleNotFoundException' && (error as Error).name !== 'RuleNotFound') throw error;
      }
    },
  };
}

/** One forward action with every target group weighted: a share of 0 keeps a release warm and registered. */
function forwardAction(targets: readonly ForwardTarget[]): Action {
  return { Type: 'forward', ForwardConfig: { TargetGroups: targets.map((target) => ({ TargetGroupArn: target.targetGroupArn, Weight: target.weight })) } };
}

function hostRule(rule: Rule): HostRule {
  const hosts = (rule.Conditions ?? []).flatMap((condition) => (condition.Field === 'host-header' ? condition.HostHeaderConfig?.Values ?? condition.Values ?? [] : []));
  const forward = (rule.Actions ?? []).find((action) => action.Type === 'forward');
  const targets = forward?.ForwardConfig?.TargetGroups?.length
    ? forward.ForwardConfig.TargetGroups.map((group) => ({ targetGroupArn: group.TargetGroupArn!, weight: group.Weight ?? 1 }))
    : forward?.TargetGroupArn ? [{ targetGroupArn: forward.TargetGroupArn, weight: 1 }] : [];
  return { ruleArn: rule.RuleArn!, priority: Number(rule.Priority), hosts, targets };
}
