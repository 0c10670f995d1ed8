import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { createIdentity } from '../../src/aws/identity.js';

describe('the account of the credentials', () => {
  test("is asked of STS with the run's signal, so a cancellation aborts the request", async () => {
    const client = new STSClient({ region: 'eu-west-1' });
    const sts = mockClient(client);
    sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
    const cancel = new AbortController();

    assert.equal(await createIdentity(client).accountId(cancel.signal), '123456789012');

    const [, options] = sts.commandCalls(GetCallerIdentityCommand)[0]!.args as unknown as [unknown, { abortSignal?: AbortSignal }?];
    assert.equal(options?.abortSignal, cancel.signal);
  });
});
