import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { defaultOf, INPUTS } from '../../src/config/inputs.js';
import { parameterPath } from '../../src/config/names.js';
import { ConfigurationError } from '../../src/config/read-config.js';
import { LOG_RETENTION_DAYS } from '../../src/config/sections/logs.js';
import { databaseClassProblem } from '../../src/config/database-classes.js';
import { COMMANDS, NAT_MODES, PREVIEW_CAPACITIES, STEPS, TRAFFIC_STRATEGIES } from '../../src/config/types.js';
import type { Config } from '../../src/config/types.js';
import { configOf, PUSH, VALID_INPUTS } from '../support/config.js';
import { startRequestCounter } from '../support/request-counter.js';
import type { RequestCounter } from '../support/request-counter.js';

/**
 * Every input, fed arbitrary text while the others stay valid, is either kept as it was written
 * (or, for enumerated and numeric inputs, read as what it denotes), or refused with an error
 * that names it and says what is allowed. Nothing else can happen: no other exception, no
 * half-read configuration, and no request to AWS.
 */

const RUNS_PER_INPUT = 200;

type Inputs = Readonly<Record<string, string>>;

/** Two valid starting points far apart; every input not named keeps its default. */
const BASELINES: readonly Inputs[] = [{}, { environment: 'production', strategy: 'blue-green', registry: 'ghcr.io/acme', database: 'postgres', processes: 'worker=celery -A shop worker' }];

interface Spec {
  /** Values near the valid ones, so that acceptance is exercised as much as refusal. */
  readonly valid: fc.Arbitrary<string>;
  /** Where the configuration keeps the input. */
  readonly kept: (config: Config) => unknown;
  /** What an accepted value must be there. */
  readonly denotes: (raw: string, base: Inputs) => unknown;
  /** For inputs with a closed set of values: the value must be accepted exactly when this holds. */
  readonly allowed?: (raw: string, base: Inputs) => boolean;
}

/** An input reads as its default when empty, trimmed of surrounding white space as @actions/core trims. */
function word(name: string, raw: string): string {
  return (raw === '' ? (defaultOf(name) ?? '') : raw).trim();
}

/** Multi-line inputs are not trimmed: a value keeps every character after the first `=`. */
function pairs(name: string, raw: string): { name: string; value: string }[] {
  const text = raw === '' ? (defaultOf(name) ?? '') : raw;
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'))
    .map((line) => ({ name: line.slice(0, line.indexOf('=')).trim(), value: line.slice(line.indexOf('=') + 1) }));
}

function items(name: string, raw: string): string[] {
  return word(name, raw).split(',').map((item) => item.trim()).filter((item) => item !== '');
}

const padded = (value: fc.Arbitrary<string>) => fc.tuple(fc.constantFrom('', ' ', '\t', '\n'), value, fc.constantFrom('', ' ', '\r\n')).map((parts) => parts.join(''));
const joined = (item: fc.Arbitrary<string>, separators: readonly string[]) => fc.tuple(fc.array(item, { maxLength: 4 }), fc.constantFrom(...separators)).map(([list, separator]) => list.join(separator));

/** Odd characters: any grapheme, any code point, control characters, and the separators the parsers split on. */
const CHARACTER = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code)),
  fc.constantFrom(' ', '=', ',', '/', '.', '-', '#', '\n', '\r\n', '\t', '\u007f', '\u2028', '\ufeff', '\u200b'),
);
const NOISE = fc.string({ unit: CHARACTER, maxLength: 40 });

/** Text that means something to YAML, a shell, XML or a workflow. */
const TRICKY = [
  'key: value', '- item', '{a: 1}', '[1, 2]', '&anchor', '*anchor', '!!binary', '---', '|', '>-', '? x', '%YAML 1.2', '~', 'null', 'yes', 'on',
  '$(id)', '`id`', '"; rm -rf /', '|| true', '&& id', '; id', '$IFS', '${HOME}', '\\',
  ']]>', '<!--', '-->', '<script>', '\n- name: x', '${{ secrets.X }}', "'", '"', '%0a', '\u0000',
] as const;

/** Up to 10,000 characters, made by repeating a short piece (cheap to generate, still odd). */
const long = (piece: fc.Arbitrary<string>) => fc.tuple(piece.filter((text) => text.length > 0), fc.integer({ min: 1000, max: 10_000 })).map(([text, length]) => text.repeat(Math.ceil(length / text.length)).slice(0, length));

function arbitraryValue(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const anything = fc.oneof(valid, NOISE, fc.constantFrom(...TRICKY));
  return fc.oneof(
    { arbitrary: valid, weight: 4 },
    { arbitrary: NOISE, weight: 2 },
    { arbitrary: fc.constantFrom(...TRICKY), weight: 1 },
    { arbitrary: fc.array(anything, { minLength: 2, maxLength: 4 }).map((parts) => parts.join('')), weight: 2 },
    { arbitrary: long(anything), weight: 1 },
  );
}

function oneOf(values: readonly string[], kept: (config: Config) => unknown, also: (value: string, base: Inputs) => boolean = () => true) {
  return (name: string): Spec => ({
    valid: padded(fc.constantFrom(...values, ...values.map((value) => value.toUpperCase()), 'yes', '')),
    kept,
    denotes: (raw) => word(name, raw),
    allowed: (raw, base) => values.includes(word(name, raw)) && also(word(name, raw), base),
  });
}

function integer(min: number, max: number, kept: (config: Config) => unknown, also: (value: number) => boolean = () => true) {
  return (name: string): Spec => ({
    valid: padded(fc.oneof(fc.integer({ min: min - 2, max: max + 2 }), fc.constantFrom(min, max)).map((n) => (n % 7 === 0 ? `0${n}` : String(n)))),
    kept,
    denotes: (raw) => Number(word(name, raw)),
    allowed: (raw) => /^\d+$/.test(word(name, raw)) && Number(word(name, raw)) >= min && Number(word(name, raw)) <= max && also(Number(word(name, raw))),
  });
}

function boolean(kept: (config: Config) => unknown) {
  const spellings = ['true', 'True', 'TRUE', 'false', 'False', 'FALSE'];
  return (name: string): Spec => ({
    valid: padded(fc.constantFrom(...spellings, 'yes', 'on', '1', 'tRUE')),
    kept,
    denotes: (raw) => ['true', 'True', 'TRUE'].includes(word(name, raw)),
    allowed: (raw) => spellings.includes(word(name, raw)),
  });
}

/** Free text kept as written (trimmed); absent from the configuration when empty. */
function text(valid: fc.Arbitrary<string>, kept: (config: Config) => unknown, read: (value: string) => string | undefined = (value) => value || undefined) {
  return (name: string): Spec => ({ valid: padded(valid), kept, denotes: (raw) => read(word(name, raw)) });
}

/** Own hostnames: read as the list they denote, whatever the separator. */
function hostnames(kept: (config: Config) => unknown) {
  return (name: string): Spec => ({
    valid: joined(fc.oneof(fc.domain(), fc.domain().map((domain) => `${domain.toUpperCase()}.`)), [',', '\n', ', ']),
    kept,
    denotes: (raw) => {
      const value = raw === '' ? (defaultOf(name) ?? '') : raw;
      return (value.includes('\n') ? value.split(/\r?\n/) : value.split(',')).map((item) => item.trim().toLowerCase().replace(/\.$/, '')).filter((item) => item !== '');
    },
  });
}

const KEY = fc.constantFrom('LOG_LEVEL', 'DATABASE_URL', '_PRIVATE', 'a1', ' SPACED ', 'PORT', '1ST', 'WITH-DASH', '#COMMENTED', '');
const VALUE = fc.oneof(NOISE, fc.constantFrom(...TRICKY), fc.constantFrom('', ' leading', 'trailing ', 'a=b=c', 'tab\there'), long(NOISE));
const keyValueLines = (value: fc.Arbitrary<string>) => joined(fc.tuple(KEY, value).map(([key, v]) => `${key}=${v}`), ['\n', '\r\n']);

const sizes = (config: Config) => config.capacity;
const STEP_NAMES: readonly string[] = STEPS;

/** Every input of the action, what it accepts and where the configuration keeps it. */
const SPECS: Record<string, (name: string) => Spec> = {
  command: oneOf(COMMANDS, (c) => c.command, (value, base) => value !== 'promote' || base.strategy === 'blue-green'),
  'application-name': text(fc.stringMatching(/^[a-z][a-z0-9-]{0,29}$/), (c) => c.application, (value) => value),
  'application-port': integer(1, 65535, (c) => c.port),
  'hosted-zone': text(fc.oneof(fc.domain(), fc.domain().map((zone) => `${zone.toUpperCase()}.`)), (c) => c.hostedZone, (value) => value.toLowerCase().replace(/\.$/, '')),
  environment: text(fc.oneof(fc.stringMatching(/^[a-z][a-z0-9-]{0,17}$/), fc.constantFrom('staging', 'production', 'base', 'pr-12')), (c) => c.environment, (value) => value),
  strategy: oneOf(TRAFFIC_STRATEGIES, (c) => c.strategy),
  version: text(fc.oneof(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/), fc.stringMatching(/^[0-9a-f]{40}$/)), (c) => c.version, (value) => value || PUSH.sha),
  steps: (name) => ({
    valid: joined(fc.constantFrom(...STEPS, 'test', ' deploy '), [',', ', ']),
    kept: (c) => c.steps,
    denotes: (raw) => STEPS.filter((step) => items(name, raw).includes(step)),
    allowed: (raw) => items(name, raw).length > 0 && items(name, raw).every((step) => STEP_NAMES.includes(step)),
  }),
  'timeout-minutes': integer(1, 360, (c) => c.timeoutMinutes),
  'allowed-account-ids': (name) => ({
    valid: joined(fc.stringMatching(/^\d{11,13}$/), [',', ', ']),
    kept: (c) => c.allowedAccountIds,
    denotes: (raw) => items(name, raw),
    allowed: (raw) => items(name, raw).every((id) => /^\d{12}$/.test(id)),
  }),
  // Read by the entry point, not by readConfig: any value leaves the configuration as it was.
  'github-token': () => ({ valid: fc.stringMatching(/^gh[ps]_[A-Za-z0-9]{36}$/), kept: (c) => c, denotes: (_raw, base) => configOf(base), allowed: () => true }),
  dockerfile: text(fc.stringMatching(/^[A-Za-z0-9_. /-]{1,30}$/), (c) => c.build.dockerfile, (value) => value),
  context: text(fc.stringMatching(/^[A-Za-z0-9_. /-]{1,30}$/), (c) => c.build.context, (value) => value),
  'build-args': (name) => ({ valid: keyValueLines(VALUE), kept: (c) => c.build.buildArgs, denotes: (raw) => pairs(name, raw) }),
  target: text(fc.stringMatching(/^[A-Za-z0-9_.-]{1,20}$/), (c) => c.build.target),
  platform: text(fc.constantFrom('linux/amd64', 'linux/arm64', 'linux/arm/v7', 'windows/amd64', 'linux', 'Linux/AMD64'), (c) => c.build.platform),
  registry: text(fc.oneof(fc.domain(), fc.constantFrom('ghcr.io/acme', 'registry.example.com:5000/', '127.0.0.1:5000', 'https://ghcr.io')), (c) => c.build.registry, (value) => value.replace(/\/+$/, '') || undefined),
  'registry-username': text(fc.string({ unit: 'grapheme-ascii', maxLength: 20 }), (c) => c.build.registryUsername),
  'registry-password': text(fc.string({ unit: 'grapheme', maxLength: 30 }), (c) => c.build.registryPassword),
  image: text(fc.constantFrom('ghcr.io/acme/app:v1.4.2', `app@sha256:${'a'.repeat(64)}`, 'nginx', 'Nginx:latest', 'localhost:5000/app:1'), (c) => c.build.image),
  'keep-images': integer(1, 1000, (c) => c.build.keepImages),
  'instance-type': text(fc.constantFrom('t3.small', 'm7g.large', 'c6i.2xlarge', 't3', 'T3.small'), (c) => c.capacity.instanceType, (value) => value),
  'preview-capacity': oneOf(PREVIEW_CAPACITIES, (c) => c.previewCapacity),
  'preview-instance-type': text(fc.constantFrom('t3.micro', 't3.nano', 'm7g.large', 't3', 'T3.micro'), (c) => c.previewInstanceType, (value) => value),
  // The defaults are min 1, desired 1, max 2: the three must stay ordered.
  'min-size': integer(0, 100, (c) => sizes(c).minSize, (n) => n <= 1),
  'desired-size': integer(1, 100, (c) => sizes(c).desiredSize, (n) => n <= 2),
  'max-size': integer(1, 100, (c) => sizes(c).maxSize),
  'cpu-target': integer(1, 100, (c) => sizes(c).cpuTarget),
  'health-check-path': text(fc.oneof(fc.stringMatching(/^\/[A-Za-z0-9/_.~%?=&+-]{0,30}$/), fc.constantFrom('health', '/health check')), (c) => c.healthCheckPath, (value) => value),
  'signal-timeout-minutes': integer(1, 60, (c) => c.signalTimeoutMinutes),
  'environment-variables': (name) => ({ valid: keyValueLines(VALUE), kept: (c) => c.variables, denotes: (raw) => pairs(name, raw) }),
  secrets: (name) => ({
    valid: keyValueLines(fc.oneof(fc.stringMatching(/^[A-Za-z0-9_.-]{1,20}(\/[A-Za-z0-9_.-]{1,10})?$/), fc.constantFrom('/awesome-application/production/db', '/other/x', '../x', ' padded '))),
    kept: (c) => c.secrets,
    denotes: (raw, base) => pairs(name, raw).map(({ name: key, value }) => {
      const path = parameterPath(VALID_INPUTS['application-name']!, base.environment ?? 'staging');
      return { name: key, parameter: value.trim().startsWith('/') ? value.trim() : `${path}${value.trim()}` };
    }),
  }),
  'verify-url': boolean((c) => c.verifyUrl),
  'dns-ttl': integer(60, 86400, (c) => c.dnsTtl),
  'canary-steps': (name) => ({
    valid: joined(fc.integer({ min: 0, max: 101 }).map(String), [',', ', ']),
    kept: (c) => c.canarySteps,
    denotes: (raw) => items(name, raw).map(Number),
    allowed: (raw) => {
      const steps = items(name, raw);
      return steps.length > 0 && steps.every((step, i) => /^\d+$/.test(step) && Number(step) >= 1 && Number(step) <= 100 && (i === 0 || Number(step) > Number(steps[i - 1])));
    },
  }),
  'step-wait': integer(0, 3600, (c) => c.stepWaitSeconds),
  // Comma separated, or one name a line when the value has several lines.
  'alarm-names': (name) => ({
    valid: joined(fc.stringMatching(/^[A-Za-z0-9 _.:,-]{1,30}$/), [',', '\n']),
    kept: (c) => c.alarmNames,
    denotes: (raw) => {
      const value = raw === '' ? (defaultOf(name) ?? '') : raw;
      return (value.includes('\n') ? value.split(/\r?\n/) : value.split(',')).map((alarm) => alarm.trim()).filter((alarm) => alarm !== '');
    },
  }),
  'keep-releases': integer(0, 5, (c) => c.keepReleases),
  // Hostnames, comma separated or one a line: kept lowercase without a trailing dot.
  domains: hostnames((c) => c.domains),
  'redirect-domains': hostnames((c) => c.redirectDomains),
  'preview-ttl': (name) => ({
    valid: padded(fc.oneof(fc.constantFrom('0', '00', '1w', '7 d', '48H'), fc.tuple(fc.integer({ min: 0, max: 999_999 }), fc.constantFrom('h', 'd')).map(([n, unit]) => `${n}${unit}`))),
    kept: (c) => c.previewTtlHours,
    denotes: (raw) => {
      const [, n = '0', unit] = /^(\d+)([hd])$/.exec(word(name, raw)) ?? [];
      return Number(n) * (unit === 'd' ? 24 : 1);
    },
    allowed: (raw) => /^(?:0|\d{1,5}[hd])$/.test(word(name, raw)),
  }),
  egress: (name) => {
    const NAMED: Record<string, [number, number]> = { https: [443, 443], http: [80, 80] };
    const range = (item: string): [number, number] | undefined => {
      // Own names only: `__proto__` or `constructor` are not ports, whatever an object inherits.
      const key = item.toLowerCase();
      if (Object.hasOwn(NAMED, key)) return NAMED[key];
      const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(item);
      const from = Number(match?.[1]);
      const to = Number(match?.[2] ?? match?.[1]);
      return match && from >= 1 && to <= 65535 && from <= to ? [from, to] : undefined;
    };
    const isAll = (raw: string) => {
      const list = items(name, raw).map((item) => item.toLowerCase());
      return list.length === 0 || (list.length === 1 && list[0] === 'all');
    };
    return {
      valid: padded(fc.oneof(fc.constantFrom('all', 'ALL', 'https', 'smtp', '0', '9000-8000'), joined(fc.oneof(fc.constantFrom('https', 'http', 'HTTP'), fc.integer({ min: 0, max: 70_000 }).map(String), fc.tuple(fc.integer({ min: 1, max: 65_535 }), fc.integer({ min: 1, max: 65_535 })).map(([a, b]) => `${a}-${b}`)), [',', ', ']))),
      kept: (c) => c.egress,
      denotes: (raw) => {
        if (isAll(raw)) return 'all';
        const ranges: { from: number; to: number }[] = [{ from: 443, to: 443 }];
        for (const [from, to] of items(name, raw).map(range) as [number, number][]) if (!ranges.some((have) => have.from === from && have.to === to)) ranges.push({ from, to });
        return ranges;
      },
      allowed: (raw) => isAll(raw) || items(name, raw).every((item) => range(item) !== undefined),
    };
  },
  nat: oneOf(NAT_MODES, (c) => c.nat),
  cloudtrail: boolean((c) => c.cloudTrail),
  'destroy-environment': boolean((c) => c.destroyEnvironment),
  'destroy-logs': boolean((c) => c.destroyLogs),
  'destroy-database': boolean((c) => c.destroyDatabase),
  database: oneOf(['none', 'postgres', 'mysql'], (c) => c.database?.engine ?? 'none'),
  // The database's own inputs are refused when wrong whatever the engine; kept only with a database.
  'database-class': (name) => ({
    valid: padded(fc.constantFrom('db.t4g.micro', 'db.m7g.large', 'db.r6i.4xlarge', 'db.x2iezn.2xlarge', 'db.serverless', 'db.m7g.micro', 'db.t2.micro', 't3.small', 'DB.T4G.MICRO')),
    kept: (c) => c.database?.instanceClass,
    denotes: (raw, base) => (base.database ? word(name, raw) : undefined),
    allowed: (raw, base) => databaseClassProblem(base.database === 'postgres' ? 'postgres' : 'mysql', word(name, raw)) === undefined,
  }),
  'database-storage': (name) => ({ ...integer(20, 65536, (c) => c.database?.storageGiB)(name), denotes: (raw, base) => (base.database ? Number(word(name, raw)) : undefined) }),
  'database-multi-az': (name) => ({
    ...oneOf(['production', 'true', 'false'], (c) => c.database?.multiAz)(name),
    denotes: (raw, base) => (base.database ? (word(name, raw) === 'production' ? base.environment === 'production' : word(name, raw) === 'true') : undefined),
  }),
  // Read by previews only: checked on every run, kept nowhere else.
  'preview-database': (name) => ({ ...oneOf(['own', 'staging', 'none'], () => undefined)(name), denotes: () => undefined }),
  'release-command': text(fc.constantFrom('python manage.py migrate --noinput', 'bin/rails db:migrate', './release.sh && echo "done"', 'x'.repeat(5000)), (c) => c.releaseCommand?.command),
  'release-timeout-minutes': (name) => ({ ...integer(1, 180, () => undefined)(name), denotes: () => undefined }),
  // One `EXPRESSION COMMAND` a line: accepted, each line is its expression and the rest, trimmed.
  schedules: (name) => ({
    valid: joined(fc.tuple(fc.constantFrom('rate(1 hour)', 'rate(15 minutes)', 'rate(1 hours)', 'cron(0 3 * * ? *)', 'cron(0 3 * * * *)', 'cron(0 9 ? * MON-FRI *)', 'at(2030-01-01T00:00:00)', '0 3 * * *'), fc.oneof(NOISE, fc.constantFrom('./nightly', 'python manage.py clearsessions', '"quoted; $(id)"', ''))).map(([expression, command]) => `${expression} ${command}`), ['\n', '\r\n']),
    kept: (c) => c.schedules,
    denotes: (raw) => (raw === '' ? (defaultOf(name) ?? '') : raw).split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '').map((line) => {
      const [, expression = '', command = ''] = /^((?:rate|cron)\([^)]*\))\s+(.*)$/.exec(line) ?? [];
      return { expression, command: command.trim() };
    }),
  }),
  // E-mail addresses and SNS topic ARNs, comma separated or one a line, each once.
  notify: (name) => {
    const isEmail = (item: string) => /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(item) && !/@-|-\.|\.-|-$/.test(item);
    const isTopic = (item: string) => /^arn:aws(-[a-z]+)*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(item);
    const list = (raw: string) => {
      const value = raw === '' ? (defaultOf(name) ?? '') : raw;
      return (value.includes('\n') ? value.split(/\r?\n/) : value.split(',')).map((item) => item.trim()).filter((item) => item !== '');
    };
    return {
      valid: joined(fc.oneof(fc.emailAddress(), fc.constantFrom('oncall@example.com', 'arn:aws:sns:eu-west-1:123456789012:alerts', 'arn:aws:sns:eu-west-1:123456789012:alerts.fifo', 'oncall', 'https://hooks.example.com')), [',', '\n']),
      kept: (c) => c.notify,
      denotes: (raw) => ({ emails: list(raw).filter(isEmail), topics: list(raw).filter(isTopic) }),
      allowed: (raw) => list(raw).every((item) => (isEmail(item) && item.length <= 254) || isTopic(item)) && new Set(list(raw)).size === list(raw).length,
    };
  },
  'log-retention-days': (name) => ({
    valid: padded(fc.oneof(fc.constantFrom(...LOG_RETENTION_DAYS.map(String)), fc.integer({ min: 0, max: 4000 }).map(String), fc.constantFrom('030', '2w', '-1'))),
    kept: (c) => c.logRetentionDays,
    denotes: (raw) => Number(word(name, raw)),
    allowed: (raw) => /^\d+$/.test(word(name, raw)) && (LOG_RETENTION_DAYS as readonly number[]).includes(Number(word(name, raw))),
  }),
  // An age (s, m, h, d) or an ISO 8601 timestamp: the logs' window.
  since: (name) => ({
    valid: padded(fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 9_999_999 }), fc.constantFrom('s', 'm', 'h', 'd', 'w', 'M', '')).map(([n, unit]) => `${n}${unit}`),
      fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((date) => date.toISOString()),
      fc.constantFrom('2026-05-01', '2026-05-01T12:00Z', '2026-13-01T00:00:00Z', 'yesterday', '1h ago', 'now'),
    )),
    kept: (c) => c.logs.sinceMs ?? c.logs.sinceAt,
    denotes: (raw) => {
      const age = /^(\d+)([smhd])$/.exec(word(name, raw));
      return age ? Number(age[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[age[2] as 's' | 'm' | 'h' | 'd'] : Date.parse(word(name, raw));
    },
    // A timestamp is ISO 8601 and nothing after it: Date.parse alone also reads "2026-05-01#".
    allowed: (raw) => /^\d{1,6}[smhd]$/.test(word(name, raw)) || (ISO_TIMESTAMP.test(word(name, raw)) && !Number.isNaN(Date.parse(word(name, raw)))),
  }),
  release: text(fc.oneof(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/), fc.constantFrom('v1.4.2', '.hidden', 'a/b')), (c) => c.logs.release),
  process: (name) => ({
    valid: padded(fc.constantFrom('web', 'worker', 'boot', 'WEB', 'mail-sender', 'a_b', '')),
    kept: (c) => c.logs.process,
    denotes: (raw) => word(name, raw) || undefined,
    allowed: (raw) => word(name, raw) === '' || PROCESS_LABEL.test(word(name, raw)),
  }),
  // NAME=COMMAND lines: a DNS label other than web, boot, release or schedule, each once; a command of one printable line.
  processes: (name) => ({
    valid: joined(fc.tuple(PROCESS_NAMES, COMMANDS_OF_PROCESSES).map(([process, command]) => `${process}=${command}`), ['\n', '\r\n']),
    kept: (c) => c.processes.map((process) => [process.name, process.command]),
    denotes: (raw) => processLines(name, raw).map((line) => [line.name, line.value.trim()]),
    allowed: (raw) => {
      const lines = processLines(name, raw);
      return lines.length <= 10 && new Set(lines.map((line) => line.name)).size === lines.length && lines.every((line) => line.named && isProcessName(line.name) && isCommand(line.value));
    },
  }),
  // NAME=COUNT or NAME=MIN-MAX, optionally an instance type of t3.small's architecture, for a process of processes.
  'processes-sizes': (name) => ({
    valid: joined(fc.tuple(fc.constantFrom('worker', 'mailer', 'Worker'), fc.constantFrom('2', '1-4', '0', '4-2', '101', '2 c7i.large', '1-3 m7g.large', '2 T3.LARGE', 'two', '')).map(([process, size]) => `${process}=${size}`), ['\n']),
    kept: (c) => c.processes.map((process) => process.capacity),
    denotes: (raw, base) => workers(base).map(() => {
      const size = processLines(name, raw)[0]?.value.trim();
      const [range = '1', type = 't3.small'] = size ? size.split(/\s+/) : [];
      const [min, max = min] = range.split('-').map(Number);
      return { instanceType: type, minSize: min, desiredSize: min, maxSize: max, cpuTarget: 70 };
    }),
    allowed: (raw, base) => {
      const lines = processLines(name, raw);
      if (lines.length === 0) return true;
      const match = /^(\d{1,3})(?:-(\d{1,3}))?(?:\s+([a-z][a-z0-9-]*\.[a-z0-9]+))?$/.exec(lines[0]!.value.trim());
      const [min, max] = [Number(match?.[1]), Number(match?.[2] ?? match?.[1])];
      return lines.length === 1 && workers(base).includes(lines[0]!.name) && match !== null && min >= 1 && min <= max && max <= 100 && !/^[a-z]+\d+g/.test(match[3] ?? '');
    },
  }),
  'processes-health': (name) => ({
    valid: joined(fc.tuple(fc.constantFrom('worker', 'mailer'), COMMANDS_OF_PROCESSES).map(([process, command]) => `${process}=${command}`), ['\n']),
    kept: (c) => c.processes.map((process) => process.health),
    denotes: (raw, base) => workers(base).map(() => processLines(name, raw)[0]?.value.trim() || undefined),
    allowed: (raw, base) => {
      const lines = processLines(name, raw);
      return lines.length === 0 || (lines.length === 1 && workers(base).includes(lines[0]!.name) && isCommand(lines[0]!.value));
    },
  }),
  // Less than signal-timeout-minutes (10 by default): a process must have time to stay up.
  'processes-grace-seconds': integer(5, 600, (c) => c.processGraceSeconds, (value) => value < 600),
  filter: text(fc.constantFrom('ERROR', '"status=500"', '{ $.level = "error" }', '[ip, user, status=5*]', '?ERROR ?WARN'), (c) => c.logs.filter),
};

const PROCESS_LABEL = /^[a-z](?:[a-z0-9-]{0,18}[a-z0-9])?$/;
const isProcessName = (value: string) => PROCESS_LABEL.test(value) && !['web', 'boot', 'release', 'schedule'].includes(value);
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const isCommand = (value: string) => value.trim() !== '' && value.trim().length <= 1024 && !/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value) && !value.trim().endsWith('\\');
const PROCESS_NAMES = fc.constantFrom('worker', 'mail-sender', 'web', 'boot', 'release', 'schedule', 'Worker', '1st', 'a-', 'x'.repeat(21), '', 'worker');
const COMMANDS_OF_PROCESSES = fc.oneof(NOISE, fc.constantFrom('celery -A shop worker', ' spaced ', '', 'continued \\', 'tab\there', '$(id) "x"', 'x'.repeat(1100)));
/** The processes of a starting point. */
const workers = (base: Inputs) => (base.processes ? ['worker'] : []);

/** The NAME=VALUE lines of a processes input, comments and blank lines skipped. */
function processLines(name: string, raw: string): { name: string; value: string; named: boolean }[] {
  const text = raw === '' ? (defaultOf(name) ?? '') : raw;
  return text.split(/\r?\n/).filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#')).map((line) => ({ name: line.slice(0, Math.max(0, line.indexOf('='))).trim(), value: line.slice(line.indexOf('=') + 1), named: line.includes('=') }));
}

/** ISO 8601 as `since` takes it: a date, optionally a time, optionally a zone. */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Counterexamples fast-check once found in readConfig, checked on every run since. */
const FOUND: Record<string, readonly string[]> = {
  environment: ['a'.repeat(44)],
  'registry-username': ['\u0000'],
  'min-size': ['2'],
  since: ['2026-05-01#'],
};

/** A refusal says what would be accepted, not only that the value is wrong. */
const SAYS_WHAT_IS_ALLOWED = /\buse\b|e\.g\.|\ballowed\b|\bonly\b|\bat most\b|\bchoose\b|\bshorten\b|KEY=VALUE|\btwice\b|sets itself/;

const SECRET_INPUTS = new Set(INPUTS.filter((input) => input.secret).map((input) => input.name));

let counter: RequestCounter;
const AWS_VARIABLES = ['AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
const saved = AWS_VARIABLES.map((variable) => [variable, process.env[variable]] as const);

before(async () => {
  counter = await startRequestCounter();
  // Were anything on the way to reach for AWS, it would land here.
  Object.assign(process.env, { AWS_ENDPOINT_URL: counter.url, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' });
});

after(async () => {
  for (const [variable, value] of saved) {
    if (value === undefined) delete process.env[variable];
    else process.env[variable] = value;
  }
  await counter.close();
});

describe('arbitrary input: kept as written or refused naming the input', () => {
  test('every input of the action is fuzzed', () => {
    assert.deepEqual(Object.keys(SPECS).sort(), INPUTS.map((input) => input.name).sort());
  });

  let cases = 0;
  for (const { name } of INPUTS) {
    test(`${name}: ${RUNS_PER_INPUT} arbitrary values`, (t) => {
      const spec = SPECS[name]!(name);
      let accepted = 0;
      let refused = 0;
      fc.assert(
        fc.property(fc.constantFrom(...BASELINES), arbitraryValue(spec.valid), (base, raw) => {
          cases += 1;
          let config: Config;
          try {
            config = configOf({ ...base, [name]: raw });
          } catch (error) {
            assert.ok(error instanceof ConfigurationError, `only a ConfigurationError, not ${String(error)}`);
            assert.ok(error.errors.length > 0);
            for (const problem of error.errors) {
              assert.equal(problem.input, name, `the error names ${name}: ${error.message}`);
              assert.match(problem.message, SAYS_WHAT_IS_ALLOWED, `the error says what is allowed: ${error.message}`);
            }
            if (SECRET_INPUTS.has(name) && raw.trim().length >= 6) assert.ok(!error.message.includes(raw.trim()), 'a secret is never printed');
            if (spec.allowed) assert.equal(spec.allowed(raw, base), false, `refused an allowed value: ${error.message}`);
            refused += 1;
            return;
          }
          if (spec.allowed) assert.equal(spec.allowed(raw, base), true, 'accepted a value that is not allowed');
          assert.deepEqual(spec.kept(config), spec.denotes(raw, base));
          accepted += 1;
        }),
        { numRuns: RUNS_PER_INPUT, examples: (FOUND[name] ?? []).map((raw): [Inputs, string] => [BASELINES[0]!, raw]) },
      );
      t.diagnostic(`${name}: ${accepted + refused} cases, ${accepted} accepted, ${refused} refused`);
      // Both outcomes must be reached, or the property checked only half of its promise.
      assert.ok(accepted > 0, 'some values accepted');
      if (name !== 'github-token') assert.ok(refused > 0, 'some values refused');
    });
  }

  test('no case reached AWS', (t) => {
    t.diagnostic(`${cases} cases in all, ${counter.count()} requests to the AWS endpoint`);
    assert.ok(cases >= INPUTS.length * RUNS_PER_INPUT);
    assert.deepEqual(counter.requests(), []);
  });
});

describe('the request counter', () => {
  test('counts what an SDK client sends to AWS_ENDPOINT_URL, so that a count of 0 means no request', async () => {
    const earlier = counter.count();
    await assert.rejects(new STSClient({ maxAttempts: 1 }).send(new GetCallerIdentityCommand({})));
    assert.equal(counter.count(), earlier + 1);
  });
});
