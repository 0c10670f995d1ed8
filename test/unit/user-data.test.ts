import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMAND_RUNNER_SCRIPT, DATABASE_READER_SCRIPT, SCRIPT_VALUES, SECRETS_READER_SCRIPT, encodeSecrets, encodeVariables, processDigest, processMetadata, userData } from '../../src/platforms/ec2/user-data.js';
import { shellQuote } from '../../src/platforms/shell.js';
import type { ProcessRun, UserDataInput } from '../../src/platforms/ec2/user-data.js';
import { MAX_PARAMETER_LENGTH } from '../../src/platforms/ec2/release-template.js';
import type { SecretRef, Variable } from '../../src/config/types.js';

const INPUT: UserDataInput = { application: 'awesome-application', environment: 'staging', logEnvironment: 'staging', port: 8080, healthCheckPath: '/health', signalTimeoutMinutes: 10 };
const ECR_IMAGE = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/awesome-application:v1@sha256:${'a'.repeat(64)}`;

/** Values that would break a script that pasted them into shell code. */
const HOSTILE: Variable[] = [
  { name: 'COMMAND', value: '$(id)' },
  { name: 'BACKTICKS', value: '`id`' },
  { name: 'QUOTE_BREAK', value: '"; rm -rf /' },
  { name: 'QUOTED', value: "'quoted'" },
  { name: 'LIST', value: 'a=b,c' },
  { name: 'CDATA', value: ']]>' },
  { name: 'SUBSTITUTION', value: '${AWS::Region} ${!x} $HOME' },
  { name: 'SPACES', value: '  two words  ' },
  { name: 'EMPTY', value: '' },
];

interface Release {
  readonly image?: string;
  readonly registry?: string;
  readonly variables?: readonly Variable[];
  readonly secrets?: readonly SecretRef[];
  /** Fn::Sub values to use as they are, over those the release implies. */
  readonly raw?: Readonly<Record<string, string>>;
}

/** What CloudFormation's Fn::Sub makes of the script: `${!x}` is the literal `${x}`, `${x}` the value. */
function resolveSub(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{(!?)([^}]*)\}/g, (_, literal: string, name: string) => {
    if (literal) return `\${${name}}`;
    const value = values[name];
    if (value === undefined) throw new Error(`Fn::Sub has no value for \${${name}}`);
    return value;
  });
}

/** The script an instance runs, for one release. */
function rendered(release: Release = {}, input: UserDataInput = INPUT): string {
  const image = release.image ?? ECR_IMAGE;
  return resolveSub(userData(input), {
    [SCRIPT_VALUES.image]: image,
    [SCRIPT_VALUES.registry]: release.registry ?? image.split('/')[0]!,
    [SCRIPT_VALUES.variables]: encodeVariables(release.variables ?? []),
    [SCRIPT_VALUES.secrets]: encodeSecrets(release.secrets ?? []),
    [SCRIPT_VALUES.kmsMasterKey]: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    [SCRIPT_VALUES.storageBucket]: 'wimpy-storage-123456789012-eu-west-1',
    [SCRIPT_VALUES.logGroup]: '/wimpy/staging/awesome-application',
    [SCRIPT_VALUES.version]: 'v1.4.2',
    'AWS::Region': 'eu-west-1',
    'AWS::StackName': 'awesome-application-staging',
    ...release.raw,
  });
}

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly dir: string;
  /** Every command the stubs saw, one a line. */
  readonly calls: string[];
}

/**
 * Sources the script in a temporary folder, with its paths moved there and the machine's
 * commands (dnf, systemctl, docker, aws, curl, cfn-signal) replaced by stubs that record their
 * arguments, then runs `steps`.
 */
function sandbox(script: string, steps: string, stubs = ''): Run {
  const dir = mkdtempSync(join(tmpdir(), 'user-data-'));
  writeFileSync(join(dir, 'user-data.sh'), script);
  writeFileSync(join(dir, 'cfn-signal'), '#!/bin/bash\necho "cfn-signal $*" >>"$(dirname "$0")/calls"\n');
  chmodSync(join(dir, 'cfn-signal'), 0o755);
  writeFileSync(join(dir, 'run.sh'), `
source "$1/user-data.sh"
conf_dir="$1/etc"
reader="$1/bin/wimpy-read-secrets"
runner="$1/bin/wimpy-run-command"
unit_dir="$1/systemd"
cfn_signal="$1/cfn-signal"
calls="$1/calls"
dnf() { echo "dnf $*" >>"$calls"; }
systemctl() { echo "systemctl $*" >>"$calls"; }
# Like the real one, a login reads its password from stdin; the writer would get SIGPIPE otherwise.
docker() { echo "docker $*" >>"$calls"; if [[ $* == *--password-stdin* ]]; then cat >/dev/null; fi; }
aws() { echo "aws $*" >>"$calls"; echo ecr-token; }
curl() { echo "curl $*" >>"$calls"; printf 200; }
sleep() { command sleep 0.1; }
${stubs}
${steps}
`);
  const result = spawnSync('bash', [join(dir, 'run.sh'), dir], { encoding: 'utf8', timeout: 30_000 });
  const calls = existsSync(join(dir, 'calls')) ? readFileSync(join(dir, 'calls'), 'utf8').split('\n').filter((line) => line !== '') : [];
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, dir, calls };
}

function shellcheck(script: string): { status: number | null; output: string } {
  const result = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '-'], { input: script, encoding: 'utf8' });
  if (result.error) assert.fail(`shellcheck is not installed (${result.error.message}): install it with apt-get install shellcheck, as test/support/services.sh does`);
  return { status: result.status, output: result.stdout + result.stderr };
}

/** The database stack's exports, as the application stack imports them. */
const DATABASE_VALUES = {
  [SCRIPT_VALUES.databaseHost]: 'awesome-db.abcdefghij.eu-west-1.rds.amazonaws.com',
  [SCRIPT_VALUES.databasePort]: '5432',
  [SCRIPT_VALUES.databaseName]: 'awesome_application',
  [SCRIPT_VALUES.databaseSecret]: 'awesome-application-staging-database/master-0123456789ab',
};

describe('the user data of an application with a database', () => {
  const script = () => rendered({ raw: DATABASE_VALUES }, { ...INPUT, databaseScheme: 'postgres' });

  test('the boot script and the database reader are clean under shellcheck', () => {
    for (const text of [script(), DATABASE_READER_SCRIPT]) {
      const result = shellcheck(text);
      assert.equal(result.output, '');
      assert.equal(result.status, 0);
    }
  });

  test('the container reads its database variables at every start, after its secrets', () => {
    const run = sandbox(script(), 'database_reader="$1/bin/wimpy-read-database"; write_configuration; write_service; cat "$unit_dir/wimpy-app.service"');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /ExecStartPre=\/usr\/local\/sbin\/wimpy-read-secrets .*\nExecStartPre=\/usr\/local\/sbin\/wimpy-read-database \/etc\/wimpy\/database.conf \/run\/wimpy\/database.env \$\{REGION\}\n/);
    assert.match(run.stdout, /--env-file \/run\/wimpy\/secrets.env --env-file \/run\/wimpy\/database.env /);
    assert.equal(readFileSync(join(run.dir, 'bin/wimpy-read-database'), 'utf8'), DATABASE_READER_SCRIPT);
    assert.equal(readFileSync(join(run.dir, 'etc/database.conf'), 'utf8'), `postgres ${Object.values(DATABASE_VALUES).join(' ')}\n`);
  });

  test('the reader gives DATABASE_URL and its parts, the password never in a command\'s arguments', () => {
    const dir = mkdtempSync(join(tmpdir(), 'database-reader-'));
    const password = 'p@ss:w/rd%?#';
    writeFileSync(join(dir, 'database.conf'), `mysql db.example.internal 3306 shop shop-staging-database/master-abc\n`);
    writeFileSync(join(dir, 'reader'), DATABASE_READER_SCRIPT);
    writeFileSync(join(dir, 'bin-aws'), `#!/bin/bash\necho "$*" >>"${dir}/calls"\necho '${JSON.stringify({ username: 'application', password })}'\n`);
    const result = spawnSync('bash', ['-c', `mkdir -p "${dir}/bin" && cp "${dir}/bin-aws" "${dir}/bin/aws" && chmod +x "${dir}/bin/aws" && PATH="${dir}/bin:$PATH" bash "${dir}/reader" "${dir}/database.conf" "${dir}/database.env" eu-west-1`], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(readFileSync(join(dir, 'database.env'), 'utf8'), [
      `DATABASE_URL=mysql://application:${encodeURIComponent(password).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}@db.example.internal:3306/shop`,
      'DATABASE_HOST=db.example.internal',
      'DATABASE_PORT=3306',
      'DATABASE_NAME=shop',
      'DATABASE_USER=application',
      `DATABASE_PASSWORD=${password}`,
      '',
    ].join('\n'));
    const calls = readFileSync(join(dir, 'calls'), 'utf8');
    assert.equal(calls, 'secretsmanager get-secret-value --region eu-west-1 --secret-id shop-staging-database/master-abc --query SecretString --output text\n');
    assert.ok(!calls.includes(password) && !result.stdout.includes(password) && !result.stderr.includes(password));
  });

  test('without a database the script reads none', () => {
    assert.doesNotMatch(rendered(), /wimpy-read-database|database\.env/);
  });
});

describe('the user data of the instances', () => {
  test('the boot script is clean under shellcheck', () => {
    const result = shellcheck(rendered({ variables: HOSTILE, secrets: [{ name: 'DB_PASSWORD', parameter: '/awesome-application/staging/db-password' }] }));
    assert.equal(result.output, '');
    assert.equal(result.status, 0);
  });

  test('the secrets reader the script installs is clean under shellcheck', () => {
    const result = shellcheck(SECRETS_READER_SCRIPT);
    assert.equal(result.output, '');
    assert.equal(result.status, 0);
  });

  test('CloudFormation substitutes only the references the script means; every other ${ is escaped', () => {
    const references = new Set([...userData({ ...INPUT, databaseScheme: 'postgres' }).matchAll(/\$\{(?!!)([^}]*)\}/g)].map((match) => match[1]));
    assert.deepEqual(references, new Set([...Object.values(SCRIPT_VALUES), 'AWS::Region', 'AWS::StackName']));
    const withoutDatabase = new Set([...userData(INPUT).matchAll(/\$\{(?!!)([^}]*)\}/g)].map((match) => match[1]));
    assert.ok(![...withoutDatabase].some((name) => name?.startsWith('Database')), 'no database value without a database');
  });

  test('environment values reach the env file exactly, whatever characters they hold', () => {
    const run = sandbox(rendered({ variables: HOSTILE }), 'write_configuration');
    assert.equal(run.status, 0, run.stderr);
    const expected = [
      'ENVIRONMENT=staging',
      'PORT=8080',
      'DOCKER_REGISTRY=123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      'KMS_MASTER_KEY=arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      'S3_BUCKET=wimpy-storage-123456789012-eu-west-1',
      ...HOSTILE.map((variable) => `${variable.name}=${variable.value}`),
    ];
    assert.equal(readFileSync(join(run.dir, 'etc', 'app.env'), 'utf8'), expected.map((line) => `${line}\n`).join(''));
    assert.deepEqual(run.calls, [], 'writing the environment runs no command');
    rmSync(run.dir, { recursive: true });
  });

  test('the env file and the configuration folder are readable by root alone', () => {
    const run = sandbox(rendered({ variables: HOSTILE }), 'write_configuration');
    assert.equal(statSync(join(run.dir, 'etc')).mode & 0o777, 0o700);
    for (const file of ['app.env', 'secrets.list', 'unit.env']) assert.equal(statSync(join(run.dir, 'etc', file)).mode & 0o777, 0o600, file);
    rmSync(run.dir, { recursive: true });
  });

  test('user values never change the script: they appear in it only base64-encoded', () => {
    const harmless = rendered({ variables: HOSTILE.map((variable) => ({ name: variable.name, value: 'x' })) }).split('\n');
    const hostile = rendered({ variables: HOSTILE }).split('\n');
    const differing = hostile.filter((line, i) => line !== harmless[i]);
    assert.deepEqual(differing, [`variables='${encodeVariables(HOSTILE)}'`]);
    assert.equal(hostile.length, harmless.length);
  });

  test('values fixed in the template are single-quoted: a hostile health check path is read back exactly and runs nothing', () => {
    const path = `/h'$(touch pwned)\`touch pwned\`\${AWS::Region}"`;
    const run = sandbox(rendered({}, { ...INPUT, healthCheckPath: path }), 'cd "$1" && printf %s "$health_url" > health-url');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(readFileSync(join(run.dir, 'health-url'), 'utf8'), `http://localhost:8080${path}`);
    assert.equal(existsSync(join(run.dir, 'pwned')), false);
    rmSync(run.dir, { recursive: true });
  });

  test('the image is pulled by digest, after a login to ECR with the instance role', () => {
    const run = sandbox(rendered(), 'pull_image');
    assert.equal(run.status, 0, run.stderr);
    // The login is a pipeline: its two commands start together, in no fixed order.
    assert.deepEqual(run.calls.slice(0, 2).sort(), [
      'aws ecr get-login-password --region eu-west-1',
      'docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    ]);
    assert.deepEqual(run.calls.slice(2), [`docker pull ${ECR_IMAGE}`]);
    rmSync(run.dir, { recursive: true });
  });

  test('an image outside ECR is pulled without any login', () => {
    const image = `ghcr.io/wimpy/app@sha256:${'b'.repeat(64)}`;
    const run = sandbox(rendered({ image }), 'pull_image');
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.calls, [`docker pull ${image}`]);
    rmSync(run.dir, { recursive: true });
  });

  test('an image that is not pinned by digest is refused before anything is pulled', () => {
    const run = sandbox(rendered({ image: 'ghcr.io/wimpy/app:latest' }), 'pull_image');
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /not pinned by digest/);
    assert.deepEqual(run.calls, []);
    rmSync(run.dir, { recursive: true });
  });

  test('the container runs under systemd, restarted always, with its secrets from /run, its port published and its logs in CloudWatch', () => {
    const run = sandbox(rendered(), 'instance_id=i-0abc; write_configuration; write_service');
    assert.equal(run.status, 0, run.stderr);
    const unit = readFileSync(join(run.dir, 'systemd', 'wimpy-app.service'), 'utf8');
    assert.match(unit, /^Restart=always$/m);
    assert.match(unit, /^EnvironmentFile=\/etc\/wimpy\/unit\.env$/m);
    assert.match(unit, /^ExecStartPre=\/usr\/local\/sbin\/wimpy-read-secrets \/etc\/wimpy\/secrets\.list \/run\/wimpy\/secrets\.env \$\{REGION\}$/m);
    assert.match(unit, /^ExecStart=\/usr\/bin\/docker run --rm --name wimpy-app --env-file \/etc\/wimpy\/app\.env --env-file \/run\/wimpy\/secrets\.env -p \$\{PORT\}:\$\{PORT\} --log-driver awslogs --log-opt awslogs-group=\$\{LOG_GROUP\} --log-opt awslogs-stream=\$\{LOG_STREAM\} --log-opt awslogs-region=\$\{REGION\} \$\{IMAGE\}$/m);
    assert.equal(readFileSync(join(run.dir, 'etc', 'unit.env'), 'utf8'), `IMAGE=${ECR_IMAGE}\nPORT=8080\nLOG_GROUP=/wimpy/staging/awesome-application\nLOG_STREAM=staging/v1.4.2/i-0abc/web\nREGION=eu-west-1\n`);
    assert.equal(readFileSync(join(run.dir, 'bin', 'wimpy-read-secrets'), 'utf8'), SECRETS_READER_SCRIPT);
    assert.equal(statSync(join(run.dir, 'bin', 'wimpy-read-secrets')).mode & 0o777, 0o700);
    rmSync(run.dir, { recursive: true });
  });

  test('the instance installs Docker, starts the service and signals success once the health check answers 2xx', () => {
    const upOnSecondTry = 'curl() { echo "curl $*" >>"$calls"; if [[ -e $calls.up ]]; then printf 204; else touch "$calls.up"; printf 503; fi; }';
    const run = sandbox(rendered(), 'main', upOnSecondTry);
    assert.equal(run.status, 0, run.stderr);
    const healthChecks = run.calls.filter((call) => call.startsWith('curl '));
    assert.deepEqual(healthChecks, Array(2).fill("curl --silent --output /dev/null --max-time 4 --write-out %{http_code} http://localhost:8080/health"));
    assert.deepEqual(run.calls.filter((call) => !call.startsWith('curl ') && !call.startsWith('aws ') && !call.startsWith('docker ')), [
      'dnf install -y docker aws-cfn-bootstrap',
      'systemctl enable --now docker',
      'systemctl daemon-reload',
      'systemctl enable --now wimpy-app.service',
      'cfn-signal --success true --reason awesome-application answers http://localhost:8080/health --stack awesome-application-staging --resource AutoScalingGroup --region eu-west-1',
    ]);
    rmSync(run.dir, { recursive: true });
  });

  test('the instance signals failure when the health check does not answer 2xx within the signal timeout', () => {
    const run = sandbox(rendered(), 'signal_timeout_seconds=1; main', 'curl() { printf 500; }');
    assert.notEqual(run.status, 0);
    assert.deepEqual(run.calls.filter((call) => call.startsWith('cfn-signal ')), [
      'cfn-signal --success false --reason awesome-application did not answer http://localhost:8080/health with 2xx within 10 minutes --stack awesome-application-staging --resource AutoScalingGroup --region eu-west-1',
    ]);
    rmSync(run.dir, { recursive: true });
  });

  test('any failing step signals failure at once instead of leaving CloudFormation to time out', () => {
    const run = sandbox(rendered(), 'main', 'docker() { echo "docker $*" >>"$calls"; [[ $1 != pull ]]; }');
    assert.notEqual(run.status, 0);
    assert.equal(run.calls.filter((call) => call.startsWith('docker pull')).length, 5, 'the pull is retried');
    const signals = run.calls.filter((call) => call.startsWith('cfn-signal '));
    assert.equal(signals.length, 1);
    assert.match(signals[0]!, /^cfn-signal --success false --reason The first boot of awesome-application failed \(exit status 1\)/);
    rmSync(run.dir, { recursive: true });
  });

  test('a failed boot sends its boot output and the container\'s start to the log group, in the instance\'s own boot stream, before it signals', () => {
    const stubs = [
      'ec2-metadata() { echo "instance-id: i-0abc"; }',
      'journalctl() { echo "wimpy-app.service: container exited with status 3"; }',
      'docker() { echo "docker $*" >>"$calls"; [[ $1 != pull ]]; }',
      // Keeps the events file the script hands to put-log-events.
      'aws() { echo "aws $*" >>"$calls"; local a; for a in "$@"; do if [[ $a == file://* ]]; then cp "${a#file://}" "$1.events"; fi; done; }',
    ].join('\n');
    const run = sandbox(rendered(), 'boot_log="$1/boot.log"; printf "pulling image\\nmanifest unknown\\n" >"$boot_log"; main', stubs.replace('"$1.events"', '"$calls.events"'));
    assert.notEqual(run.status, 0);
    const stream = 'staging/v1.4.2/i-0abc/boot';
    const logCalls = run.calls.filter((call) => call.startsWith('aws logs ') || call.startsWith('cfn-signal '));
    assert.deepEqual(logCalls.map((call) => call.split(' ').slice(0, 2).join(' ')), ['aws logs', 'aws logs', 'cfn-signal --success']);
    assert.match(logCalls[0]!, new RegExp(`create-log-stream --region eu-west-1 --log-group-name /wimpy/staging/awesome-application --log-stream-name ${stream}$`));
    assert.match(logCalls[1]!, new RegExp(`put-log-events --region eu-west-1 --log-group-name /wimpy/staging/awesome-application --log-stream-name ${stream} --log-events file://`));
    assert.match(logCalls[2]!, new RegExp(`its boot log is in /wimpy/staging/awesome-application, stream ${stream}`));
    const events = JSON.parse(readFileSync(join(run.dir, 'calls.events'), 'utf8')) as { timestamp: number; message: string }[];
    assert.deepEqual(events.map((event) => event.message), ['pulling image', 'manifest unknown', 'wimpy-app.service: container exited with status 3']);
    assert.ok(events.every((event) => Math.abs(event.timestamp - Date.now()) < 60_000));
    rmSync(run.dir, { recursive: true });
  });

  test('secrets are read at boot from SSM Parameter Store into a root-only file, and their values are never printed', () => {
    const secrets: SecretRef[] = [
      { name: 'DB_PASSWORD', parameter: '/awesome-application/staging/db-password' },
      { name: 'API_KEY', parameter: '/awesome-application/staging/api/key' },
    ];
    const fakeAws = [
      'aws() { echo "aws $*" >>"$calls"; case "$*" in',
      "  *db-password*) printf '%s\\n' 's3cr3t $(id) \"quoted\" =x' ;;",
      "  *) printf '%s\\n' 'k3y' ;;",
      'esac; }',
      'export -f aws; export calls',
    ].join('\n');
    const run = sandbox(rendered({ secrets }), `write_configuration; write_service; mkdir -m 0700 "$1/run"; "$reader" "$conf_dir/secrets.list" "$1/run/secrets.env" eu-west-1`, fakeAws);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.calls, secrets.map((secret) => `aws ssm get-parameter --region eu-west-1 --with-decryption --name ${secret.parameter} --query Parameter.Value --output text`));
    assert.equal(readFileSync(join(run.dir, 'run', 'secrets.env'), 'utf8'), 'DB_PASSWORD=s3cr3t $(id) "quoted" =x\nAPI_KEY=k3y\n');
    assert.equal(statSync(join(run.dir, 'run', 'secrets.env')).mode & 0o777, 0o600);
    assert.doesNotMatch(run.stdout + run.stderr, /s3cr3t|k3y/);
    assert.equal(readFileSync(join(run.dir, 'etc', 'secrets.list'), 'utf8'), 'DB_PASSWORD=/awesome-application/staging/db-password\nAPI_KEY=/awesome-application/staging/api/key\n');
    rmSync(run.dir, { recursive: true });
  });

  test('a secret that spans several lines stops the start, naming the parameter but not the value', () => {
    const secrets: SecretRef[] = [{ name: 'CERT', parameter: '/awesome-application/staging/cert' }];
    const fakeAws = "aws() { printf 'line-one\\nline-two\\n'; }\nexport -f aws";
    const run = sandbox(rendered({ secrets }), `write_configuration; write_service; "$reader" "$conf_dir/secrets.list" "$1/secrets.env" eu-west-1`, fakeAws);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /\/awesome-application\/staging\/cert/);
    assert.doesNotMatch(run.stdout + run.stderr, /line-one|line-two/);
    assert.equal(existsSync(join(run.dir, 'secrets.env')), false);
    rmSync(run.dir, { recursive: true });
  });

  test('the user data stays within the 16 KB EC2 accepts, with the longest values every input allows', () => {
    const longest: UserDataInput = { application: 'a'.repeat(28), environment: 'e'.repeat(16), logEnvironment: 'e'.repeat(16), port: 65535, healthCheckPath: `/${'h'.repeat(1023)}`, signalTimeoutMinutes: 60 };
    const full = 'A'.repeat(MAX_PARAMETER_LENGTH);
    const script = rendered({ raw: { [SCRIPT_VALUES.variables]: full, [SCRIPT_VALUES.secrets]: full, 'AWS::StackName': 's'.repeat(128) } }, longest);
    assert.ok(Buffer.byteLength(script) <= 16 * 1024, `${Buffer.byteLength(script)} bytes`);
    // With a database: its address (an RDS endpoint: an identifier of at most 63 characters, an id of 12, the region) and its secret's name.
    const withDatabase = rendered({ raw: { [SCRIPT_VALUES.variables]: full, [SCRIPT_VALUES.secrets]: full, 'AWS::StackName': 's'.repeat(128), ...DATABASE_VALUES, [SCRIPT_VALUES.databaseHost]: `${'h'.repeat(63)}.abcdefghijkl.ap-southeast-3.rds.amazonaws.com`, [SCRIPT_VALUES.databaseSecret]: `${'a'.repeat(28)}-${'e'.repeat(16)}-database/master-${'f'.repeat(12)}` } }, { ...longest, databaseScheme: 'postgres' });
    assert.ok(Buffer.byteLength(withDatabase) <= 16 * 1024, `${Buffer.byteLength(withDatabase)} bytes with a database`);
  });

  test('shellQuote gives a bash word that stands for the value exactly', () => {
    for (const value of ["it's", "''", '$(id) `id` "x" \\ ${HOME}', '']) {
      const result = spawnSync('bash', ['-c', `printf %s ${shellQuote(value)}`], { encoding: 'utf8' });
      assert.equal(result.stdout, value);
    }
  });
});

describe('the user data of a process other than web (a worker)', () => {
  const WORKER: ProcessRun = { name: 'worker', command: `celery -A shop worker --queues "a,b" $(id) 'x' \${HOME} é`, graceSeconds: 30, resource: 'ProcessWorkerGroup', launchTemplate: 'ProcessWorkerLaunchTemplate' };
  const workerInput = (run: Partial<ProcessRun> = {}): UserDataInput => ({ ...INPUT, process: { ...WORKER, ...run } });
  /** The CLI's answer for the launch template's metadata, as the template holds it. */
  const metadataAws = (run: Partial<ProcessRun> = {}) => `aws() { echo "aws $*" >>"$calls"; printf '%s\\n' ${shellQuote(JSON.stringify(processMetadata({ ...WORKER, ...run })))}; }`;
  /** Steps that take no time: `sleep` moves the script's clock on by its 5 s. */
  const clocked = 'SECONDS=0; sleep() { SECONDS=$((SECONDS + 5)); };';

  test('the boot script and the command runner are clean under shellcheck, with and without a health command and a database', () => {
    for (const text of [
      rendered({ variables: HOSTILE }, workerInput()),
      rendered({ raw: DATABASE_VALUES }, { ...workerInput({ health: 'celery -A shop inspect ping' }), databaseScheme: 'postgres' }),
      COMMAND_RUNNER_SCRIPT,
    ]) {
      const result = shellcheck(text);
      assert.equal(result.output, '');
      assert.equal(result.status, 0);
    }
  });

  test('the command is not in the user data, only its digest: it is read from the launch template\'s metadata into a root-only file, exactly', () => {
    const health = 'pgrep -f "celery" && test -e /tmp/$(id)';
    const script = rendered({}, workerInput({ health }));
    assert.doesNotMatch(script, /celery|pgrep/);
    assert.match(script, new RegExp(`^process_digest=${processDigest({ ...WORKER, health })}$`, 'm'));
    const run = sandbox(script, 'write_configuration; read_process', metadataAws({ health }));
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.calls, ['aws cloudformation describe-stack-resource --region eu-west-1 --stack-name awesome-application-staging --logical-resource-id ProcessWorkerLaunchTemplate --query StackResourceDetail.Metadata --output text']);
    assert.equal(readFileSync(join(run.dir, 'etc', 'command'), 'utf8'), WORKER.command);
    assert.equal(readFileSync(join(run.dir, 'etc', 'health'), 'utf8'), health);
    for (const file of ['command', 'health']) assert.equal(statSync(join(run.dir, 'etc', file)).mode & 0o777, 0o600, file);
    rmSync(run.dir, { recursive: true });
  });

  test('metadata of another launch template version (another command) is refused', () => {
    const run = sandbox(rendered({}, workerInput()), 'write_configuration; read_process', metadataAws({ command: 'rq worker' }));
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /Not the command of this launch template version/);
    assert.equal(existsSync(join(run.dir, 'etc', 'command')), false);
  });

  test('the container runs the command as one argument of /bin/sh -c, without a port, restarted always, logging to its own streams', () => {
    const run = sandbox(rendered({}, workerInput()), 'instance_id=i-0abc; write_configuration; read_process; write_service', metadataAws());
    assert.equal(run.status, 0, run.stderr);
    const unit = readFileSync(join(run.dir, 'systemd', 'wimpy-app.service'), 'utf8');
    assert.match(unit, /^Restart=always$/m);
    assert.match(unit, /^ExecStart=\/usr\/local\/sbin\/wimpy-run-command \/etc\/wimpy\/command \/usr\/bin\/docker run --rm --name wimpy-app --env-file \/etc\/wimpy\/app\.env --env-file \/run\/wimpy\/secrets\.env --log-driver awslogs .* \$\{IMAGE\}$/m);
    assert.doesNotMatch(unit, /-p \$\{PORT\}/);
    assert.match(readFileSync(join(run.dir, 'etc', 'unit.env'), 'utf8'), /^LOG_STREAM=staging\/v1\.4\.2\/i-0abc\/worker$/m);
    assert.equal(readFileSync(join(run.dir, 'bin', 'wimpy-run-command'), 'utf8'), COMMAND_RUNNER_SCRIPT);
    // The runner hands docker the command as one argument, exactly as written.
    const argv = spawnSync('bash', [join(run.dir, 'bin', 'wimpy-run-command'), join(run.dir, 'etc', 'command'), 'printf', '<%s>\\n', 'image@sha256:0'], { encoding: 'utf8' });
    assert.equal(argv.stdout, `<image@sha256:0>\n</bin/sh>\n<-c>\n<${WORKER.command}>\n`);
    rmSync(run.dir, { recursive: true });
  });

  /** docker inspect answers from a list of states, one a call; the last one stays. docker exec fails while $calls.unhealthy exists. */
  const inspecting = (states: readonly string[]) => `
docker() {
  echo "docker $*" >>"$calls"
  if [[ $1 == inspect ]]; then
    local n; n=$(cat "$calls.n" 2>/dev/null || echo 0); echo $((n + 1)) >"$calls.n"
    local states=(${states.map((state) => `'${state}'`).join(' ')})
    local i=$((n < \${#states[@]} ? n : \${#states[@]} - 1))
    [[ -n \${states[$i]} ]] && echo "\${states[$i]}"
  elif [[ $1 == exec ]]; then
    [[ ! -e $calls.unhealthy ]]
  fi
}
timeout() { shift; "$@"; }`;

  test('the instance signals success once one container has stayed up for the grace period', () => {
    const run = sandbox(rendered({}, workerInput({ graceSeconds: 5 })), `${clocked} main`, `${inspecting(['', 'c1 true', 'c1 true', 'c1 true'])}\n${metadataAws().replace('aws() {', 'aws() { [[ $1 == cloudformation ]] || return 0;')}`);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.calls.filter((call) => call.startsWith('cfn-signal ')), [
      "cfn-signal --success true --reason worker stayed up for 5 seconds --stack awesome-application-staging --resource ProcessWorkerGroup --region eu-west-1",
    ]);
    assert.equal(run.calls.filter((call) => call.startsWith('curl ')).length, 0, 'no health URL is asked');
  });

  test('a container that exits and starts again (a new id) starts the grace period again', () => {
    const run = sandbox(rendered({}, workerInput({ graceSeconds: 10 })), `${clocked} write_configuration; : >"$conf_dir/health"; wait_until_healthy`, inspecting(['c1 true', 'c1 true', '', 'c2 true', 'c2 true', 'c2 true']));
    assert.equal(run.status, 0, run.stderr);
    // c1 seen at 0 and 5, gone at 10, c2 seen from 15: healthy at 25, on the sixth look.
    assert.equal(run.calls.filter((call) => call.startsWith('docker inspect')).length, 6);
  });

  test('with a health command, the instance is healthy only once it exits 0 in the container', () => {
    const health = 'celery -A shop inspect ping';
    const failing = sandbox(rendered({}, workerInput({ graceSeconds: 5, health })), `${clocked} touch "$calls.unhealthy"; write_configuration; read_process; signal_timeout_seconds=20; wait_until_healthy`, `${inspecting(['c1 true'])}\n${metadataAws({ health })}`);
    assert.notEqual(failing.status, 0);
    assert.ok(failing.calls.includes(`docker exec wimpy-app /bin/sh -c ${health}`));
    assert.deepEqual(failing.calls.filter((call) => call.startsWith('cfn-signal ')).map((call) => call.split(' --stack')[0]), [
      "cfn-signal --success false --reason worker did not stay up for 5 seconds (and pass its health command) in time",
    ]);
    const passing = sandbox(rendered({}, workerInput({ graceSeconds: 5, health })), `${clocked} write_configuration; read_process; wait_until_healthy`, `${inspecting(['c1 true'])}\n${metadataAws({ health })}`);
    assert.equal(passing.status, 0, passing.stderr);
  });

  test('a process that never stays up signals failure, as a web instance that never answers', () => {
    const run = sandbox(rendered({}, workerInput()), `${clocked} write_configuration; : >"$conf_dir/health"; wait_until_healthy`, inspecting(['']));
    assert.notEqual(run.status, 0);
    assert.deepEqual(run.calls.filter((call) => call.startsWith('cfn-signal ')), [
      "cfn-signal --success false --reason worker did not stay up for 30 seconds (and pass its health command) in time --stack awesome-application-staging --resource ProcessWorkerGroup --region eu-west-1",
    ]);
  });

  test('the user data stays within the 16 KB EC2 accepts with the longest values every input allows', () => {
    const longest: UserDataInput = { application: 'a'.repeat(28), environment: 'e'.repeat(16), logEnvironment: 'e'.repeat(16), port: 65535, healthCheckPath: `/${'h'.repeat(1023)}`, signalTimeoutMinutes: 60, databaseScheme: 'postgres', process: { name: 'p'.repeat(20), command: 'c'.repeat(4096), health: 'h'.repeat(4096), graceSeconds: 600, resource: `Process${'P'.repeat(20)}Group`, launchTemplate: `Process${'P'.repeat(20)}LaunchTemplate` } };
    const full = 'A'.repeat(MAX_PARAMETER_LENGTH);
    const script = rendered({ raw: { [SCRIPT_VALUES.variables]: full, [SCRIPT_VALUES.secrets]: full, 'AWS::StackName': 's'.repeat(128), ...DATABASE_VALUES, [SCRIPT_VALUES.databaseHost]: `${'h'.repeat(63)}.abcdefghijkl.ap-southeast-3.rds.amazonaws.com`, [SCRIPT_VALUES.databaseSecret]: `${'a'.repeat(28)}-${'e'.repeat(16)}-database/master-${'f'.repeat(12)}` } }, longest);
    assert.ok(Buffer.byteLength(script) <= 16 * 1024, `${Buffer.byteLength(script)} bytes`);
  });
});
