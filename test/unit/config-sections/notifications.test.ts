import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readNotifications } from '../../../src/config/sections/notifications.js';
import { readerOf, refusals } from '../../support/config.js';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:alerts';

describe('the notifications section', () => {
  test('sorts e-mail addresses from topics', () => {
    assert.deepEqual(readNotifications(readerOf({ notify: `oncall@example.com, ${TOPIC}` })), { emails: ['oncall@example.com'], topics: [TOPIC] });
  });

  test('refuses the same address twice', () => {
    const reader = readerOf({ notify: 'oncall@example.com,oncall@example.com' });
    readNotifications(reader);
    assert.deepEqual(refusals(reader), ['notify: names the same address or topic twice']);
  });
});
