import { TAG_APPLICATION, TAG_ENVIRONMENT, TAG_VERSION } from '../config/names.js';

/** Whom a stack's resources belong to: how `list` finds stacks and how costs are attributed. */
export interface Owner {
  readonly application: string;
  readonly environment: string;
  /** Only application stacks belong to one release. */
  readonly version?: string;
}

/** The account baseline belongs to no application and no environment of one. */
export const ACCOUNT_OWNER: Owner = { application: 'wimpy', environment: 'account' };

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

/** The wimpy:* tags as a name-to-value map, the form stack tags take. */
export function ownerTags(owner: Owner): Record<string, string> {
  return {
    [TAG_APPLICATION]: owner.application,
    [TAG_ENVIRONMENT]: owner.environment,
    ...(owner.version === undefined ? {} : { [TAG_VERSION]: owner.version }),
  };
}

/** The wimpy:* tags in the form of a resource's `Tags` property, with any extra ones after them. */
export function resourceTags(owner: Owner, extra: Readonly<Record<string, string>> = {}): Tag[] {
  return Object.entries({ ...ownerTags(owner), ...extra }).map(([Key, Value]) => ({ Key, Value }));
}
