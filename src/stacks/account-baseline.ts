import { BASE_STACK } from '../config/names.js';
import { baseTemplate } from '../templates/base.js';
import type { StackKind } from './kind.js';
import { changesOnPurpose, settle, TAG_CLOUDTRAIL } from './shared-settings.js';
import { stackTags } from './stack-tags.js';

/**
 * `wimpy-base`: the account and region's KMS key, CloudTrail, log and storage buckets. Every
 * application of the account shares it, so no command removes it, and the trail is set only
 * on purpose (shared-settings.ts).
 */
export interface BaselineFacts {
  readonly cloudTrail: boolean;
}

export const accountBaseline: StackKind<BaselineFacts> = {
  id: 'account-baseline',
  phase: 'environment',
  dependsOn: [],
  previews: 'shared',
  removal: { by: 'never', why: 'its key and buckets hold every application’s data and audit trail' },
  name: () => BASE_STACK,
  purpose: () => 'account baseline: KMS key, CloudTrail, log and storage buckets',
  sharedBy: () => 'every application of the account and region',
  async read(config, account) {
    const trail = settle({ input: 'cloudtrail', stack: BASE_STACK, tag: TAG_CLOUDTRAIL, wanted: String(config.cloudTrail) }, await account.describe(BASE_STACK), changesOnPurpose(config));
    return { facts: { cloudTrail: trail.value === 'true' }, ...(trail.warning ? { warning: trail.warning } : {}) };
  },
  planned: (config) => ({ facts: { cloudTrail: config.cloudTrail }, resolvedAtDeploy: [] }),
  spec: (_config, facts) => ({
    name: BASE_STACK,
    template: baseTemplate({ cloudTrail: facts.cloudTrail }),
    parameters: {},
    // The trail is the account's: the stack says which way it was set (see shared-settings.ts).
    tags: { ...stackTags('wimpy', 'account'), [TAG_CLOUDTRAIL]: String(facts.cloudTrail) },
    terminationProtection: true,
  }),
  stacksToRemove: () => [],
};
