/**
 * The `domains` and `redirect-domains` inputs: hostnames of the user's own, comma or line
 * separated, checked against DNS's grammar here (before any AWS call), and matched to the
 * account's public hosted zones by a pure rule, so that a hostname no zone holds is refused
 * naming it (sections/domains.ts reads the inputs).
 */

import { hostname as mainHostname } from './names.js';
import type { Config } from './types.js';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const MAX_HOSTNAME = 253;

export interface HostnameProblem {
  readonly hostname: string;
  readonly problem: string;
}

/** What is wrong with one hostname; undefined when DNS and ACM take it. */
export function hostnameProblem(hostname: string): string | undefined {
  if (hostname.startsWith('*.')) return 'is a wildcard: name each hostname';
  if (hostname.length > MAX_HOSTNAME) return `has ${hostname.length} characters: a hostname has at most ${MAX_HOSTNAME}`;
  const labels = hostname.split('.');
  if (labels.length < 2) return 'has one label: use a full hostname such as example.com';
  const bad = labels.find((label) => !LABEL.test(label));
  if (bad !== undefined) return `has the label "${bad}": each label is 1 to 63 letters, digits or hyphens, not starting or ending with a hyphen`;
  if (/^\d+$/.test(labels.at(-1)!)) return 'ends in a number: that is an address, not a hostname';
  return undefined;
}

/**
 * Reads one input's hostnames: lower-cased, a trailing dot dropped, each problem with the
 * hostname it is about; the same hostname twice is a problem too.
 */
export function parseHostnames(text: string): { readonly hostnames: readonly string[]; readonly problems: readonly HostnameProblem[] } {
  const items = (text.includes('\n') ? text.split(/\r?\n/) : text.split(',')).map((item) => item.trim().toLowerCase().replace(/\.$/, '')).filter((item) => item !== '');
  const hostnames: string[] = [];
  const problems: HostnameProblem[] = [];
  for (const item of items) {
    const problem = hostnameProblem(item);
    if (problem) problems.push({ hostname: item, problem });
    else if (hostnames.includes(item)) problems.push({ hostname: item, problem: 'is named twice' });
    else hostnames.push(item);
  }
  return { hostnames, problems };
}

/** The hosted zone that holds a hostname: the longest zone name it ends in (the apex included), if any. */
export function zoneFor(hostname: string, zones: readonly string[]): string | undefined {
  const holding = zones.map((zone) => zone.toLowerCase().replace(/\.$/, '')).filter((zone) => hostname === zone || hostname.endsWith(`.${zone}`));
  return holding.sort((a, b) => b.length - a.length)[0];
}

export type DomainRole = 'domain' | 'redirect';

/** A hostname where it will live, and whether the load balancer answers it already. */
export interface PlacedDomain {
  readonly hostname: string;
  readonly role: DomainRole;
  readonly zone: string;
  readonly zoneId: string;
  /**
   * The name of the wildcard certificate that covers it (`*.NAME` and `NAME`): the zone for
   * the apex and the names one label below it, the parent for a deeper name.
   */
  readonly certificate: string;
  /** `new`: no record yet; `in place`: already an alias of the application's load balancer. */
  readonly state: 'new' | 'in place';
}

/** `*.NAME` and `NAME` cover the hostname. */
export function certificateName(hostname: string, zone: string): string {
  return hostname === zone ? zone : hostname.slice(hostname.indexOf('.') + 1);
}

export function domainTargets(config: Pick<Config, 'domains' | 'redirectDomains'>): { readonly hostname: string; readonly role: DomainRole }[] {
  return [...config.domains.map((hostname) => ({ hostname, role: 'domain' as const })), ...config.redirectDomains.map((hostname) => ({ hostname, role: 'redirect' as const }))];
}

/**
 * What the load balancer's stack needs of the domains: where each lives, and the ARN of each
 * certificate by the name it covers (absent for a plan, which requests none).
 */
export interface DomainFacts {
  readonly placed: readonly PlacedDomain[];
  readonly certificateArns?: Readonly<Record<string, string>>;
}

/**
 * Where the domains would live, as a plan without an account guesses it: in the hosted zone
 * when they end in it, else in the zone of their last two labels; the deploy looks them up.
 */
export function plannedDomains(config: Pick<Config, 'domains' | 'redirectDomains' | 'hostedZone'>): PlacedDomain[] {
  return domainTargets(config).map(({ hostname, role }) => {
    const zone = zoneFor(hostname, [config.hostedZone]) ?? hostname.split('.').slice(-2).join('.');
    return { hostname, role, zone, zoneId: 'Z0000000000000', certificate: certificateName(hostname, zone), state: 'new' };
  });
}

/** The hostnames the environment's releases serve: its own, then its domains (one rule on the load balancer). */
export function servedHostnames(config: Pick<Config, 'application' | 'environment' | 'hostedZone' | 'domains'>): string[] {
  return [mainHostname(config.application, config.environment, config.hostedZone), ...config.domains];
}
