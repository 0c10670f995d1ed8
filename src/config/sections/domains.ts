import { parseHostnames } from '../domains.js';
import { hostname } from '../names.js';
import type { ApplicationSection } from './application.js';
import type { Reader } from './reader.js';

/**
 * The domains section: the environment's own hostnames besides `<app>.<zone>` (`domains`), and
 * the hostnames answered with a permanent redirect to the first of them (`redirect-domains`).
 *
 * A preview has none: its hostname is `<app>-pr-<n>.<zone>` alone. A workflow passes the same
 * inputs to every event, and a preview that took `example.com` would take the product's own
 * address from production (or fail on its records, which production's load balancer holds).
 */

export interface DomainsSection {
  /** Served like the main hostname, with the same weighted forward: they move with the traffic. */
  readonly domains: readonly string[];
  /** Answered with a 301 to the first of `domains`, path and query kept. */
  readonly redirectDomains: readonly string[];
}

/**
 * The main hostname and the domains share the main hostname's rule on the listener, so that a
 * canary step, a promote or a rollback stays one ModifyRule for all of them: Elastic Load
 * Balancing takes 5 condition values per rule, the main hostname is one of them.
 */
export const MAX_DOMAINS = 4;
/** Four redirect rules of 5 hostnames each; with the domains, 24 certificates at most, within the load balancer's 25. */
export const MAX_REDIRECT_DOMAINS = 20;

export function readDomains(r: Reader, app: Pick<ApplicationSection, 'application' | 'environment' | 'hostedZone' | 'preview'>): DomainsSection {
  const domains = parseHostnames(r.lines('domains'));
  const redirects = parseHostnames(r.lines('redirect-domains'));
  for (const { hostname: name, problem } of domains.problems) r.fail('domains', name, `${problem} (use hostnames such as example.com, www.example.com)`);
  for (const { hostname: name, problem } of redirects.problems) r.fail('redirect-domains', name, `${problem} (use hostnames such as www.example.com)`);
  if (app.preview !== undefined) return { domains: [], redirectDomains: [] };

  const main = hostname(app.application, app.environment, app.hostedZone);
  if (domains.hostnames.includes(main)) r.fail('domains', main, 'is the environment\'s own hostname, which it always serves: use only other hostnames');
  if (domains.hostnames.length > MAX_DOMAINS) {
    r.fail('domains', r.text('domains'), `names ${domains.hostnames.length} hostnames: at most ${MAX_DOMAINS}, which share the main hostname's rule on the load balancer (5 hostnames a rule), so that a traffic step moves all of them at once. Answer the others with redirect-domains`);
  }
  if (redirects.hostnames.length > 0 && domains.hostnames.length === 0) {
    r.fail('redirect-domains', r.text('redirect-domains'), 'redirects to the first of domains, which is empty: use domains to name the hostname they redirect to');
  }
  for (const both of redirects.hostnames.filter((name) => domains.hostnames.includes(name) || name === main)) {
    r.fail('redirect-domains', both, `is served by ${both === main ? 'the environment itself' : 'domains'}: a hostname is either served or redirected: use it in only one of the two inputs`);
  }
  if (redirects.hostnames.length > MAX_REDIRECT_DOMAINS) {
    r.fail('redirect-domains', r.text('redirect-domains'), `names ${redirects.hostnames.length} hostnames: at most ${MAX_REDIRECT_DOMAINS} (each needs a certificate on the load balancer, which takes 25)`);
  }
  return { domains: domains.hostnames, redirectDomains: redirects.hostnames };
}
