import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { Identity } from '../engine/ports.js';

export function createIdentity(sts: STSClient): Identity {
  return {
    async accountId(signal) {
      const answer = await sts.send(new GetCallerIdentityCommand({}), { ...(signal ? { abortSignal: signal } : {}) });
      if (!answer.Account) throw new Error('STS did not say which account the credentials belong to.');
      return answer.Account;
    },
  };
}
