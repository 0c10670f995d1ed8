import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateRuleCommand, ElasticLoadBalancingV2Client, ModifyRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { createListeners } from '../../src/aws/listeners.js';

const client = new ElasticLoadBalancingV2Client({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const elbv2 = mockClient(client);
beforeEach(() => elbv2.reset());

const LISTENER = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/lb/1/2';
const RULE = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/lb/1/2/3';
const GROUP = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tg/1';
const HOSTS = ['shop.armesto.net', 'example.com'];
const inputs = <T>(calls: { args: [{ input: T }] }[]) => calls.map((call) => call.args[0].input);

describe("the rule of the environment's hostnames", () => {
  test('is created for the main hostname and its domains together', async () => {
    elbv2.on(CreateRuleCommand).resolves({ Rules: [{ RuleArn: RULE }] });
    assert.equal(await createListeners(client).forward(LISTENER, HOSTS, [{ targetGroupArn: GROUP, weight: 100 }], { priority: 7 }), RULE);
    assert.deepEqual(inputs(elbv2.commandCalls(CreateRuleCommand) as never), [{
      ListenerArn: LISTENER,
      Priority: 7,
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: HOSTS } }],
      Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: GROUP, Weight: 100 }] } }],
    }]);
  });

  test('takes its hostnames with every weight change: a domain added or removed moves with the next one', async () => {
    elbv2.on(ModifyRuleCommand).resolves({});
    await createListeners(client).forward(LISTENER, HOSTS, [{ targetGroupArn: GROUP, weight: 0 }], { ruleArn: RULE });
    assert.deepEqual(inputs(elbv2.commandCalls(ModifyRuleCommand) as never), [{
      RuleArn: RULE,
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: HOSTS } }],
      Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: GROUP, Weight: 0 }] } }],
    }]);
  });
});
