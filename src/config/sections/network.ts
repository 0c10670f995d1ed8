import { NAT_MODES } from '../types.js';
import type { Egress, Nat, PortRange } from '../types.js';
import type { Reader } from './reader.js';

/** The network section: the account's trail, the environment's way out, and what destroy may remove of it. */

export interface NetworkSection {
  readonly cloudTrail: boolean;
  readonly nat: Nat;
  readonly egress: Egress;
  readonly destroyEnvironment: boolean;
  readonly destroyLogs: boolean;
}

const NAMED_PORTS: Readonly<Record<string, number>> = { https: 443, http: 80 };

export function readNetwork(r: Reader): NetworkSection {
  const cloudTrail = r.boolean('cloudtrail');
  const nat = r.oneOf('nat', NAT_MODES);
  const egress = readEgress(r);
  const destroyEnvironment = r.boolean('destroy-environment');
  const destroyLogs = r.boolean('destroy-logs');
  return { cloudTrail, nat, egress, destroyEnvironment, destroyLogs };
}

/** `all`, or named ports, ports and ranges; HTTPS is added, since instances reach AWS over it. */
function readEgress(r: Reader): Egress {
  const items = r.list('egress').map((item) => item.toLowerCase());
  if (items.length === 0 || (items.length === 1 && items[0] === 'all')) return 'all';
  const ranges: PortRange[] = [{ from: 443, to: 443 }];
  for (const item of items) {
    const named = NAMED_PORTS[item];
    const range = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(item);
    const from = named ?? (range ? Number(range[1]) : NaN);
    const to = named ?? (range ? Number(range[2] ?? range[1]) : NaN);
    if (!(from >= 1 && to <= 65535 && from <= to)) {
      r.fail('egress', item, 'is not allowed: use all, or a comma-separated list of https, http, TCP ports (1 to 65535) and ranges such as 8000-8100');
    } else if (!ranges.some((have) => have.from === from && have.to === to)) {
      ranges.push({ from, to });
    }
  }
  return ranges;
}
