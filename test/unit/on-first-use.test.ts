import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { once, onFirstUse } from '../../src/aws/on-first-use.js';
import { identityPort, sdkClients } from '../../src/wiring-aws.js';

interface Greeter {
  greet(name: string): Promise<string>;
  count(): Promise<number>;
}

/** A greeter whose loads are counted, and whose first `failures` loads fail. */
function countingLoad(failures = 0) {
  const state = { loads: 0 };
  const load = async (): Promise<Greeter> => {
    state.loads++;
    if (state.loads <= failures) throw new Error('the chunk could not be read');
    let calls = 0;
    return { greet: async (name) => `hello ${name}`, count: async () => ++calls };
  };
  return { state, load };
}

describe('a port loaded on first use', () => {
  test('loads nothing until a method is called, then answers as the adapter does', async () => {
    const { state, load } = countingLoad();
    const port = onFirstUse<Greeter>({ greet: true, count: true }, load);
    assert.equal(state.loads, 0);
    assert.equal(await port.greet('Ada'), 'hello Ada');
    assert.equal(state.loads, 1);
  });

  test('loads once for calls made side by side, and keeps the adapter between calls', async () => {
    const { state, load } = countingLoad();
    const port = onFirstUse<Greeter>({ greet: true, count: true }, load);
    await Promise.all([port.count(), port.count(), port.greet('Ada')]);
    assert.equal(await port.count(), 3);
    assert.equal(state.loads, 1);
  });

  test('a load that fails fails the call, and the next call loads again', async () => {
    const { state, load } = countingLoad(1);
    const port = onFirstUse<Greeter>({ greet: true, count: true }, load);
    await assert.rejects(port.greet('Ada'), /the chunk could not be read/);
    assert.equal(await port.greet('Ada'), 'hello Ada');
    assert.equal(state.loads, 2);
  });

  test('a shared value is made once for every caller', async () => {
    let made = 0;
    const shared = once(async () => ({ made: ++made }));
    const [a, b] = await Promise.all([shared(), shared()]);
    assert.equal(a, b);
    assert.equal(made, 1);
  });
});

describe('the AWS ports of a run', () => {
  test('make their SDK client when first called, with the run settings, and send through it', async () => {
    const sts = mockClient(STSClient);
    try {
      sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
      const identity = identityPort(sdkClients({ region: 'eu-west-1', maxAttempts: 8, retryMode: 'adaptive' }));
      assert.equal(sts.calls().length, 0);
      assert.equal(await identity.accountId(), '123456789012');
      assert.equal(sts.commandCalls(GetCallerIdentityCommand).length, 1);
      assert.equal(await sts.call(0).thisValue.config.region(), 'eu-west-1');
    } finally {
      sts.restore();
    }
  });
});
