import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigurationError } from '../../src/config/read-config.js';
import { COMMIT, configOf } from '../support/config.js';

function problems(inputs: Record<string, string>): string[] {
  try {
    configOf(inputs);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.errors.map((e) => e.input);
    throw error;
  }
  return [];
}

describe('a configuration', () => {
  test('takes the documented defaults when only the required inputs are given', () => {
    const config = configOf();
    assert.equal(config.command, 'deploy');
    assert.equal(config.environment, 'staging');
    assert.equal(config.strategy, 'rolling');
    assert.equal(config.version, COMMIT);
    assert.deepEqual(config.steps, ['environment', 'build', 'deploy']);
    assert.equal(config.healthCheckPath, '/health');
    assert.deepEqual(config.capacity, { instanceType: 't3.small', minSize: 1, desiredSize: 1, maxSize: 2, cpuTarget: 70 });
    assert.deepEqual(config.canarySteps, [10, 50, 100]);
    assert.equal(config.keepReleases, 1);
    assert.equal(config.previewTtlHours, 168);
    assert.equal(config.cloudTrail, true);
    assert.equal(config.destroyEnvironment, false);
  });

  test('is frozen, down to its lists', () => {
    const config = configOf({ 'environment-variables': 'A=1' });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.variables));
    assert.throws(() => (config.variables as unknown as unknown[]).push({ name: 'B', value: '2' }));
  });

  test('reports every problem at once, each naming its input', () => {
    const inputs = problems({ 'application-name': 'Bad_Name', 'application-port': '0', strategy: 'canary' });
    assert.deepEqual(inputs.sort(), ['application-name', 'application-port', 'strategy']);
  });

  test('names the input, the value given and what is allowed', () => {
    assert.throws(() => configOf({ 'application-port': '70000' }), /application-port: "70000" is not allowed: use a whole number from 1 to 65535/);
  });

  test('never shows a secret input in an error', () => {
    assert.throws(() => configOf({ 'registry-password': 'hunter2' }), (error: Error) => !error.message.includes('hunter2'));
  });

  test('keeps every character of an environment value after the first =', () => {
    const config = configOf({ 'environment-variables': 'DATABASE_URL=postgres://u:p@h/db?a=b,c\nGREETING= "hello, world" \nEMPTY=' });
    assert.deepEqual(config.variables, [
      { name: 'DATABASE_URL', value: 'postgres://u:p@h/db?a=b,c' },
      { name: 'GREETING', value: ' "hello, world" ' },
      { name: 'EMPTY', value: '' },
    ]);
  });

  test('reads build arguments as KEY=VALUE lines, skipping blank lines and comments', () => {
    const config = configOf({ 'build-args': '# tooling\nNODE_VERSION=24\n\nFLAGS=--a=1 --b' });
    assert.deepEqual(config.build.buildArgs, [{ name: 'NODE_VERSION', value: '24' }, { name: 'FLAGS', value: '--a=1 --b' }]);
  });

  test('places secrets under the application and environment path', () => {
    const config = configOf({ secrets: 'DATABASE_PASSWORD=db-password\nAPI_KEY=/awesome-application/staging/api/key' });
    assert.deepEqual(config.secrets, [
      { name: 'DATABASE_PASSWORD', parameter: '/awesome-application/staging/db-password' },
      { name: 'API_KEY', parameter: '/awesome-application/staging/api/key' },
    ]);
  });

  test('puts the steps in the order they run, whatever order they are given in', () => {
    assert.deepEqual(configOf({ steps: 'deploy, environment' }).steps, ['environment', 'deploy']);
  });

  test('accepts a tag as the version', () => {
    assert.equal(configOf({ version: 'v1.4.2' }).version, 'v1.4.2');
  });

  test('leaves the version empty for a rollback to the last good release', () => {
    assert.equal(configOf({ command: 'rollback' }).version, '');
  });

  test('accepts canary steps that stop below 100, leaving a canary to promote', () => {
    assert.deepEqual(configOf({ strategy: 'blue-green', 'canary-steps': '5, 25' }).canarySteps, [5, 25]);
  });

  test('reads alarm names one per line when they contain commas', () => {
    assert.deepEqual(configOf({ 'alarm-names': 'errors, 5xx\nlatency p99' }).alarmNames, ['errors, 5xx', 'latency p99']);
  });

  test('accepts a trailing dot and capitals in the hosted zone', () => {
    assert.equal(configOf({ 'hosted-zone': 'Armesto.NET.' }).hostedZone, 'armesto.net');
  });

  test('accepts the YAML spellings of booleans', () => {
    assert.equal(configOf({ 'verify-url': 'False' }).verifyUrl, false);
    assert.equal(configOf({ cloudtrail: 'TRUE' }).cloudTrail, true);
  });

  test('reads the preview lifetime in hours or days', () => {
    assert.equal(configOf({ 'preview-ttl': '48h' }).previewTtlHours, 48);
    assert.equal(configOf({ 'preview-ttl': '0' }).previewTtlHours, 0);
  });

  test('treats an environment named pr-<number> as that pull request preview', () => {
    const config = configOf({ environment: 'pr-42', command: 'destroy' });
    assert.equal(config.preview, 42);
    assert.equal(config.networkEnvironment, 'staging');
  });
});
