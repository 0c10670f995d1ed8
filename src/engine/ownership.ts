import { TAG_APPLICATION, TAG_ENVIRONMENT } from '../config/names.js';
import type { EngineDeps } from './context.js';
import type { AliasTarget, WeightedTarget } from './ports.js';

/**
 * Stacks are owned: a run changes or removes only stacks whose `wimpy:application` and
 * `wimpy:environment` tags name its own application and environment. Names are made not to
 * collide (see read-config.ts), and this check is what holds if two names ever do: a stack of
 * another application, or one made by hand, is refused with its owner named.
 */

export class OwnershipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OwnershipError';
  }
}

export type Owner = Readonly<Record<string, string>>;

function ownerText(tags: Owner): string {
  const application = tags[TAG_APPLICATION];
  const environment = tags[TAG_ENVIRONMENT];
  if (!application) return 'no application of this action (it has no wimpy:application tag)';
  return `application ${application} in environment ${environment ?? '(none)'}`;
}

/** Why a stack with these tags is not the owner's to change; undefined when it is. */
export function foreignOwner(stack: string, tags: Owner, owner: Owner): string | undefined {
  const mine = [TAG_APPLICATION, TAG_ENVIRONMENT].every((key) => owner[key] === undefined || tags[key] === owner[key]);
  if (mine) return undefined;
  return `Stack ${stack} belongs to ${ownerText(tags)}, not to application ${owner[TAG_APPLICATION]} in environment ${owner[TAG_ENVIRONMENT]}: it was not changed. Two names met: choose another application-name or environment.`;
}

/**
 * A hostname that is an alias of another load balancer than the application's (a production
 * hostname `<app>` equal to `<other-app>-<environment>`) is refused before anything changes: the
 * alias is what sends people there.
 */
export function refuseForeignAlias(hostname: string, alias: AliasTarget | undefined, own: AliasTarget, balancerStack: string): void {
  const name = (value: string) => value.toLowerCase().replace(/\.$/, '');
  if (!alias || (name(alias.dnsName) === name(own.dnsName) && alias.hostedZoneId === own.hostedZoneId)) return;
  throw new OwnershipError(`The hostname ${hostname} is an alias of the load balancer ${name(alias.dnsName)}, not of this application's (${balancerStack}): this run changed nothing. Two names met: choose another application-name or environment.`);
}

/**
 * A hostname whose weighted records include a release of another application (a production
 * hostname `<app>` equal to `<other-app>-<environment>`) is refused before any weight moves:
 * a weight change writes every record of the name.
 */
export async function refuseForeignRecords(deps: Pick<EngineDeps, 'stacks'>, hostname: string, records: readonly WeightedTarget[], own: ReadonlySet<string>, owner: Owner): Promise<void> {
  const unknown = records.filter((record) => !own.has(record.setIdentifier));
  const stacks = await Promise.all(unknown.map((record) => deps.stacks.describe(record.setIdentifier)));
  // The tags decide: a stack of the owner's that its listing did not name yet is still its own.
  const foreign = stacks.find((stack) => stack !== undefined && foreignOwner(stack.name, stack.tags, owner) !== undefined);
  if (!foreign) return;
  throw new OwnershipError(`The hostname ${hostname} serves stack ${foreign.name}, which belongs to ${ownerText(foreign.tags)}: this run changed nothing. Two names met: choose another application-name or environment.`);
}
