import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readDomains } from '../../../src/config/sections/domains.js';
import { configOf, readerOf, refusals } from '../../support/config.js';

/** The environment's own hostnames: read before any AWS call, each problem naming its input. */

const PRODUCTION = { application: 'shop', environment: 'production', hostedZone: 'example.com' };

function read(inputs: Record<string, string>, app: Parameters<typeof readDomains>[1] = PRODUCTION) {
  const reader = readerOf(inputs);
  return { section: readDomains(reader, app), refused: refusals(reader) };
}

describe('the domains section', () => {
  test('none unless given', () => {
    assert.deepEqual(read({}), { section: { domains: [], redirectDomains: [] }, refused: [] });
  });

  test('reads domains and redirects, comma or line separated, the apex included', () => {
    assert.deepEqual(read({ domains: 'Example.com, shop.example.org', 'redirect-domains': 'www.example.com\nexample.net' }).section, { domains: ['example.com', 'shop.example.org'], redirectDomains: ['www.example.com', 'example.net'] });
  });

  test('refuses a hostname DNS would not take, naming the input and the hostname', () => {
    const { refused } = read({ domains: 'example.com, shop_1.example.com', 'redirect-domains': '*.example.com' });
    assert.deepEqual(refused, [
      'domains: has the label "shop_1": each label is 1 to 63 letters, digits or hyphens, not starting or ending with a hyphen (use hostnames such as example.com, www.example.com)',
      'redirect-domains: is a wildcard: name each hostname (use hostnames such as www.example.com)',
    ]);
  });

  test('refuses the main hostname as a domain: it is always served', () => {
    assert.match(read({ domains: 'shop.example.com' }).refused.join('\n'), /^domains: is the environment's own hostname/);
  });

  test('refuses more domains than the main hostname\'s rule holds, pointing at redirects', () => {
    assert.match(read({ domains: 'a.example.com, b.example.com, c.example.com, d.example.com, e.example.com' }).refused.join('\n'), /^domains: names 5 hostnames: at most 4, .*redirect-domains/);
  });

  test('refuses redirects without a domain to redirect to', () => {
    assert.match(read({ 'redirect-domains': 'www.example.com' }).refused.join('\n'), /^redirect-domains: redirects to the first of domains, which is empty/);
  });

  test('refuses a hostname both served and redirected', () => {
    assert.match(read({ domains: 'example.com', 'redirect-domains': 'example.com' }).refused.join('\n'), /^redirect-domains: is served by domains/);
  });

  test('refuses more redirects than the load balancer has certificates for', () => {
    const many = Array.from({ length: 21 }, (_, i) => `r${i}.example.com`).join(',');
    assert.match(read({ domains: 'example.com', 'redirect-domains': many }).refused.join('\n'), /^redirect-domains: names 21 hostnames: at most 20/);
  });

  test('a preview has none: it would take production\'s own address', () => {
    assert.deepEqual(read({ domains: 'example.com', 'redirect-domains': 'www.example.com' }, { ...PRODUCTION, environment: 'pr-7', preview: 7 }).section, { domains: [], redirectDomains: [] });
  });

  test('reach the configuration', () => {
    const config = configOf({ domains: 'example.com', 'redirect-domains': 'www.example.com' });
    assert.deepEqual([config.domains, config.redirectDomains], [['example.com'], ['www.example.com']]);
  });
});
