import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hostnameProblem, parseHostnames, zoneFor } from '../../src/config/domains.js';

/** Own hostnames: DNS's grammar checked before any AWS call, and each matched to the zone that holds it. */

describe('hostnames of the domains inputs', () => {
  test('takes an apex, a subdomain and punycode', () => {
    for (const hostname of ['example.com', 'www.example.com', 'shop-1.eu.example.co.uk', 'xn--bcher-kva.example']) assert.equal(hostnameProblem(hostname), undefined, hostname);
  });

  test('refuses what DNS or a certificate would not take, saying why', () => {
    assert.match(hostnameProblem('*.example.com')!, /wildcard/);
    assert.match(hostnameProblem('localhost')!, /one label/);
    assert.match(hostnameProblem('-shop.example.com')!, /label "-shop"/);
    assert.match(hostnameProblem('shop_1.example.com')!, /label "shop_1"/);
    assert.match(hostnameProblem('a..example.com')!, /label ""/);
    assert.match(hostnameProblem(`${'a'.repeat(64)}.example.com`)!, /1 to 63/);
    assert.match(hostnameProblem('10.0.0.1')!, /ends in a number/);
    assert.match(hostnameProblem(`${Array.from({ length: 60 }, () => 'abcd').join('.')}.com`)!, /at most 253/);
  });

  test('reads commas or lines, lower-cases, drops a trailing dot, and names each problem and repeat', () => {
    assert.deepEqual(parseHostnames('Example.com, www.example.com.'), { hostnames: ['example.com', 'www.example.com'], problems: [] });
    assert.deepEqual(parseHostnames('example.com\nshop_1.example.com\nEXAMPLE.com'), { hostnames: ['example.com'], problems: [
      { hostname: 'shop_1.example.com', problem: 'has the label "shop_1": each label is 1 to 63 letters, digits or hyphens, not starting or ending with a hyphen' },
      { hostname: 'example.com', problem: 'is named twice' },
    ] });
  });

  test('finds the zone that holds a hostname: the longest that it ends in, the apex included', () => {
    const zones = ['example.com.', 'eu.example.com', 'other.org'];
    assert.equal(zoneFor('example.com', zones), 'example.com');
    assert.equal(zoneFor('www.example.com', zones), 'example.com');
    assert.equal(zoneFor('shop.eu.example.com', zones), 'eu.example.com');
    assert.equal(zoneFor('notexample.com', zones), undefined);
    assert.equal(zoneFor('example.net', zones), undefined);
  });
});
