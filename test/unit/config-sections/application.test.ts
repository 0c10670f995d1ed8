import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkApplication, readApplication } from '../../../src/config/sections/application.js';
import { PUSH, readerOf, refusals, VALID_INPUTS } from '../../support/config.js';

describe('the application section', () => {
  test('reads the application, where it goes and which version, the commit by default', () => {
    const app = readApplication(readerOf(VALID_INPUTS), PUSH);
    assert.deepEqual(
      { application: app.application, port: app.port, hostedZone: app.hostedZone, environment: app.environment, version: app.version, command: app.command, strategy: app.strategy },
      { application: 'awesome-application', port: 8080, hostedZone: 'armesto.net', environment: 'staging', version: PUSH.sha, command: 'deploy', strategy: 'rolling' },
    );
  });

  test("a pull request's event makes a preview, deployed in place whatever the strategy", () => {
    const app = readApplication(readerOf({ ...VALID_INPUTS, strategy: 'blue-green' }), { ...PUSH, intent: { kind: 'preview-deploy', pullRequest: 7 } });
    assert.deepEqual([app.environment, app.preview, app.strategy], ['pr-7', 7, 'rolling']);
  });

  test('refuses an application name AWS reserves, naming the input', () => {
    const reader = readerOf({ ...VALID_INPUTS, 'application-name': 'awsome' });
    readApplication(reader, PUSH);
    assert.deepEqual(refusals(reader), ['application-name: starts with aws, which AWS reserves for its own names: choose another name']);
  });

  test('its last check refuses promote with a rolling strategy', () => {
    const reader = readerOf({ ...VALID_INPUTS, command: 'promote' });
    checkApplication(reader, readApplication(reader, PUSH));
    assert.deepEqual(refusals(reader), ['command: is only for strategy blue-green: a rolling deploy has no canary to promote']);
  });
});
