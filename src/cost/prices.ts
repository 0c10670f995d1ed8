/**
 * AWS's public on-demand prices (USD, Linux, no free tier, no savings plans) for what the
 * product deploys, in the regions it has prices for. An estimate, never a quote: prices change,
 * traffic is billed on top, and the AWS Pricing Calculator is the reference.
 *
 * Hourly prices become monthly ones with AWS's own convention of 730 hours a month.
 */

/** When these prices were taken from AWS's price pages; shown with every estimate. */
export const PRICES_AS_OF = '2025-01';

export const HOURS_PER_MONTH = 730;

export interface RegionPrices {
  /** Application Load Balancer, per hour (LCUs, i.e. traffic, on top). */
  readonly loadBalancerHour: number;
  /** NAT gateway, per hour, and per gigabyte it processes. */
  readonly natGatewayHour: number;
  readonly natGatewayGb: number;
  /** A public IPv4 address, per hour (load balancer nodes, NAT gateways, elastic IPs). */
  readonly publicIpv4Hour: number;
  /** gp3 block storage, per GB-month. */
  readonly gp3GbMonth: number;
  /** A KMS customer managed key, per month. */
  readonly kmsKeyMonth: number;
  /** CloudWatch Logs: per GB ingested, per GB-month stored. */
  readonly logsIngestGb: number;
  readonly logsStoreGbMonth: number;
  /** EC2 instance types, per hour. */
  readonly instanceHour: Readonly<Record<string, number>>;
  /** RDS instance classes (PostgreSQL and MySQL, single-AZ), per hour; Multi-AZ costs twice. */
  readonly databaseHour: Readonly<Record<string, number>>;
  /** RDS gp2/gp3 storage, per GB-month (single-AZ). */
  readonly databaseStorageGbMonth: number;
}

const US: RegionPrices = {
  loadBalancerHour: 0.0225,
  natGatewayHour: 0.045,
  natGatewayGb: 0.045,
  publicIpv4Hour: 0.005,
  gp3GbMonth: 0.08,
  kmsKeyMonth: 1,
  logsIngestGb: 0.5,
  logsStoreGbMonth: 0.03,
  instanceHour: {
    't3.nano': 0.0052, 't3.micro': 0.0104, 't3.small': 0.0208, 't3.medium': 0.0416, 't3.large': 0.0832, 't3.xlarge': 0.1664,
    't4g.nano': 0.0042, 't4g.micro': 0.0084, 't4g.small': 0.0168, 't4g.medium': 0.0336, 't4g.large': 0.0672,
    'm7i.large': 0.1008, 'm7g.large': 0.0816, 'c7g.large': 0.0725,
  },
  databaseHour: { 'db.t4g.micro': 0.016, 'db.t4g.small': 0.032, 'db.t4g.medium': 0.065, 'db.t4g.large': 0.129, 'db.m7g.large': 0.168 },
  databaseStorageGbMonth: 0.115,
};

const EU_WEST_1: RegionPrices = {
  loadBalancerHour: 0.0252,
  natGatewayHour: 0.048,
  natGatewayGb: 0.048,
  publicIpv4Hour: 0.005,
  gp3GbMonth: 0.088,
  kmsKeyMonth: 1,
  logsIngestGb: 0.57,
  logsStoreGbMonth: 0.03,
  instanceHour: {
    't3.nano': 0.0057, 't3.micro': 0.0114, 't3.small': 0.0228, 't3.medium': 0.0456, 't3.large': 0.0912, 't3.xlarge': 0.1824,
    't4g.nano': 0.0046, 't4g.micro': 0.0092, 't4g.small': 0.0184, 't4g.medium': 0.0368, 't4g.large': 0.0736,
    'm7i.large': 0.1118, 'm7g.large': 0.0892, 'c7g.large': 0.0799,
  },
  databaseHour: { 'db.t4g.micro': 0.018, 'db.t4g.small': 0.036, 'db.t4g.medium': 0.072, 'db.t4g.large': 0.144, 'db.m7g.large': 0.187 },
  databaseStorageGbMonth: 0.127,
};

const EU_CENTRAL_1: RegionPrices = {
  loadBalancerHour: 0.027,
  natGatewayHour: 0.052,
  natGatewayGb: 0.052,
  publicIpv4Hour: 0.005,
  gp3GbMonth: 0.0952,
  kmsKeyMonth: 1,
  logsIngestGb: 0.63,
  logsStoreGbMonth: 0.0324,
  instanceHour: {
    't3.nano': 0.006, 't3.micro': 0.012, 't3.small': 0.024, 't3.medium': 0.048, 't3.large': 0.096, 't3.xlarge': 0.192,
    't4g.nano': 0.0048, 't4g.micro': 0.0096, 't4g.small': 0.0192, 't4g.medium': 0.0384, 't4g.large': 0.0768,
    'm7i.large': 0.1154, 'm7g.large': 0.0932, 'c7g.large': 0.0826,
  },
  databaseHour: { 'db.t4g.micro': 0.019, 'db.t4g.small': 0.038, 'db.t4g.medium': 0.076, 'db.t4g.large': 0.152, 'db.m7g.large': 0.198 },
  databaseStorageGbMonth: 0.133,
};

/** The regions with a price table; elsewhere the estimate says it has none rather than guessing. */
export const PRICES: Readonly<Record<string, RegionPrices>> = {
  'us-east-1': US,
  'us-east-2': US,
  'us-west-2': US,
  'eu-west-1': EU_WEST_1,
  'eu-central-1': EU_CENTRAL_1,
};
