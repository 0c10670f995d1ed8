import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { INPUTS } from '../../src/config/inputs.js';
import { ConfigurationError } from '../../src/config/read-config.js';
import type { Config } from '../../src/config/types.js';
import { configOf } from '../support/config.js';

/**
 * Text that means something to a shell, to XML or HTML, to YAML or to a workflow, given to every
 * input where people type free text. Each is either refused, naming the input, or kept exactly
 * as written (single-line inputs trimmed of surrounding white space): never half-read, never
 * changed. Where it is kept, the code that uses it must treat it as data; this table says
 * which inputs can carry such text.
 */

const INJECTIONS = ['$(id)', '`id`', '"; rm -rf /', ']]>', '<!--', '-->', '\n- name: x', '${{ secrets.X }}', "'", '%0a', '\u0000'] as const;
type Injection = (typeof INJECTIONS)[number];

/** Everything but the line break and the NUL: printable text that a path or a value may hold. */
const PRINTABLE: readonly Injection[] = ['$(id)', '`id`', '"; rm -rf /', ']]>', '<!--', '-->', '${{ secrets.X }}', "'", '%0a'];
const PRINTABLE_NOT_DASH = PRINTABLE.filter((injection) => injection !== '-->');

interface FreeText {
  /** The raw input that carries the injected text. */
  readonly raw: (text: string) => string;
  /** What the configuration holds of it. */
  readonly kept: (config: Config) => unknown;
  /** What it must hold when the text is kept. */
  readonly expected: (text: string) => unknown;
  /** The injections kept; every other one must be refused. */
  readonly keeps: readonly Injection[];
}

const asIs = (text: string) => text;
const trimmed = (text: string) => text.trim();
const line = (text: string) => `INJECTED=${text}`;
const single = (kept: (config: Config) => unknown, keeps: readonly Injection[] = []): FreeText => ({ raw: asIs, kept, expected: trimmed, keeps });
const keyValue = (kept: (config: Config) => readonly { name: string; value?: string; parameter?: string }[], keeps: readonly Injection[]): FreeText => ({
  raw: line,
  kept: (config) => kept(config).find((pair) => pair.name === 'INJECTED'),
  expected: (text) => ({ name: 'INJECTED', value: text }),
  keeps,
});

const FREE_TEXT: Record<string, FreeText> = {
  'application-name': single((c) => c.application),
  'hosted-zone': single((c) => c.hostedZone),
  environment: single((c) => c.environment),
  version: single((c) => c.version),
  'allowed-account-ids': { raw: asIs, kept: (c) => c.allowedAccountIds, expected: (text) => [text.trim()], keeps: [] },
  // Paths may hold any printable character; they must reach docker as one argument each.
  dockerfile: single((c) => c.build.dockerfile, PRINTABLE_NOT_DASH),
  context: single((c) => c.build.context, PRINTABLE_NOT_DASH),
  'build-args': keyValue((c) => c.build.buildArgs, PRINTABLE),
  target: single((c) => c.build.target),
  platform: single((c) => c.build.platform),
  registry: single((c) => c.build.registry),
  'registry-username': single((c) => c.build.registryUsername, [...PRINTABLE, '\n- name: x']),
  // A password is whatever the registry issued: nothing is refused.
  'registry-password': single((c) => c.build.registryPassword, INJECTIONS),
  image: single((c) => c.build.image),
  'instance-type': single((c) => c.capacity.instanceType),
  'preview-instance-type': single((c) => c.previewInstanceType),
  'health-check-path': single((c) => c.healthCheckPath),
  'environment-variables': keyValue((c) => c.variables, PRINTABLE),
  // A secret names an SSM parameter: letters, digits and _ . - / only.
  secrets: keyValue((c) => c.secrets, []),
  // A line break starts the next alarm name, so the second line is a name of its own.
  release: single((c) => c.logs.release),
  // A filter pattern is CloudWatch's own syntax, passed as one request field: printable text is kept.
  filter: single((c) => c.logs.filter, [...PRINTABLE, '\n- name: x']),
  'alarm-names': { raw: asIs, kept: (c) => c.alarmNames, expected: (text) => [text.trim()], keeps: [...PRINTABLE, '\n- name: x'] },
  // Only e-mail addresses and topic ARNs: every injection is neither.
  notify: single((c) => c.notify),
  // The user's own command, run in the user's own container: printable text on one line is kept exactly.
  'release-command': single((c) => c.releaseCommand?.command, [...PRINTABLE, '\n- name: x']),
  // A process's command and health command run in the user's own container, reaching it as data: printable text on one line is kept exactly.
  processes: { raw: (text) => `worker=${text}`, kept: (c) => c.processes[0]?.command, expected: trimmed, keeps: PRINTABLE },
  'processes-health': { raw: (text) => `worker=${text}`, kept: (c) => c.processes[0]?.health, expected: trimmed, keeps: PRINTABLE },
  // A schedule's command, the rest of its line: printable text is kept exactly; a line break starts a line that is no schedule.
  schedules: { raw: (text) => `rate(1 hour) ${text}`, kept: (c) => c.schedules[0]?.command, expected: trimmed, keeps: PRINTABLE },
  // Hostnames only: letters, digits, hyphens and dots.
  domains: single((c) => c.domains),
  'redirect-domains': single((c) => c.redirectDomains),
};

/** Inputs with a closed set of values (or read outside readConfig): no free text to inject. */
const CLOSED = [
  'command', 'application-port', 'strategy', 'steps', 'timeout-minutes', 'github-token', 'keep-images', 'min-size', 'desired-size', 'max-size', 'cpu-target',
  'signal-timeout-minutes', 'verify-url', 'dns-ttl', 'canary-steps', 'step-wait', 'keep-releases', 'preview-ttl', 'preview-capacity', 'egress', 'nat', 'cloudtrail', 'destroy-environment', 'destroy-logs',
  'log-retention-days', 'database', 'database-class', 'database-storage', 'database-multi-az', 'preview-database', 'release-timeout-minutes', 'destroy-database', 'since', 'process',
  'processes-sizes', 'processes-grace-seconds',
];

/** With a registry of their own, so that the registry's username and password are read, and a process, whose health command is then read. */
const BASE = { registry: 'ghcr.io/acme', processes: 'worker=celery -A shop worker' };

let cases = 0;

describe('injected text is refused naming the input, or kept exactly', () => {
  test('every input is either free text in the table or has a closed set of values', () => {
    assert.deepEqual([...Object.keys(FREE_TEXT), ...CLOSED].sort(), INPUTS.map((input) => input.name).sort());
  });

  for (const [name, input] of Object.entries(FREE_TEXT)) {
    const refuses = INJECTIONS.filter((injection) => !input.keeps.includes(injection));
    test(`${name} keeps [${input.keeps.map((text) => JSON.stringify(text)).join(' ')}] and refuses [${refuses.map((text) => JSON.stringify(text)).join(' ')}]`, () => {
      for (const injection of INJECTIONS) {
        cases += 1;
        const shown = `${name} = ${JSON.stringify(input.raw(injection))}`;
        if (input.keeps.includes(injection)) {
          assert.deepEqual(input.kept(configOf({ ...BASE, [name]: input.raw(injection) })), input.expected(injection), `${shown} is kept exactly`);
          continue;
        }
        assert.throws(() => configOf({ ...BASE, [name]: input.raw(injection) }), (error: unknown) => {
          assert.ok(error instanceof ConfigurationError, `${shown}: a ConfigurationError`);
          for (const problem of error.errors) assert.equal(problem.input, name, `${shown}: ${error.message}`);
          assert.ok(error.message.includes(`${name}: `), `${shown}: the message names the input`);
          return true;
        }, `${shown} is refused`);
      }
    });
  }

  test('every injection was decided for every free-text input', (t) => {
    t.diagnostic(`${cases} cases: ${INJECTIONS.length} injections x ${Object.keys(FREE_TEXT).length} free-text inputs`);
    assert.equal(cases, INJECTIONS.length * Object.keys(FREE_TEXT).length);
  });
});
