import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigurationError } from '../../src/config/read-config.js';
import { configOf } from '../support/config.js';

/** Each bad value, the input its error must name, and words of what is allowed. */
const BAD: ReadonlyArray<readonly [Record<string, string>, string, RegExp]> = [
  [{ command: 'apply' }, 'command', /use one of plan, deploy, rollback, promote, destroy, logs, status, exec/],
  [{ 'log-retention-days': '10' }, 'log-retention-days', /one of 1, 3, 5, 7, 14, 30, 60/],
  [{ 'log-retention-days': 'forever' }, 'log-retention-days', /one of 1, 3/],
  [{ command: 'logs', since: 'yesterday' }, 'since', /an age such as 30s, 10m, 2h or 7d, or a timestamp/],
  [{ command: 'logs', since: '2h ago' }, 'since', /an age/],
  [{ command: 'logs', since: '2026-13-45T00:00:00Z' }, 'since', /a timestamp such as 2026-05-01T12:00:00Z/],
  [{ command: 'logs', release: 'feature/login' }, 'release', /a release version/],
  [{ command: 'logs', process: 'Worker!' }, 'process', /name web, boot, release \(the release command\), schedule \(the schedules' runs\) or a process of processes/],
  [{ command: 'logs', filter: 'ERROR\u0000' }, 'filter', /filter pattern of at most 1024 printable characters/],
  [{ command: 'logs', filter: 'x'.repeat(1025) }, 'filter', /at most 1024/],
  [{ command: 'promote' }, 'command', /only for strategy blue-green/],
  [{ database: 'postgresql' }, 'database', /use one of none, postgres, mysql/],
  [{ database: 'postgres', 'database-class': 'db.serverless' }, 'database-class', /Aurora Serverless, not a class of RDS for PostgreSQL/],
  [{ database: 'postgres', 'database-class': 'db.x2iezn.2xlarge' }, 'database-class', /not a class RDS for PostgreSQL runs/],
  [{ database: 'mysql', 'database-class': 'db.t2.micro' }, 'database-class', /not a class RDS for MySQL runs: use .*db\.t4g\.micro/],
  [{ database: 'postgres', 'database-class': 't4g.micro' }, 'database-class', /not an RDS instance class/],
  [{ database: 'postgres', 'database-class': 'db.m7g.micro' }, 'database-class', /size the m7g family does not come in/],
  [{ database: 'postgres', 'database-storage': '10' }, 'database-storage', /20 to 65536/],
  [{ database: 'postgres', 'database-multi-az': 'yes' }, 'database-multi-az', /production, true, false/],
  [{ 'preview-database': 'shared' }, 'preview-database', /own, staging, none/],
  [{ 'release-command': 'python manage.py migrate\nrm -rf /' }, 'release-command', /one line of at most 4096 printable characters/],
  [{ processes: 'Worker=celery -A shop worker' }, 'processes', /a DNS label other than web, boot, release, schedule/],
  [{ processes: 'web=gunicorn shop.wsgi' }, 'processes', /a DNS label other than web, boot, release, schedule/],
  [{ processes: 'worker=celery -A shop worker \\\n  --concurrency 4' }, 'processes', /a command cannot span lines/],
  [{ processes: 'worker=celery -A shop worker\nworker=rq worker' }, 'processes', /names worker twice/],
  [{ processes: 'worker=run\u0007' }, 'processes', /one line of at most 1024 printable characters/],
  [{ processes: 'worker=run', 'processes-sizes': 'mailer=2' }, 'processes-sizes', /names mailer, which is not in processes: use the name of one of processes \(worker\)/],
  [{ processes: 'worker=run', 'processes-sizes': 'worker=4-2' }, 'processes-sizes', /NAME=MIN-MAX \(1 <= MIN <= MAX <= 100\)/],
  [{ processes: 'worker=run', 'processes-sizes': 'worker=2 m7g.large' }, 'processes-sizes', /another architecture \(arm64\) than instance-type t3.small/],
  [{ processes: 'worker=run', 'processes-health': 'mailer=true' }, 'processes-health', /names mailer, which is not in processes/],
  [{ processes: 'worker=run', 'processes-grace-seconds': '600' }, 'processes-grace-seconds', /with signal-timeout-minutes 10/],
  [{ 'release-timeout-minutes': '0' }, 'release-timeout-minutes', /1 to 180/],
  [{ 'destroy-database': 'yes' }, 'destroy-database', /true or false/],
  [{ database: 'postgres', 'environment-variables': 'DATABASE_URL=postgres://elsewhere' }, 'environment-variables', /sets DATABASE_URL, which the action sets itself with database/],
  [{ database: 'mysql', secrets: 'DATABASE_PASSWORD=db-password' }, 'secrets', /sets DATABASE_PASSWORD, which the action sets itself with database/],
  [{ environment: 'database' }, 'environment', /database stacks .* would collide/],
  [{ version: 'database' }, 'version', /names a kind of stack/],
  [{ 'application-name': '' }, 'application-name', /is required/],
  [{ 'application-name': 'Awesome' }, 'application-name', /lowercase letters, digits and hyphens/],
  [{ 'application-name': 'my_app' }, 'application-name', /lowercase letters/],
  [{ 'application-name': '1app' }, 'application-name', /starting with a letter/],
  [{ 'application-name': 'app-' }, 'application-name', /not ending with a hyphen/],
  [{ 'application-name': 'a'.repeat(29) }, 'application-name', /1 to 28/],
  [{ 'application-port': '0' }, 'application-port', /1 to 65535/],
  [{ 'application-port': '65536' }, 'application-port', /1 to 65535/],
  [{ 'application-port': '80.5' }, 'application-port', /whole number/],
  [{ 'application-port': '8080; id' }, 'application-port', /whole number/],
  [{ 'hosted-zone': '' }, 'hosted-zone', /is required/],
  [{ 'hosted-zone': 'localhost' }, 'hosted-zone', /domain name/],
  [{ 'hosted-zone': 'https://example.com' }, 'hosted-zone', /domain name/],
  [{ 'hosted-zone': 'exa mple.com' }, 'hosted-zone', /domain name/],
  [{ strategy: 'canary' }, 'strategy', /rolling, blue-green/],
  [{ environment: 'Production' }, 'environment', /single word of at most 16 lowercase letters/],
  [{ environment: 'base' }, 'environment', /reserved/],
  [{ environment: 'resources' }, 'environment', /would collide/],
  [{ environment: 'eu-resources' }, 'environment', /single word/],
  [{ 'application-name': 'wimpy' }, 'application-name', /reserved for the account baseline/],
  [{ environment: 'averylongenvironmentname' }, 'environment', /at most 16/],
  [{ version: 'feature/login' }, 'version', /image tag/],
  [{ version: '-rc1' }, 'version', /not starting with \. or -/],
  [{ version: 'x'.repeat(129) }, 'version', /1 to 128/],
  [{ steps: 'build,test' }, 'steps', /subset of environment, build, deploy/],
  [{ steps: ',' }, 'steps', /subset/],
  [{ 'timeout-minutes': '0' }, 'timeout-minutes', /1 to 360/],
  [{ 'allowed-account-ids': '12345' }, 'allowed-account-ids', /12 digits/],
  [{ dockerfile: '/etc/passwd' }, 'dockerfile', /inside the repository/],
  [{ context: '../other' }, 'context', /without \.\./],
  [{ dockerfile: '--help' }, 'dockerfile', /inside the repository/],
  [{ 'build-args': 'NOEQUALS' }, 'build-args', /KEY=VALUE/],
  [{ 'build-args': '1X=2' }, 'build-args', /name that is not allowed/],
  [{ target: 'build stage' }, 'target', /stage name/],
  [{ platform: 'amd64' }, 'platform', /os\/architecture/],
  [{ registry: 'https://ghcr.io' }, 'registry', /without a scheme/],
  [{ 'registry-username': 'me' }, 'registry-username', /only used with registry/],
  [{ image: 'UPPER/case:tag' }, 'image', /repository\[:tag\]/],
  [{ 'keep-images': '0' }, 'keep-images', /1 to 1000/],
  [{ 'instance-type': 'small' }, 'instance-type', /EC2 instance type/],
  [{ 'desired-size': '2', 'max-size': '4', 'min-size': '3' }, 'min-size', /min-size <= desired-size <= max-size/],
  [{ 'desired-size': '5', 'max-size': '2' }, 'desired-size', /min-size <= desired-size <= max-size/],
  [{ 'max-size': '-1' }, 'max-size', /whole number/],
  [{ 'cpu-target': '101' }, 'cpu-target', /1 to 100/],
  [{ 'health-check-path': 'health' }, 'health-check-path', /starting with \//],
  [{ 'health-check-path': '/health check' }, 'health-check-path', /starting with \//],
  [{ 'signal-timeout-minutes': '61' }, 'signal-timeout-minutes', /1 to 60/],
  [{ 'environment-variables': 'PORT=80' }, 'environment-variables', /which the action sets itself/],
  [{ 'environment-variables': 'A=1\nA=2' }, 'environment-variables', /sets A twice/],
  [{ 'environment-variables': 'A=\u0007bell' }, 'environment-variables', /control character/],
  [{ secrets: 'DB=/other-app/staging/password' }, 'secrets', /under \/awesome-application\/staging\//],
  [{ secrets: 'DB=../../x' }, 'secrets', /SSM parameter/],
  [{ 'verify-url': 'yes' }, 'verify-url', /true or false/],
  [{ 'dns-ttl': '30' }, 'dns-ttl', /60 to 86400/],
  [{ 'canary-steps': '50,10,100' }, 'canary-steps', /ascending percentages/],
  [{ 'canary-steps': '10,150' }, 'canary-steps', /from 1 to 100/],
  [{ 'canary-steps': '10%,100' }, 'canary-steps', /ascending percentages/],
  [{ 'step-wait': '1h' }, 'step-wait', /whole number/],
  [{ 'alarm-names': 'x'.repeat(256) }, 'alarm-names', /CloudWatch alarm name/],
  [{ 'keep-releases': '6' }, 'keep-releases', /0 to 5/],
  [{ 'preview-ttl': '1w' }, 'preview-ttl', /48h or 7d/],
  [{ cloudtrail: 'off' }, 'cloudtrail', /true or false/],
  [{ nat: 'none' }, 'nat', /gateway, instance/],
  [{ 'preview-capacity': 'reserved' }, 'preview-capacity', /preview-capacity: "reserved" is not allowed: use one of spot, on-demand/],
  [{ 'destroy-environment': '1' }, 'destroy-environment', /true or false/],
];

describe('a bad value is refused, naming the input and what is allowed', () => {
  test(`the table holds at least 30 bad values (${BAD.length})`, () => {
    assert.ok(BAD.length >= 30);
  });

  for (const [inputs, input, allowed] of BAD) {
    const [name, value] = Object.entries(inputs).at(-1)!;
    test(`${name}: ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`, () => {
      assert.throws(() => configOf(inputs), (error: unknown) => {
        assert.ok(error instanceof ConfigurationError, 'a ConfigurationError');
        const named = error.errors.find((e) => e.input === input);
        assert.ok(named, `an error names ${input}: ${error.message}`);
        assert.match(error.message, allowed);
        return true;
      });
    });
  }
});

describe('the egress input', () => {
  test('all by default; a list of names, ports and ranges always includes HTTPS', () => {
    assert.equal(configOf({}).egress, 'all');
    assert.deepEqual(configOf({ egress: 'http, 5432,6379,8000-8100' }).egress, [{ from: 443, to: 443 }, { from: 80, to: 80 }, { from: 5432, to: 5432 }, { from: 6379, to: 6379 }, { from: 8000, to: 8100 }]);
  });

  for (const bad of ['smtp', '0', '70000', '9000-8000', 'all,5432']) {
    test(`refuses ${bad}, naming the input and what it allows`, () => {
      assert.throws(() => configOf({ egress: bad }), /egress.*is not allowed: use all, or a comma-separated list of https, http, TCP ports/s);
    });
  }
});
