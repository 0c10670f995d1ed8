/**
 * The `domains` and `redirect-domains` inputs: hostnames of the user's own, comma or line
 * separated, checked against DNS's grammar here (before any AWS call), and matched to the
 * account's public hosted zones by a pure rule, so that a hostname no zone holds is refused
 * naming it. (Issue 18: the inputs are not read yet; the load balancer stack will carry them.)
 */

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const MAX_HOSTNAME = 253;

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
 * Reads one input's hostnames: lower-cased, a trailing dot dropped, each problem as
 * `HOSTNAME PROBLEM`; the same hostname twice is a problem too.
 */
export function parseHostnames(text: string): { readonly hostnames: readonly string[]; readonly problems: readonly string[] } {
  const items = (text.includes('\n') ? text.split(/\r?\n/) : text.split(',')).map((item) => item.trim().toLowerCase().replace(/\.$/, '')).filter((item) => item !== '');
  const hostnames: string[] = [];
  const problems: string[] = [];
  for (const item of items) {
    const problem = hostnameProblem(item);
    if (problem) problems.push(`${item} ${problem}`);
    else if (hostnames.includes(item)) problems.push(`${item} is named twice`);
    else hostnames.push(item);
  }
  return { hostnames, problems };
}

/** The hosted zone that holds a hostname: the longest zone name it ends in (the apex included), if any. */
export function zoneFor(hostname: string, zones: readonly string[]): string | undefined {
  const holding = zones.map((zone) => zone.toLowerCase().replace(/\.$/, '')).filter((zone) => hostname === zone || hostname.endsWith(`.${zone}`));
  return holding.sort((a, b) => b.length - a.length)[0];
}
