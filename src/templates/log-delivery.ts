/**
 * Where AWS's services deliver the logs of the product's resources: one log bucket per account
 * and region (in the base stack), one prefix per kind of log, one retention for all of them.
 */

/** Days every log in the log bucket is kept: a year, what most security reviews ask for. */
export const LOG_RETENTION_DAYS = 365;

/**
 * The log bucket's prefixes: AWS appends AWSLogs/<account>/... under each (S3 access logs
 * excepted). VPC flow logs have none: they go to AWSLogs/<account>/vpcflowlogs/ at the root.
 */
export const LOG_PREFIXES = {
  cloudTrail: 'cloudtrail',
  loadBalancers: 'load-balancers',
  storageAccess: 's3-access/storage',
} as const;

/**
 * The regions opened before August 2022, where Elastic Load Balancing still delivers access logs
 * as an account of AWS's own in each region (AWS's "Enable access logs" guide lists them) instead
 * of as its log delivery service; newer regions know only the service. GovCloud and China are
 * partitions of their own and not covered.
 */
const ELB_LEGACY_ACCOUNTS: Readonly<Record<string, string>> = {
  'us-east-1': '127311923021',
  'us-east-2': '033677994240',
  'us-west-1': '027434742980',
  'us-west-2': '797873946194',
  'af-south-1': '098369216593',
  'ap-east-1': '754344448648',
  'ap-south-1': '718504428378',
  'ap-northeast-1': '582318560864',
  'ap-northeast-2': '600734575887',
  'ap-northeast-3': '383597477331',
  'ap-southeast-1': '114774131450',
  'ap-southeast-2': '783225319266',
  'ca-central-1': '985666609251',
  'eu-central-1': '054676820928',
  'eu-west-1': '156460612806',
  'eu-west-2': '652711504416',
  'eu-west-3': '009996457667',
  'eu-south-1': '635631232127',
  'eu-north-1': '897822967062',
  'me-south-1': '076674570225',
  'sa-east-1': '507241528517',
};

export const ELB_LEGACY_REGIONS = Object.keys(ELB_LEGACY_ACCOUNTS);

export const elbLegacyAccountMapping = {
  name: 'LoadBalancerLogAccounts',
  value: Object.fromEntries(Object.entries(ELB_LEGACY_ACCOUNTS).map(([region, account]) => [region, { Account: account }])),
};

/** Fn::Or takes 2 to 10 conditions: the regions are compared in groups of at most ten. */
function anyRegion(regions: readonly string[]): unknown {
  const equals = regions.map((region) => ({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, region] }));
  if (equals.length <= 10) return { 'Fn::Or': equals };
  const groups: unknown[] = [];
  for (let i = 0; i < regions.length; i += 10) {
    const group = regions.slice(i, i + 10);
    groups.push(group.length === 1 ? equals[i] : anyRegion(group));
  }
  return { 'Fn::Or': groups };
}

export const elbLegacyAccountCondition = {
  name: 'LoadBalancerLogsNeedTheRegionalAccount',
  value: anyRegion(ELB_LEGACY_REGIONS),
};
