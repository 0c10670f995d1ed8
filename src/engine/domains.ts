import { certificateName, domainTargets, zoneFor, type DomainRole, type PlacedDomain } from '../config/domains.js';
import { loadBalancerStack } from '../config/names.js';
import type { Config } from '../config/types.js';
import { LOAD_BALANCER_OUTPUTS } from '../templates/outputs.js';
import type { EngineDeps } from './context.js';
import type { HostedZone, NamedRecord } from './ports.js';

/**
 * The environment's own hostnames (`domains`, `redirect-domains`) are checked against Route 53
 * before any change: each must be in a public hosted zone of the account, and must not hold an
 * address that someone else put there. The decision is pure (placeDomains); checkDomains reads
 * what it needs: the zones, the records of each name, and the load balancer the records of an
 * earlier run point at.
 */

/** The record types an alias to the load balancer replaces: anything else of the name stays as it is (MX, TXT, CAA...). */
const ADDRESS_TYPES = new Set(['A', 'AAAA', 'CNAME']);

const bare = (name: string) => name.toLowerCase().replace(/\.$/, '').replace(/^dualstack\./, '');

const inputOf = (role: DomainRole) => (role === 'domain' ? 'domains' : 'redirect-domains');

function describeRecord(record: NamedRecord): string {
  const routed = record.setIdentifier !== undefined ? ` (weighted or routed, set ${record.setIdentifier})` : '';
  if (record.aliasTarget) return `an ${record.type} alias record to ${bare(record.aliasTarget)}${routed}`;
  const values = record.values.length > 0 ? ` to ${record.values.join(', ')}` : '';
  return `${record.type === 'A' ? 'an' : 'a'} ${record.type} record${values}${routed}`;
}

/**
 * Why the records of a name forbid an alias to the load balancer; undefined when there is none
 * or only this application's own (`ownTarget`: its load balancer's DNS name, once it exists). A
 * name below the zone's apex with NS records is delegated elsewhere: its records are not here.
 */
export function recordProblem(hostname: string, zone: string, records: readonly NamedRecord[], ownTarget: string | undefined): string | undefined {
  const delegated = hostname !== zone && records.some((record) => record.type === 'NS');
  if (delegated) return 'is delegated to other name servers (an NS record in its zone): its records are not in this account';
  const foreign = records.find((record) => ADDRESS_TYPES.has(record.type) && !(record.aliasTarget && ownTarget && bare(record.aliasTarget) === bare(ownTarget) && record.setIdentifier === undefined));
  if (!foreign) return undefined;
  return `already has ${describeRecord(foreign)}, which this action did not create: remove it from zone ${zone} if the application is to answer there, or remove the hostname from the input`;
}

export interface DomainCheck {
  readonly placed: readonly PlacedDomain[];
  /** One sentence a hostname, each naming its input. */
  readonly refused: readonly string[];
}

/**
 * Each hostname in the zone that holds it (the longest zone name it ends in), with the state of
 * its records; every hostname that no public zone holds, or whose records are someone else's,
 * refused by name.
 */
export function placeDomains(targets: readonly { hostname: string; role: DomainRole }[], zones: readonly HostedZone[], records: ReadonlyMap<string, readonly NamedRecord[]>, ownTarget: string | undefined): DomainCheck {
  const placed: PlacedDomain[] = [];
  const refused: string[] = [];
  for (const { hostname, role } of targets) {
    const zone = zoneFor(hostname, zones.map((candidate) => candidate.name));
    if (zone === undefined) {
      refused.push(`${inputOf(role)}: ${hostname} is in no public hosted zone of this account: create its zone in Route 53 (and delegate the domain to it), or remove it from ${inputOf(role)}.`);
      continue;
    }
    const zoneIds = zones.filter((candidate) => candidate.name === zone).map((candidate) => candidate.id);
    if (zoneIds.length > 1) {
      refused.push(`${inputOf(role)}: ${hostname} is in ${zoneIds.length} public hosted zones named ${zone} (${zoneIds.join(', ')}): keep only the one the domain is delegated to.`);
      continue;
    }
    const held = records.get(hostname) ?? [];
    const problem = recordProblem(hostname, zone, held, ownTarget);
    if (problem) {
      refused.push(`${inputOf(role)}: ${hostname} ${problem}.`);
      continue;
    }
    const inPlace = held.some((record) => record.aliasTarget !== undefined);
    placed.push({ hostname, role, zone, zoneId: zoneIds[0]!, certificate: certificateName(hostname, zone), state: inPlace ? 'in place' : 'new' });
  }
  return { placed, refused };
}

export class DomainError extends Error {
  constructor(readonly refused: readonly string[]) {
    super(`${refused.join('\n')}\nNothing was changed.`);
    this.name = 'DomainError';
  }
}

/**
 * Reads the account's public zones, the records of every hostname, and the application's load
 * balancer (whose alias records an earlier run made), then decides; raises DomainError naming
 * every refused hostname. No domains: no request. `signal` stops the reading.
 */
export async function checkDomains(config: Config, deps: Pick<EngineDeps, 'dns' | 'stacks'>, signal?: AbortSignal): Promise<readonly PlacedDomain[]> {
  const targets = domainTargets(config);
  if (targets.length === 0) return [];
  const [zones, balancer] = await Promise.all([deps.dns.publicZones(signal), deps.stacks.describe(loadBalancerStack(config.application, config.networkEnvironment), signal)]);
  const zoneIds = new Map(zones.map((zone) => [zone.name, zone.id]));
  const lookups = targets.flatMap(({ hostname }) => {
    const zone = zoneFor(hostname, zones.map((candidate) => candidate.name));
    return zone === undefined ? [] : [{ hostname, zoneId: zoneIds.get(zone)! }];
  });
  const records = new Map(await Promise.all(lookups.map(async ({ hostname, zoneId }) => [hostname, await deps.dns.recordsAt(zoneId, hostname, signal)] as const)));
  const check = placeDomains(targets, zones, records, balancer?.outputs[LOAD_BALANCER_OUTPUTS.dnsName]);
  if (check.refused.length > 0) throw new DomainError(check.refused);
  return check.placed;
}
