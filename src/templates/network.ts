/**
 * Address planning for environment networks, in TypeScript rather than with Fn::Cidr: the
 * ranges are deterministic, reviewable in a change set, and known before anything is deployed.
 * Every environment gets its own 10.N.0.0/16 so that no two environments' networks overlap.
 */

/** Fixed so that the two long-lived environments keep their ranges whatever else exists. */
const RESERVED: Readonly<Record<string, number>> = { production: 0, staging: 1 };
const FIRST_FREE = 2;
const LAST = 255;

interface Range {
  readonly first: number;
  readonly last: number;
}

function parseCidr(cidr: string): Range {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const bits = match ? Number(match[5]) : -1;
  if (!match || octets.some((octet) => octet > 255) || bits > 32) throw new Error(`${JSON.stringify(cidr)} is not an IPv4 CIDR block such as 10.2.0.0/16`);
  const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const size = 2 ** (32 - bits);
  const first = address - (address % size);
  return { first, last: first + size - 1 };
}

const overlaps = (a: Range, b: Range) => a.first <= b.last && b.first <= a.last;

const block = (n: number) => `10.${n}.0.0/16`;

/**
 * The VPC range of an environment: production 10.0.0.0/16, staging 10.1.0.0/16; any other
 * environment keeps the range it was deployed with (`existing`), since a VPC's range cannot
 * change, or else takes the lowest 10.N.0.0/16 (N from 2) that overlaps nothing in `taken`.
 */
export function cidrFor(environment: string, taken: readonly string[], existing?: string): string {
  const reserved = RESERVED[environment];
  if (reserved !== undefined) return block(reserved);
  if (existing) return existing;
  const used = taken.map(parseCidr);
  for (let n = FIRST_FREE; n <= LAST; n++) {
    const candidate = parseCidr(block(n));
    if (!used.some((range) => overlaps(range, candidate))) return block(n);
  }
  throw new Error(`No free network range for environment ${environment}: every 10.N.0.0/16 from 10.${FIRST_FREE}.0.0/16 to 10.${LAST}.0.0/16 is taken by another environment. Remove an environment you no longer use.`);
}

export interface SubnetPlan {
  /** For the load balancers: the only subnets with a route from the internet. */
  readonly public: readonly [string, string];
  /** For the instances: out through the NAT gateway, never reachable from the internet. */
  readonly application: readonly [string, string];
  /** For databases: no route to or from the internet at all. */
  readonly database: readonly [string, string];
}

/** Two /24 subnets per tier, one in each availability zone, at fixed offsets in the /16. */
export function subnetPlan(cidr: string): SubnetPlan {
  const match = /^(\d{1,3})\.(\d{1,3})\.0\.0\/16$/.exec(cidr);
  if (!match) throw new Error(`${JSON.stringify(cidr)} is not a network range of the form A.B.0.0/16`);
  parseCidr(cidr);
  const subnet = (third: number) => `${match[1]}.${match[2]}.${third}.0/24`;
  return {
    public: [subnet(0), subnet(1)],
    application: [subnet(10), subnet(11)],
    database: [subnet(20), subnet(21)],
  };
}
