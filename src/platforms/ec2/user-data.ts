import { createHash } from 'node:crypto';
import type { SecretRef, Variable } from '../../config/types.js';
import { shellQuote } from '../shell.js';

/**
 * The first-boot script of the application's instances, as the text of an `Fn::Sub`.
 *
 * Nothing a user wrote is ever read as shell: the values that change with each release (image,
 * environment variables, secret names) arrive as stack parameters whose allowed patterns admit
 * no quote, and the variables travel base64-encoded, decoded on the instance straight into the
 * env file. The few values fixed in the template are single-quoted, and every literal `${` is
 * escaped as `${!` so that CloudFormation substitutes only the references meant for it.
 */

/** The CloudFormation values the script reads, by their Fn::Sub names; the template supplies each. */
export const SCRIPT_VALUES = {
  image: 'ImageUri',
  registry: 'Registry',
  variables: 'EnvironmentVariables',
  secrets: 'Secrets',
  kmsMasterKey: 'KmsKeyArn',
  storageBucket: 'StorageBucketName',
  logGroup: 'LogGroupName',
  version: 'Version',
  databaseHost: 'DatabaseHost',
  databasePort: 'DatabasePort',
  databaseName: 'DatabaseName',
  databaseSecret: 'DatabaseSecretName',
} as const;

/** The logical id of the Auto Scaling group that waits for the instances' signals. */
export const SIGNALLED_RESOURCE = 'AutoScalingGroup';

/** The launch template metadata key of a process's command and health command. */
export const PROCESS_METADATA = 'wimpy:process';

export interface UserDataInput {
  readonly application: string;
  /** The environment the container is told it runs in (ENVIRONMENT): a preview's own name, pr-<n>. */
  readonly environment: string;
  /** The environment that names the instance's log streams: a preview's own (pr-<n>). */
  readonly logEnvironment: string;
  readonly port: number;
  readonly healthCheckPath: string;
  readonly signalTimeoutMinutes: number;
  /** The scheme of DATABASE_URL (postgres, mysql) when the application has a database. */
  readonly databaseScheme?: string;
  /** A process other than web (a worker) that the instance runs instead of the web process. */
  readonly process?: ProcessRun;
}

/** What an instance of a process other than web runs, and when it counts as healthy. */
export interface ProcessRun {
  readonly name: string;
  /** Run through /bin/sh in the container. */
  readonly command: string;
  /** Run in the running container; exit 0 means healthy. */
  readonly health?: string;
  /** How long the container must stay up, without exiting, before the health command (or the signal). */
  readonly graceSeconds: number;
  /** The logical id of the Auto Scaling group the instance signals. */
  readonly resource: string;
  /** The logical id of its launch template, whose metadata holds the command (processMetadata). */
  readonly launchTemplate: string;
}

const CONF_DIR = '/etc/wimpy';
const SECRETS_READER = '/usr/local/sbin/wimpy-read-secrets';
const DATABASE_READER = '/usr/local/sbin/wimpy-read-database';
const COMMAND_RUNNER = '/usr/local/sbin/wimpy-run-command';
/** The container's name on every instance (and its systemd unit's). */
export const SERVICE = 'wimpy-app';


/** The docker env file of the user's variables (one KEY=VALUE a line, taken literally), base64-encoded. */
export function encodeVariables(variables: readonly Variable[]): string {
  return Buffer.from(variables.map((variable) => `${variable.name}=${variable.value}\n`).join(''), 'utf8').toString('base64');
}

/** The secrets to read at boot, NAME=parameter-name a line, base64-encoded: names only, never values. */
export function encodeSecrets(secrets: readonly SecretRef[]): string {
  return Buffer.from(secrets.map((secret) => `${secret.name}=${secret.parameter}\n`).join(''), 'utf8').toString('base64');
}

// Marks a reference meant for Fn::Sub while the script is assembled, so that escaping every
// other `${` cannot touch it; a NUL cannot occur in any validated value.
const MARK = '\u0000';
const sub = (name: string) => `${MARK}${name}${MARK}`;

function toFnSub(script: string): string {
  return script.replaceAll('${', '${!').replace(new RegExp(`${MARK}([^${MARK}]+)${MARK}`, 'g'), (_, name: string) => `\${${name}}`);
}

/**
 * Runs before every start of the container: reads the secrets from SSM Parameter Store into a
 * root-only file on a tmpfs, so that a value is never on disk, in the template or in a log.
 * Usage: wimpy-read-secrets LIST TARGET REGION, LIST holding NAME=parameter-name lines. Values
 * are never printed: an error names the parameter, not its value. (The scripts carry no comment
 * lines: the user data drops them, to stay within EC2's 16 KB.)
 */
export const SECRETS_READER_SCRIPT = withoutComments(`#!/bin/bash
set -euo pipefail
list=$1 target=$2 region=$3
umask 077
partial=$(mktemp "$target.XXXXXX")
trap 'rm -f "$partial"' EXIT
while IFS='=' read -r name parameter || [[ -n $name ]]; do
  [[ -n $name ]] || continue
  value=$(aws ssm get-parameter --region "$region" --with-decryption --name "$parameter" --query Parameter.Value --output text </dev/null)
  if [[ $value == *$'\\n'* ]]; then
    echo "The secret $name ($parameter) spans several lines, which a container environment cannot hold" >&2
    exit 1
  fi
  printf '%s=%s\\n' "$name" "$value" >>"$partial"
done <"$list"
mv "$partial" "$target"
`);

/**
 * Runs before every start of the container, after the secrets: reads the database's user and
 * password from its secret in Secrets Manager and writes them, with the database's address and
 * DATABASE_URL built from them, into a root-only file on a tmpfs. The password is never printed,
 * never an argument of a command, and never on disk. Usage: wimpy-read-database CONF TARGET
 * REGION, CONF holding one line "scheme host port name secret-name".
 */
export const DATABASE_READER_SCRIPT = withoutComments(`#!/bin/bash
set -euo pipefail
umask 077
: >"$2.new"
read -r scheme host port name secret <"$1" || true
if [[ -n \${secret:-} ]]; then
  aws secretsmanager get-secret-value --region "$3" --secret-id "$secret" --query SecretString --output text </dev/null | python3 -c '
import json,sys
from urllib.parse import quote
s,h,p,n=sys.argv[1:]
j=json.load(sys.stdin)
u,w=j["username"],j["password"]
print(f"DATABASE_URL={s}://{quote(u,safe=str())}:{quote(w,safe=str())}@{h}:{p}/{n}")
for k,v in zip(("HOST","PORT","NAME","USER","PASSWORD"),(h,p,n,u,w)):print(f"DATABASE_{k}={v}")' "$scheme" "$host" "$port" "$name" >"$2.new"
fi
mv "$2.new" "$2"
`);

/**
 * Starts a process's container with its command: the rest of its arguments are the docker run
 * command line, to which it adds `/bin/sh -c COMMAND`, the command read from the file its first
 * argument names. The command reaches docker as one argument, data that no shell of the
 * instance ever parses; /bin/sh in the container runs it, as a Procfile's command is run.
 */
export const COMMAND_RUNNER_SCRIPT = `#!/bin/bash
exec "\${@:2}" /bin/sh -c "$(<"$1")"
`;

/** Restarts the container whenever it stops, reading the secrets (and the database's) afresh before each start. */
const unit = (database: boolean, web: boolean) => `[Unit]
Description=The application's container, restarted whenever it stops
Requires=docker.service
After=docker.service network-online.target
Wants=network-online.target

[Service]
EnvironmentFile=${CONF_DIR}/unit.env
RuntimeDirectory=wimpy
RuntimeDirectoryMode=0700
ExecStartPre=-/usr/bin/docker rm --force ${SERVICE}
ExecStartPre=${SECRETS_READER} ${CONF_DIR}/secrets.list /run/wimpy/secrets.env \${REGION}
${database ? `ExecStartPre=${DATABASE_READER} ${CONF_DIR}/database.conf /run/wimpy/database.env \${REGION}\n` : ''}ExecStart=${web ? '' : `${COMMAND_RUNNER} ${CONF_DIR}/command `}/usr/bin/docker run --rm --name ${SERVICE} --env-file ${CONF_DIR}/app.env --env-file /run/wimpy/secrets.env${database ? ' --env-file /run/wimpy/database.env' : ''}${web ? ' -p ${PORT}:${PORT}' : ''} --log-driver awslogs --log-opt awslogs-group=\${LOG_GROUP} --log-opt awslogs-stream=\${LOG_STREAM} --log-opt awslogs-region=\${REGION} \${IMAGE}
ExecStop=/usr/bin/docker stop ${SERVICE}
Restart=always
RestartSec=5

[Install]
WantedBy=multi-user.target
`;

/** The script's database: scheme, address and secret name from the database stack's exports; empty without one. */
function databaseValues(scheme: string | undefined): string {
  if (scheme === undefined) return "database=''\n";
  return `database='${scheme} ${[SCRIPT_VALUES.databaseHost, SCRIPT_VALUES.databasePort, SCRIPT_VALUES.databaseName, SCRIPT_VALUES.databaseSecret].map(sub).join(' ')}'\ndatabase_reader=${DATABASE_READER}\n`;
}

/** The Fn::Sub text of the instances' user data: a bash script, run once as root at first boot. */
export function userData(input: UserDataInput): string {
  const healthUrl = `http://localhost:${input.port}${input.healthCheckPath}`;
  const minutes = input.signalTimeoutMinutes;
  const run = input.process;
  const script = `#!/bin/bash
# First boot of an instance: install Docker, pull the release's image by digest, run it under
# systemd, and tell CloudFormation whether it is healthy: the web process when it answers its
# health check, another process when it has stayed up (and passes its health command).
set -euo pipefail

application=${shellQuote(input.application)}
${run ? processValues(run) : ''}
environment=${shellQuote(input.environment)}
log_environment=${shellQuote(input.logEnvironment)}
port=${shellQuote(String(input.port))}
${run ? '' : `health_url=${shellQuote(healthUrl)}\n`}signal_timeout_seconds=${minutes * 60}
image='${sub(SCRIPT_VALUES.image)}'
registry='${sub(SCRIPT_VALUES.registry)}'
kms_master_key='${sub(SCRIPT_VALUES.kmsMasterKey)}'
s3_bucket='${sub(SCRIPT_VALUES.storageBucket)}'
log_group='${sub(SCRIPT_VALUES.logGroup)}'
version='${sub(SCRIPT_VALUES.version)}'
variables='${sub(SCRIPT_VALUES.variables)}'
secrets='${sub(SCRIPT_VALUES.secrets)}'
${databaseValues(input.databaseScheme)}region='${sub('AWS::Region')}'
stack='${sub('AWS::StackName')}'
conf_dir=${CONF_DIR}
reader=${SECRETS_READER}
${run ? `runner=${COMMAND_RUNNER}\n` : ''}
unit_dir=/etc/systemd/system
cfn_signal=/opt/aws/bin/cfn-signal
signalled=false
# Streams <environment>/<version>/<instance>/<source>: \`logs\` reads them back.
instance_id=unknown
boot_log=/var/log/cloud-init-output.log

# Boot output and the container's start, kept beyond a terminated instance.
send_boot_log() {
  local stream="$log_environment/$version/$instance_id/boot" events
  events=$(mktemp)
  { tail -n 400 "$boot_log"; journalctl --unit ${SERVICE} --no-pager --lines 100 2>&1; } | python3 -c '
import json, sys, time
now = int(time.time() * 1000)
lines = [line.rstrip()[:8000] or "-" for line in sys.stdin] or ["(no output)"]
print(json.dumps([{"timestamp": now, "message": line} for line in lines]))' >"$events"
  aws logs create-log-stream --region "$region" --log-group-name "$log_group" --log-stream-name "$stream" || true
  aws logs put-log-events --region "$region" --log-group-name "$log_group" --log-stream-name "$stream" --log-events "file://$events" >/dev/null
  rm -f "$events"
}

# One signal per instance: success once the container answers, failure as soon as anything
# goes wrong, so that a broken release fails fast instead of waiting for the timeout.
signal() {
  signalled=true
  send_boot_log || echo "The boot log could not be sent to $log_group" >&2
  "$cfn_signal" --success "$1" --reason "$2" --stack "$stack" --resource ${run?.resource ?? SIGNALLED_RESOURCE} --region "$region" || echo "cfn-signal failed" >&2
}

on_exit() {
  local status=$?
  if [[ $signalled == false ]]; then
    signal false "The first boot of $application${run ? ' ($process)' : ''} failed (exit status $status): its boot log is in $log_group, stream $log_environment/$version/$instance_id/boot"
  fi
}

retry() {
  local attempt
  for attempt in 1 2 3 4 5; do
    if "$@"; then return 0; fi
    echo "Attempt $attempt of 5 failed: $*" >&2
    sleep $((attempt * 5))
  done
  return 1
}

install_packages() {
  retry dnf install -y docker aws-cfn-bootstrap
  systemctl enable --now docker
}

# Every file is root's alone: the environment may hold values the application treats as private.
write_configuration() {
  install -d -m 0700 "$conf_dir"
  (
    umask 077
    {
      printf 'ENVIRONMENT=%s\\n' "$environment"
      printf 'PORT=%s\\n' "$port"
      printf 'DOCKER_REGISTRY=%s\\n' "$registry"
      printf 'KMS_MASTER_KEY=%s\\n' "$kms_master_key"
      printf 'S3_BUCKET=%s\\n' "$s3_bucket"
      base64 --decode <<<"$variables"
    } >"$conf_dir/app.env"
    base64 --decode <<<"$secrets" >"$conf_dir/secrets.list"
    # The database's address and its secret's name, never a value of the secret.
    printf '%s\\n' "$database" >"$conf_dir/database.conf"
    {
      printf 'IMAGE=%s\\n' "$image"
      printf 'PORT=%s\\n' "$port"
      printf 'LOG_GROUP=%s\\n' "$log_group"
      printf 'LOG_STREAM=%s\\n' "$log_environment/$version/$instance_id/${run ? '$process' : 'web'}"
      printf 'REGION=%s\\n' "$region"
    } >"$conf_dir/unit.env"
  )
}

write_service() {
  install -d -m 0755 "$(dirname "$reader")" "$unit_dir"
  cat >"$reader" <<'WIMPY_READ_SECRETS'
${SECRETS_READER_SCRIPT}WIMPY_READ_SECRETS
  chmod 0700 "$reader"
${input.databaseScheme === undefined ? '' : `  cat >"$database_reader" <<'WIMPY_DB'
${DATABASE_READER_SCRIPT}WIMPY_DB
  chmod 0700 "$database_reader"
`}${run ? `  cat >"$runner" <<'WIMPY_RUN'
${COMMAND_RUNNER_SCRIPT}WIMPY_RUN
  chmod 0700 "$runner"
` : ''}  cat >"$unit_dir/${SERVICE}.service" <<'WIMPY_UNIT'
${unit(input.databaseScheme !== undefined, run === undefined)}WIMPY_UNIT
}

ecr_login() {
  aws ecr get-login-password --region "$1" | docker login --username AWS --password-stdin "$registry"
}

pull_image() {
  if [[ $image != *@sha256:* ]]; then
    echo "The image $image is not pinned by digest" >&2
    return 1
  fi
  # ECR takes the instance role's credentials; any other registry must allow anonymous pulls.
  if [[ $registry =~ ^[0-9]{12}\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com(\\.cn)?$ ]]; then
    retry ecr_login "\${BASH_REMATCH[1]}"
  fi
  retry docker pull "$image"
}

${run ? PROCESS_STEPS : WEB_CHECK}
main() {
  trap on_exit EXIT
  instance_id=$(ec2-metadata --instance-id | cut -d ' ' -f 2) || instance_id=unknown
  install_packages
  write_configuration
${run ? '  retry read_process\n' : ''}  write_service
  pull_image
  systemctl daemon-reload
  systemctl enable --now ${SERVICE}.service
${run ? '  wait_until_healthy\n' : WEB_WAIT(minutes)}}

# Sourced (as the tests do), the script only defines its steps.
if [[ \${BASH_SOURCE[0]} == "$0" ]]; then
  main "$@"
fi
`;
  return toFnSub(withoutComments(script));
}

/** The web process is healthy once it answers its health check with 2xx. */
const WEB_CHECK = `answers() {
  local code
  code=$(curl --silent --output /dev/null --max-time 4 --write-out '%{http_code}' "$health_url") || true
  [[ $code == 2?? ]]
}
`;

const WEB_WAIT = (minutes: number) => `  while ((SECONDS < signal_timeout_seconds)); do
    if answers; then
      signal true "$application answers $health_url"
      return 0
    fi
    sleep 5
  done
  signal false "$application did not answer $health_url with 2xx within ${minutes} minutes"
  return 1
`;

/**
 * A process's command and health command come from its launch template's metadata (read with
 * the permission the instance has to signal its stack), not from the user data: EC2 caps user
 * data at 16 KB, which the variables and secrets may nearly fill. The script checks that they are
 * the ones its launch template version was made with (their digest, in the user data, also makes
 * a changed command a new launch template version, which rolls the group). They are written to
 * root-only files and never read as shell by the instance.
 *
 * A process without a port is healthy once one container has run for the grace period without
 * exiting (systemd starts a new one, with a new id, whenever it exits), and its health command,
 * if it has one, exits 0 in that container.
 */
const PROCESS_STEPS = `read_process() (
  umask 077
  aws cloudformation describe-stack-resource --region "$region" --stack-name "$stack" --logical-resource-id "$launch_template" --query StackResourceDetail.Metadata --output text | python3 -c '
import hashlib,json,sys
m=json.load(sys.stdin)["${PROCESS_METADATA}"]
c,h=m["command"],m.get("health","")
if hashlib.sha256(json.dumps([c,h]).encode()).hexdigest()!=sys.argv[2]:sys.exit("Not the command of this launch template version")
for f,t in ("command",c),("health",h):open(sys.argv[1]+"/"+f,"w").write(t)' "$conf_dir" "$process_digest"
)

passes_health_command() {
  local check
  check=$(<"$conf_dir/health")
  [[ -z $check ]] || timeout 60 docker exec ${SERVICE} /bin/sh -c "$check"
}

wait_until_healthy() {
  local seen='' state up_since=0
  while ((SECONDS < signal_timeout_seconds)); do
    state=$(docker inspect --format '{{.Id}} {{.State.Running}}' ${SERVICE} 2>/dev/null) || state=''
    if [[ $state != *' true' ]]; then
      seen=''
    elif [[ $state != "$seen" ]]; then
      seen=$state
      up_since=$SECONDS
    elif ((SECONDS - up_since >= grace_seconds)) && passes_health_command; then
      signal true "$process stayed up for $grace_seconds seconds"
      return 0
    fi
    sleep 5
  done
  signal false "$process did not stay up for $grace_seconds seconds (and pass its health command) in time"
  return 1
}
`;

/** What the launch template's metadata holds for a process (see PROCESS_STEPS). */
export function processMetadata(run: Pick<ProcessRun, 'command' | 'health'>): Record<string, unknown> {
  return { [PROCESS_METADATA]: { command: run.command, ...(run.health ? { health: run.health } : {}) } };
}

/** The digest the script checks the metadata against: sha256 of JSON [command, health], as Python's json.dumps writes it. */
export function processDigest(run: Pick<ProcessRun, 'command' | 'health'>): string {
  return createHash('sha256').update(pythonJson([run.command, run.health ?? ''])).digest('hex');
}

/** json.dumps's default output: ", " between items and every character beyond ASCII escaped. */
function pythonJson(values: readonly string[]): string {
  const text = (value: string) => JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `[${values.map(text).join(', ')}]`;
}

/** The script's values of a process: all fixed in the template, validated names and numbers. */
function processValues(run: ProcessRun): string {
  return `process=${shellQuote(run.name)}\nlaunch_template=${shellQuote(run.launchTemplate)}\nprocess_digest=${processDigest(run)}\ngrace_seconds=${run.graceSeconds}\n`;
}

/**
 * The script without its comment lines, blank lines and indentation: EC2 takes at most 16 KB of user
 * data, and the comments that explain it, and the layout that shows its structure, live here in
 * its source. No line of it (nor of the files it writes, nor of its Python) depends on its indentation.
 */
function withoutComments(script: string): string {
  return script.split('\n').filter((line) => !/^\s*#(?!!)/.test(line)).map((line) => line.trimStart()).filter((line) => line !== '').join('\n') + (script.endsWith('\n') ? '\n' : '');
}
