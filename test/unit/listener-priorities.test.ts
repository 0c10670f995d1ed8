import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateRuleCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  PriorityInUseException,
  type CreateRuleCommandInput,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { createListeners } from '../../src/aws/listeners.js';
import { hostname } from '../../src/config/names.js';
import { listenerSwitch, readHostTraffic, rulePriority } from '../../src/engine/listener-traffic.js';
import { RulePriorityTaken } from '../../src/engine/ports.js';

/** New host rules on a listener that other runs change at the same time. */

const client = new ElasticLoadBalancingV2Client({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const elb = mockClient(client);
const LISTENER = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop-staging/50dc6c495c0c9188/f2f7dc8efc522ab2';
const group = (name: string) => `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/${name}/73e2d6bc24d8a067`;

/** The listener as Elastic Load Balancing keeps it: a new rule at a priority another rule has is refused. */
function listenerOnElb(): Rule[] {
  const rules: Rule[] = [];
  elb.on(DescribeRulesCommand).callsFake(() => ({ Rules: rules.map((rule) => ({ ...rule })) }));
  elb.on(CreateRuleCommand).callsFake((input: CreateRuleCommandInput) => {
    const priority = String(input.Priority);
    if (rules.some((rule) => rule.Priority === priority)) throw new PriorityInUseException({ message: `Priority '${priority}' is currently in use`, $metadata: {} });
    const rule: Rule = { RuleArn: `${LISTENER.replace(':listener/', ':listener-rule/')}/${rules.length + 1}`, Priority: priority, Conditions: input.Conditions, Actions: input.Actions, IsDefault: false };
    rules.push(rule);
    return { Rules: [rule] };
  });
  return rules;
}

beforeEach(() => elb.reset());

describe('a new host rule', () => {
  // Two pull requests whose hostnames start their search for a free priority at the same one.
  const [first, second] = (() => {
    const seen = new Map<number, string>();
    for (let number = 1; ; number += 1) {
      const host = hostname('awesome-application', `pr-${number}`, 'armesto.net');
      const start = rulePriority(host, []);
      const earlier = seen.get(start);
      if (earlier) return [earlier, host] as const;
      seen.set(start, host);
    }
  })();

  test('of two previews created at once is made for both: the second is asked again at another free priority when ELB answers PriorityInUse', async () => {
    assert.equal(rulePriority(first, []), rulePriority(second, []), 'the two hostnames start at the same priority');
    const rules = listenerOnElb();
    const deps = { listeners: createListeners(client) };
    // Both runs read the listener before either adds its rule.
    const [one, two] = await Promise.all([readHostTraffic(deps, LISTENER, [first], []), readHostTraffic(deps, LISTENER, [second], [])]);

    await Promise.all([
      listenerSwitch(deps, one)([{ setIdentifier: 'pr-6', weight: 100, targetGroupArn: group('pr-6') }]),
      listenerSwitch(deps, two)([{ setIdentifier: 'pr-343', weight: 100, targetGroupArn: group('pr-343') }]),
    ]);

    const hosts = rules.map((rule) => rule.Conditions?.[0]?.HostHeaderConfig?.Values?.[0]);
    assert.deepEqual(hosts.sort(), [first, second].sort());
    assert.equal(new Set(rules.map((rule) => rule.Priority)).size, 2, 'each rule has its own priority');
    const asked = elb.commandCalls(CreateRuleCommand).map((call) => call.args[0].input.Priority);
    assert.equal(asked.length, 3, 'one refusal, then the rule again');
    assert.equal(asked[0], asked[1]);
  });

  test('gives up after five refused priorities, with ELB\'s refusal', async () => {
    elb.on(DescribeRulesCommand).resolves({ Rules: [] });
    elb.on(CreateRuleCommand).rejects(new PriorityInUseException({ message: 'Priority is currently in use', $metadata: {} }));
    const deps = { listeners: createListeners(client) };
    const traffic = await readHostTraffic(deps, LISTENER, [first], []);

    await assert.rejects(listenerSwitch(deps, traffic)([{ setIdentifier: 'pr-6', weight: 100, targetGroupArn: group('pr-6') }]), RulePriorityTaken);
    const asked = elb.commandCalls(CreateRuleCommand).map((call) => call.args[0].input.Priority);
    assert.equal(asked.length, 5);
    assert.equal(new Set(asked).size, 5, 'a priority refused once is not asked for again');
  });
});
