import type { Certificates } from './engine/context.js';
import type { Locks } from './engine/lock.js';
import type { Alarms, Clock, DatabaseSnapshots, Dns, Identity, Instances, Listeners, LogGroups, Logs, Notifications, ProcessGroups, ReleaseTasks, Stacks } from './engine/ports.js';
import type { Registry } from './engine/publish-image.js';
import type { ReleaseRecords } from './engine/release-record.js';
import type { ClientSettings } from './aws/client-config.js';
import { explainingFailures } from './aws/aws-errors.js';
import { once, onFirstUse, type Methods } from './aws/on-first-use.js';

/**
 * The AWS half of the composition root: every port an SDK client serves, each made on its
 * first call. Nothing here imports an SDK package or an adapter at load: each is an
 * `import()` the build turns into a chunk of its own (one module per client, aws/clients/,
 * since a build keeps every export of a module it imports dynamically), so a run loads the clients it calls
 * and no others.
 */

const STACKS: Methods<Stacks> = { apply: true, describe: true, unchanged: true, list: true, template: true, remove: true, startRemoval: true, unprotect: true };
const DNS: Methods<Dns> = { zoneId: true, publicZones: true, recordsAt: true, weights: true, records: true, setAlias: true, removeAlias: true, setWeights: true };
const LISTENERS: Methods<Listeners> = { rules: true, forward: true, removeRule: true };
const ALARMS: Methods<Alarms> = { firing: true, missing: true };
const IDENTITY: Methods<Identity> = { accountId: true };
const CERTIFICATES: Methods<Certificates> = { ensureWildcard: true };
const RECORDS: Methods<ReleaseRecords> = { where: true, write: true, read: true };
const LOG_GROUPS: Methods<LogGroups> = { exists: true, remove: true };
const NOTIFICATIONS: Methods<Notifications> = { publish: true };
const LOCKS: Methods<Locks> = { take: true, extend: true, release: true, lastRun: true, recordDepartures: true };
const LOGS: Methods<Logs> = { read: true };
const INSTANCES: Methods<Instances> = { groups: true };
const RELEASE_TASKS: Methods<ReleaseTasks> = { register: true, start: true, state: true, stop: true };
const DATABASE_SNAPSHOTS: Methods<DatabaseSnapshots> = { newest: true };
const PROCESS_GROUPS: Methods<ProcessGroups> = { sizes: true, resize: true };
const REGISTRY: Methods<Registry> = { ensureRepository: true, locate: true, find: true, credentials: true, protect: true };

/** The SDK clients, each made once on first use, with the settings and failure messages they share. */
export function sdkClients(settings: ClientSettings) {
  const client = <C extends Parameters<typeof explainingFailures>[0]>(make: () => Promise<C>) => once(async () => explainingFailures(await make()));
  return {
    acm: client(async () => new (await import('./aws/clients/acm.js')).ACMClient(settings)),
    autoScaling: client(async () => new (await import('./aws/clients/auto-scaling.js')).AutoScalingClient(settings)),
    cloudformation: client(async () => new (await import('./aws/clients/cloudformation.js')).CloudFormationClient(settings)),
    cloudwatch: client(async () => new (await import('./aws/clients/cloudwatch.js')).CloudWatchClient(settings)),
    dynamodb: client(async () => new (await import('./aws/clients/dynamodb.js')).DynamoDBClient(settings)),
    ec2: client(async () => new (await import('./aws/clients/ec2.js')).EC2Client(settings)),
    ecr: client(async () => new (await import('./aws/clients/ecr.js')).ECRClient(settings)),
    ecs: client(async () => new (await import('./aws/clients/ecs.js')).ECSClient(settings)),
    elbv2: client(async () => new (await import('./aws/clients/elbv2.js')).ElasticLoadBalancingV2Client(settings)),
    logs: client(async () => new (await import('./aws/clients/cloudwatch-logs.js')).CloudWatchLogsClient(settings)),
    route53: client(async () => new (await import('./aws/clients/route-53.js')).Route53Client(settings)),
    rds: client(async () => new (await import('./aws/clients/rds.js')).RDSClient(settings)),
    s3: client(async () => new (await import('./aws/clients/s3.js')).S3Client(settings)),
    sns: client(async () => new (await import('./aws/clients/sns.js')).SNSClient(settings)),
    ssm: client(async () => new (await import('./aws/clients/ssm.js')).SSMClient(settings)),
    sts: client(async () => new (await import('./aws/clients/sts.js')).STSClient(settings)),
    tagging: client(async () => new (await import('./aws/clients/tagging.js')).ResourceGroupsTaggingAPIClient(settings)),
  };
}

export type SdkClients = ReturnType<typeof sdkClients>;

export interface StacksWiring {
  readonly clock: Clock;
  readonly log: (line: string) => void;
}

export function stacksPort(clients: SdkClients, wiring: StacksWiring): Stacks {
  return onFirstUse(STACKS, async () => {
    const [{ createStacks }, cloudformation, ssm, tagging] = await Promise.all([import('./aws/stacks.js'), clients.cloudformation(), clients.ssm(), clients.tagging()]);
    return createStacks({ cloudformation, ssm, tagging, ...wiring });
  });
}

export function dnsPort(clients: SdkClients, clock: Clock): Dns {
  return onFirstUse(DNS, async () => (await import('./aws/dns.js')).createDns(await clients.route53(), clock));
}

export const listenersPort = (clients: SdkClients): Listeners => onFirstUse(LISTENERS, async () => (await import('./aws/listeners.js')).createListeners(await clients.elbv2()));

export const alarmsPort = (clients: SdkClients): Alarms => onFirstUse(ALARMS, async () => (await import('./aws/alarms.js')).createAlarms(await clients.cloudwatch()));

export const identityPort = (clients: SdkClients): Identity => onFirstUse(IDENTITY, async () => (await import('./aws/identity.js')).createIdentity(await clients.sts()));

export function certificatesPort(clients: SdkClients, clock: Clock): Certificates {
  return onFirstUse(CERTIFICATES, async () => {
    const [{ createCertificates }, acm, route53] = await Promise.all([import('./aws/certificates.js'), clients.acm(), clients.route53()]);
    return createCertificates(acm, route53, clock);
  });
}

export function recordsPort(clients: SdkClients, bucket: () => Promise<string | undefined>): ReleaseRecords {
  return onFirstUse(RECORDS, async () => (await import('./aws/release-records.js')).createReleaseRecords({ s3: await clients.s3(), bucket }));
}

export const logGroupsPort = (clients: SdkClients): LogGroups => onFirstUse(LOG_GROUPS, async () => (await import('./aws/log-groups.js')).createLogGroups(await clients.logs()));

export const notificationsPort = (clients: SdkClients): Notifications => onFirstUse(NOTIFICATIONS, async () => (await import('./aws/notifications.js')).createNotifications(await clients.sns()));

export const locksPort = (clients: SdkClients): Locks => onFirstUse(LOCKS, async () => (await import('./aws/locks.js')).createLocks(await clients.dynamodb()));

export const logsPort = (clients: SdkClients): Logs => onFirstUse(LOGS, async () => (await import('./aws/logs.js')).createLogs(await clients.logs()));

export function instancesPort(clients: SdkClients): Instances {
  return onFirstUse(INSTANCES, async () => {
    const [{ createInstances }, autoScaling, ec2, elbv2] = await Promise.all([import('./aws/instances.js'), clients.autoScaling(), clients.ec2(), clients.elbv2()]);
    return createInstances(() => ({ autoScaling, ec2, elbv2 }));
  });
}

/** The release command's one-off tasks: the ECS client loads on the first release command, which most runs never have. */
export function releaseTasksPort(clients: SdkClients): ReleaseTasks {
  return onFirstUse(RELEASE_TASKS, async () => {
    const [{ createReleaseTasks }, ecs] = await Promise.all([import('./aws/release-tasks.js'), clients.ecs()]);
    return createReleaseTasks(ecs, () => ecs.config.region());
  });
}

export const databaseSnapshotsPort = (clients: SdkClients): DatabaseSnapshots => onFirstUse(DATABASE_SNAPSHOTS, async () => (await import('./aws/database-snapshots.js')).createDatabaseSnapshots(await clients.rds()));

/** The groups of the processes besides web: the Auto Scaling client loads only for an application that has some. */
export const processGroupsPort = (clients: SdkClients): ProcessGroups => onFirstUse(PROCESS_GROUPS, async () => (await import('./aws/process-groups.js')).createProcessGroups(await clients.autoScaling()));

/** The account's ECR as the application's registry. */
export function ecrRegistry(clients: SdkClients, options: { application: string; keepImages: number }): Registry {
  return onFirstUse(REGISTRY, async () => new (await import('./aws/ecr.js')).EcrRegistry({ ...options, client: await clients.ecr() }));
}
