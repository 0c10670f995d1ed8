import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { createAlarms } from '../../src/aws/alarms.js';
import { answersInTurn, asSent } from '../support/sent-inputs.js';

const client = new CloudWatchClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const cloudwatch = mockClient(client);
beforeEach(() => cloudwatch.reset());

const TYPES = ['MetricAlarm', 'CompositeAlarm'];

function metric(name: string, state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'): MetricAlarm {
  return { AlarmName: name, StateValue: state, StateReason: `Threshold Crossed: ${name}` };
}

const inputs = () => cloudwatch.commandCalls(DescribeAlarmsCommand).map((call) => asSent(call.args[0].input));

describe('firing', () => {
  test('asks CloudWatch for the named metric and composite alarms in ALARM and reports each with its reason', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [metric('shop-5xx', 'ALARM')],
      CompositeAlarms: [{ AlarmName: 'shop-health', StateValue: 'ALARM', StateReason: 'alarm rule became true' }],
    });
    assert.deepEqual(await createAlarms(client).firing(['shop-5xx', 'shop-health', 'shop-latency']), [
      { name: 'shop-5xx', state: 'ALARM', reason: 'Threshold Crossed: shop-5xx' },
      { name: 'shop-health', state: 'ALARM', reason: 'alarm rule became true' },
    ]);
    assert.deepEqual(inputs(), [{ AlarmNames: ['shop-5xx', 'shop-health', 'shop-latency'], AlarmTypes: TYPES, StateValue: 'ALARM', MaxRecords: 100 }]);
  });

  test('asks about 100 names at a time and follows every page', async () => {
    const names = Array.from({ length: 150 }, (_, i) => `alarm-${i}`);
    const sent = answersInTurn(cloudwatch.on(DescribeAlarmsCommand), [
      { MetricAlarms: [metric('alarm-3', 'ALARM')], NextToken: 'page-2' },
      { MetricAlarms: [metric('alarm-7', 'ALARM')] },
      { MetricAlarms: [metric('alarm-120', 'ALARM')] },
    ]);
    assert.deepEqual((await createAlarms(client).firing(names)).map((alarm) => alarm.name), ['alarm-3', 'alarm-7', 'alarm-120']);
    assert.deepEqual(sent, [
      { AlarmNames: names.slice(0, 100), AlarmTypes: TYPES, StateValue: 'ALARM', MaxRecords: 100 },
      { AlarmNames: names.slice(0, 100), AlarmTypes: TYPES, StateValue: 'ALARM', MaxRecords: 100, NextToken: 'page-2' },
      { AlarmNames: names.slice(100), AlarmTypes: TYPES, StateValue: 'ALARM', MaxRecords: 100 },
    ]);
  });

  test('makes no call when no alarm is named', async () => {
    assert.deepEqual(await createAlarms(client).firing([]), []);
    assert.equal(cloudwatch.calls().length, 0);
  });
});

describe('missing', () => {
  test('names the alarms that do not exist, in any state, so that a misspelt name stops the deploy before it starts', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [metric('shop-5xx', 'OK'), metric('shop-latency', 'INSUFFICIENT_DATA')] });
    assert.deepEqual(await createAlarms(client).missing(['shop-5xx', 'shop-lantecy', 'shop-latency', 'shop-lantecy']), ['shop-lantecy']);
    assert.deepEqual(inputs(), [{ AlarmNames: ['shop-5xx', 'shop-lantecy', 'shop-latency'], AlarmTypes: TYPES, MaxRecords: 100 }]);
  });
});
