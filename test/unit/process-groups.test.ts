import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import { createProcessGroups } from '../../src/aws/process-groups.js';
import { asSent } from '../support/sent-inputs.js';

const client = new AutoScalingClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const autoScaling = mockClient(client);
beforeEach(() => autoScaling.reset());

const group = (name: string, min: number, desired: number, max: number) => ({
  AutoScalingGroupName: name, MinSize: min, DesiredCapacity: desired, MaxSize: max, DefaultCooldown: 300, AvailabilityZones: [], HealthCheckType: 'EC2', CreatedTime: new Date(0),
});

describe('the processes\' Auto Scaling groups', () => {
  test('reads the sizes of the named groups, 50 names a request without their instances; a group that is gone is not in the answer', async () => {
    const names = Array.from({ length: 60 }, (_, i) => `shop-worker-${i}`);
    autoScaling.on(DescribeAutoScalingGroupsCommand).callsFake((input: { AutoScalingGroupNames: string[] }) => ({
      AutoScalingGroups: input.AutoScalingGroupNames.filter((name) => name !== 'shop-worker-7').map((name) => group(name, 2, 3, 5)),
    }));

    const sizes = await createProcessGroups(client).sizes(names);

    assert.equal(sizes.size, 59);
    assert.equal(sizes.has('shop-worker-7'), false);
    assert.deepEqual(sizes.get('shop-worker-59'), { minSize: 2, desiredSize: 3, maxSize: 5 });
    const sent = autoScaling.commandCalls(DescribeAutoScalingGroupsCommand).map((call) => asSent(call.args[0].input) as { AutoScalingGroupNames: string[]; IncludeInstances: boolean });
    assert.deepEqual(sent.map((input) => [input.AutoScalingGroupNames.length, input.IncludeInstances]), [[50, false], [10, false]]);
  });

  test('sets a group\'s minimum, desired and maximum sizes in one update', async () => {
    autoScaling.on(UpdateAutoScalingGroupCommand).resolves({});

    await createProcessGroups(client).resize('shop-worker', { minSize: 0, desiredSize: 0, maxSize: 0 });

    assert.deepEqual(autoScaling.commandCalls(UpdateAutoScalingGroupCommand).map((call) => asSent(call.args[0].input)), [
      { AutoScalingGroupName: 'shop-worker', MinSize: 0, DesiredCapacity: 0, MaxSize: 0 },
    ]);
  });
});
