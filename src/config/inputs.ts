/**
 * The one table of the action's inputs and outputs. `action.yml` and the README's table are
 * generated from it (`npm run docs`), and the terminal's flags carry the same names, so the
 * three can never drift apart.
 */
export interface InputSpec {
  readonly name: string;
  readonly description: string;
  /** The default as `action.yml` spells it; absent for required inputs. */
  readonly default?: string;
  readonly required?: boolean;
  /** A secret: masked as soon as it is read, never echoed by `plan`. */
  readonly secret?: boolean;
  /**
   * A secret's environment variable in a terminal: secrets are never flags, since a shell's
   * history keeps every flag.
   */
  readonly env?: string;
  /** The commands that read the input, for their help and flags; absent: every command. */
  readonly commands?: readonly string[];
}

export interface OutputSpec {
  readonly name: string;
  readonly description: string;
}

export const INPUTS: readonly InputSpec[] = [
  { name: 'command', default: 'deploy', description: 'What to do: plan, deploy, rollback, promote, destroy, logs or status (and exec, in a terminal only).' },
  { name: 'application-name', required: true, description: 'The application, a DNS label (lowercase letters, digits, hyphens; at most 28 characters). Names every stack, hostname and repository.' },
  { name: 'application-port', default: '8080', description: 'The port the container listens on (1 to 65535).' },
  { name: 'hosted-zone', required: true, description: 'The Route 53 public hosted zone that holds the hostnames, e.g. example.com.' },
  { name: 'domains', commands: ['deploy', 'plan'], default: '', description: 'Own hostnames the environment serves besides its own, comma separated or one per line, e.g. example.com, www.example.com (at most 4; an apex is fine). Each must be in a public hosted zone of the account and have no A, AAAA or CNAME record that this action did not create. Ignored by previews. See "Your own domains".' },
  { name: 'redirect-domains', commands: ['deploy', 'plan'], default: '', description: 'Hostnames answered with a permanent redirect (301) to the first of domains, path and query kept, e.g. www.example.com (at most 20; same rules as domains). Ignored by previews.' },
  { name: 'environment', default: 'staging', description: 'staging, production or another single word of lowercase letters and digits (no hyphen). pull_request events deploy a preview, pr-<number>, instead.' },
  { name: 'strategy', default: 'rolling', description: 'rolling (one stack, instances replaced in batches) or blue-green (one stack per release, each a target group behind the environment\'s load balancer; traffic moved by the weights of the hostname\'s listener rule, exactly and at once).' },
  { name: 'version', default: '', description: 'The release version and image tag. Default: the commit SHA. With command rollback: the version to return to (default: the last good release).' },
  { name: 'steps', default: 'environment,build,deploy', description: 'The phases to run, comma separated: a subset of environment, build, deploy.' },
  { name: 'timeout-minutes', default: '60', description: 'One deadline for the whole run, in minutes (1 to 360). No other timeout is hidden anywhere.' },
  { name: 'allowed-account-ids', default: '', description: 'Comma-separated AWS account ids this run may change. Checked before the first change; empty allows any.' },
  { name: 'github-token', default: '${{ github.token }}', secret: true, env: 'GITHUB_TOKEN', description: 'Token for deployments, statuses and pull request comments.' },
  { name: 'dockerfile', commands: ['deploy', 'plan'], default: 'Dockerfile', description: 'The Dockerfile, relative to the repository.' },
  { name: 'context', commands: ['deploy', 'plan'], default: '.', description: 'The build context, relative to the repository.' },
  { name: 'build-args', commands: ['deploy', 'plan'], default: '', description: 'Build arguments, one KEY=VALUE per line (lines starting with # are comments). Not for secrets: docker keeps them in the image history.' },
  { name: 'target', commands: ['deploy', 'plan'], default: '', description: 'The Dockerfile stage to build.' },
  { name: 'platform', commands: ['deploy', 'plan'], default: '', description: 'The platform to build for, e.g. linux/amd64 or linux/arm64.' },
  { name: 'registry', default: '', description: 'The registry to push to. Default: Amazon ECR of the account, repository created on demand. Instances pull other registries anonymously over HTTPS (443): their images must be public.' },
  { name: 'registry-username', commands: ['deploy', 'plan'], default: '', description: 'Username for a registry other than ECR.' },
  { name: 'registry-password', default: '', secret: true, env: 'REGISTRY_PASSWORD', commands: ['deploy', 'plan'],  description: 'Password for a registry other than ECR. Masked.' },
  { name: 'image', commands: ['deploy', 'plan'], default: '', description: 'A prebuilt image to deploy instead of building (repository:tag or repository@sha256:...).' },
  { name: 'keep-images', default: '30', description: 'How many images the ECR lifecycle policy keeps (1 to 1000), previews included. The images of releases that serve, are kept warm or are the last good one are kept besides, whatever previews push (see "Images that releases need are never expired").' },
  { name: 'instance-type', default: 't3.small', description: 'The EC2 instance type.' },
  { name: 'preview-instance-type', default: 't3.micro', description: 'The EC2 instance type of a preview: by default the smallest that runs a container beside Docker and the agents (1 GiB of memory, x86_64 like the images GitHub runners build). Set it to instance-type\'s value, or any type, for an application that needs more.' },
  { name: 'preview-capacity', default: 'spot', description: 'How a preview\'s instances are bought: spot (EC2 Spot, about half the on-demand price or less; AWS may take an instance back at two minutes\' notice and the group replaces it within minutes) or on-demand. Staging and production always run on demand. See "What it costs you on AWS".' },
  { name: 'min-size', default: '1', description: 'Smallest number of instances.' },
  { name: 'desired-size', default: '1', description: 'Number of instances to start with.' },
  { name: 'max-size', default: '2', description: 'Largest number of instances.' },
  { name: 'cpu-target', default: '70', description: 'Average CPU percentage that target-tracking scaling keeps (1 to 100).' },
  { name: 'health-check-path', default: '/health', description: 'The path that answers 2xx when an instance is healthy.' },
  { name: 'signal-timeout-minutes', default: '10', description: 'How long a new instance has to become healthy before CloudFormation rolls back (1 to 60).' },
  { name: 'environment-variables', default: '', description: 'Container environment, one KEY=VALUE per line; values keep every character after the first =. Lines starting with # are comments.' },
  { name: 'secrets', default: '', description: 'Container secrets, one NAME=ssm-parameter-name per line; read at boot from SSM Parameter Store under /<application>/<environment>/ (previews: /<application>/preview/), never written anywhere.' },
  { name: 'verify-url', default: 'true', description: 'Wait until the URL answers the health check path with 2xx before reporting success.' },
  { name: 'dns-ttl', default: '60', description: 'TTL of the DNS records, in seconds. The records are aliases of the load balancer that no deploy changes; a release of an earlier version\'s layout, with a load balancer of its own, is removed twice this after it left traffic.' },
  { name: 'canary-steps', default: '10,50,100', description: 'blue-green: ascending percentages of traffic for the new release. Stop below 100 to leave a canary for promote.' },
  { name: 'step-wait', default: '60', description: 'blue-green: seconds to watch each canary step before the next.' },
  { name: 'alarm-names', default: '', description: "blue-green: CloudWatch alarms watched during canary steps besides the release's own (5xx rate, unhealthy targets), comma separated or one per line; one in ALARM during a step sends all traffic back." },
  { name: 'keep-releases', default: '1', description: 'blue-green: how many previous releases stay warm, so that a rollback to them takes seconds (0 to 5). The serving and the last good release are always kept.' },
  { name: 'preview-ttl', default: '7d', description: 'Age after which a pull request preview is removed by any run (hours or days, e.g. 48h, 7d; 0 never).' },
  { name: 'egress', default: 'all', description: 'Where the instances may connect: all (any destination, as AWS does by default), or a comma-separated list of https, http, TCP ports and ranges such as https,5432,6379,8000-8100. HTTPS (443) is always allowed: the instances need it to reach AWS.' },
  { name: 'nat', default: 'gateway', description: 'How instances reach the internet: gateway (AWS\'s managed NAT gateway, about 33 USD a month per environment plus 0.045 USD per GB) or instance (one t4g.nano NAT instance, about 3 USD a month: a single point of failure that AWS recovers on host failure, with the bandwidth of a small instance). Shared by the environment: the run that creates its network sets it; change it later with steps: environment.' },
  { name: 'cloudtrail', default: 'true', description: 'Create the multi-region CloudTrail in the base stack. Turn off when the organisation already has one. Shared by the account: the run that creates the base stack sets it; change it later with steps: environment.' },
  { name: 'log-retention-days', default: '30', description: 'How many days CloudWatch Logs keeps the application\'s container and boot logs: one of the values CloudWatch allows (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653).' },
  { name: 'since', commands: ['logs'], default: '1h', description: 'With command logs: how far back to read, as an age (30s, 10m, 2h, 7d) or a timestamp (2026-05-01T12:00:00Z).' },
  { name: 'release', commands: ['logs'], default: '', description: 'With command logs: only the lines of this release version. Default: every release of the environment.' },
  { name: 'process', commands: ['logs'], default: '', description: 'With command logs: only the lines of this process type: web, a process of processes, boot (the instances\' first boot), release (the release command) or schedule (the schedules\' runs).' },
  { name: 'filter', commands: ['logs'], default: '', description: 'With command logs: a CloudWatch Logs filter pattern, e.g. ERROR or "status=500" or { $.level = "error" }.' },
  { name: 'database', default: 'none', description: 'A managed database of the application in each environment: none, postgres or mysql (Amazon RDS, encrypted, in the environment\'s database subnets, reachable from the application only). The container gets DATABASE_URL and DATABASE_HOST, DATABASE_PORT, DATABASE_NAME, DATABASE_USER, DATABASE_PASSWORD, read at boot from a secret AWS generates.' },
  { name: 'database-class', default: 'db.t4g.micro', description: 'The database\'s RDS instance class, one the engine runs, e.g. db.t4g.micro, db.m7g.large.' },
  { name: 'database-storage', default: '20', description: 'The database\'s storage in GiB (20 to 65536).' },
  { name: 'database-multi-az', default: 'production', description: 'A standby in a second availability zone: production (in production only), true or false.' },
  { name: 'preview-database', default: 'own', description: 'With database, what a pull request preview uses: own (a small database of its own, removed with the preview), staging (staging\'s database: the preview\'s code and migrations change staging\'s data) or none.' },
  { name: 'release-command', default: '', description: 'A command run once per release before any traffic moves to it, e.g. python manage.py migrate --noinput: in the release\'s image, with its variables, secrets and database, in the application subnets. Its output is streamed into the log and kept in the log group; a failure stops the deploy.' },
  { name: 'release-timeout-minutes', default: '15', description: 'How long the release command may run before the deploy stops (1 to 180).' },
  { name: 'processes', default: '', description: 'Other processes of the application (workers), one NAME=COMMAND per line, e.g. worker=celery -A shop worker. NAME is a DNS label other than web, boot, release and schedule (lowercase letters, digits, hyphens, starting with a letter, at most 20 characters); the command is one line, run through /bin/sh in the release\'s image with the variables, secrets and database of web, on instances of its own in the application subnets, without a port or a load balancer, restarted whenever it exits. See "Workers and other processes".' },
  { name: 'processes-sizes', default: '', description: 'How many instances each process runs, one NAME=COUNT or NAME=MIN-MAX (scaling on cpu-target) per line, optionally followed by an instance type of instance-type\'s architecture, e.g. worker=1-4 c7i.large. Default: one instance of instance-type. A preview runs one instance of each process, of preview-instance-type, bought as preview-capacity says.' },
  { name: 'processes-health', default: '', description: 'A health command per process, one NAME=COMMAND per line, run in its container once it has stayed up processes-grace-seconds: a new instance is healthy when it exits 0 (e.g. worker=celery -A shop inspect ping). Without one, staying up is enough.' },
  { name: 'processes-grace-seconds', default: '30', description: 'How long a process\'s container must run without exiting before its instance counts as healthy (5 to 600, less than signal-timeout-minutes). An instance that does not get there in signal-timeout-minutes fails the release, as a web instance that does not answer does.' },
  { name: 'schedules', commands: ['deploy', 'plan'], default: '', description: 'Recurring jobs, one SCHEDULE COMMAND per line with EventBridge Scheduler\'s syntax, e.g. cron(0 3 * * ? *) python manage.py clearsessions or rate(15 minutes) ./bin/send-reminders (times in UTC; at most 20). Each runs as a one-off Fargate task of the serving release (its image, variables, secrets and database) in the application subnets, its output in the application\'s log group; an alarm counts the runs that could not start. Previews run none.' },
  { name: 'destroy-environment', commands: ['destroy'], default: 'false', description: 'With command destroy: also remove the environment network (never the base stack, its key or its buckets).' },
  { name: 'destroy-logs', commands: ['destroy'], default: 'false', description: "With command destroy: also delete the application's log group. Without it the logs are kept, as the buckets are, and a later deploy writes to them again." },
  { name: 'destroy-database', commands: ['destroy'], default: 'false', description: "With command destroy: also delete the database, after a final snapshot that the summary names. Without it the database and its stack are kept." },
  { name: 'notify', commands: ['deploy', 'rollback', 'promote', 'plan'], default: '', description: "E-mail addresses and SNS topic ARNs, comma separated or one per line, that hear of this application's deploys, rollbacks, promotes and scaling events. Addresses are subscribed to the environment's topic (each confirms from AWS's e-mail); topics of your own (AWS Chatbot's, say) get the same messages." },
];

export const OUTPUTS: readonly OutputSpec[] = [
  { name: 'url', description: 'The URL that serves the release.' },
  { name: 'version', description: 'The release version deployed.' },
  { name: 'image', description: 'The image deployed, pinned by digest.' },
  { name: 'stack-name', description: 'The application stack that serves the release.' },
  { name: 'environment', description: 'The environment deployed to (pr-<number> for previews).' },
  { name: 'log-group', description: 'The CloudWatch Logs group of the application\'s container and boot logs in this environment.' },
  { name: 'has-changes', description: 'true when the run changed a stack or the traffic.' },
];

export type InputName = (typeof INPUTS)[number]['name'];

export function defaultOf(name: string): string | undefined {
  return INPUTS.find((input) => input.name === name)?.default;
}
