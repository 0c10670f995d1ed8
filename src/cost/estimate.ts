/**
 * The monthly cost of stacks, read from their templates: what a resource costs by the hour
 * while it exists (load balancers, NAT gateways, instances, their disks and public addresses,
 * keys, databases). What depends on traffic (load balancer capacity units, NAT and log
 * gigabytes) is named with its unit price instead, since no template knows it.
 *
 * Reading templates rather than the configuration keeps the estimate true to what is deployed:
 * a change of layout changes the bill and the estimate together.
 */
import { HOURS_PER_MONTH, PRICES, PRICES_AS_OF, type RegionPrices } from './prices.js';

/** The part of a CloudFormation template the estimate reads. */
export interface PricedTemplate {
  readonly Resources?: Readonly<Record<string, { readonly Type: string; readonly Properties?: Readonly<Record<string, unknown>>; readonly Metadata?: Readonly<Record<string, unknown>> }>>;
}

export interface CostLine {
  readonly what: string;
  /** USD a month. */
  readonly monthly: number;
  /** Paid once whatever the stack's copies: what runs only in the release that serves. */
  readonly once?: boolean;
}

/**
 * The metadata key of a resource that runs only while its release serves (a blue-green
 * release's workers, at zero in the warm releases): priced once, not in every copy of the stack.
 */
export const RUNS_WHILE_SERVING = 'wimpy:runs-while-serving';

export interface StackCost {
  readonly name: string;
  /** Who else pays for it, when it is shared (the account baseline, an environment's network). */
  readonly shared?: string;
  /** How many stacks like this one the environment keeps (blue-green: the serving and the warm releases). */
  readonly copies: number;
  readonly lines: readonly CostLine[];
  /** USD a month, all copies. */
  readonly monthly: number;
}

export interface CostEstimate {
  readonly region: string;
  /** No region was configured: priced in AWS's default region, and said so. */
  readonly regionAssumed?: boolean;
  readonly pricesAsOf: string;
  readonly stacks: readonly StackCost[];
  /** USD a month, every stack. */
  readonly monthly: number;
  /** Costs that grow with use, with their unit prices. */
  readonly usage: readonly string[];
  /** What has no price in the table (an instance type, a region): left out of the total, and said. */
  readonly unpriced: readonly string[];
}

export interface StackToPrice {
  readonly name: string;
  readonly shared?: string;
  readonly template: PricedTemplate;
  readonly copies?: number;
}

/**
 * A load balancer has a node, and so a public IPv4 address, in each availability zone it
 * serves: the environments span two.
 */
const LOAD_BALANCER_ADDRESSES = 2;

const monthly = (hourly: number) => hourly * HOURS_PER_MONTH;
const usd = (value: number) => value.toFixed(2);

type Resource = { readonly Type: string; readonly Properties?: Readonly<Record<string, unknown>>; readonly Metadata?: Readonly<Record<string, unknown>> };

/** A literal number or numeric string of a template property; anything else (a Ref, an import) is unknown. */
function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

interface MixedInstances {
  readonly LaunchTemplate?: { readonly LaunchTemplateSpecification?: { readonly LaunchTemplateId?: { readonly Ref?: string } } };
  readonly InstancesDistribution?: { readonly OnDemandBaseCapacity?: unknown; readonly OnDemandPercentageAboveBaseCapacity?: unknown };
}

/**
 * The launch template data a group starts its instances from, when it is in the same template:
 * named by the group itself, or by its mixed instances policy (Spot).
 */
function launchDataOf(group: Resource, resources: Readonly<Record<string, Resource>>): Readonly<Record<string, unknown>> | undefined {
  const mixed = group.Properties?.MixedInstancesPolicy as MixedInstances | undefined;
  const reference = (group.Properties?.LaunchTemplate as { LaunchTemplateId?: { Ref?: string } } | undefined)?.LaunchTemplateId?.Ref
    ?? mixed?.LaunchTemplate?.LaunchTemplateSpecification?.LaunchTemplateId?.Ref;
  const launch = reference ? resources[reference] : undefined;
  return launch?.Properties?.LaunchTemplateData as Readonly<Record<string, unknown>> | undefined;
}

function volumeGb(data: Readonly<Record<string, unknown>> | undefined): number {
  const mappings = (data?.BlockDeviceMappings as { Ebs?: { VolumeSize?: unknown } }[] | undefined) ?? [];
  return mappings.reduce((sum, mapping) => sum + (numberOf(mapping.Ebs?.VolumeSize) ?? 0), 0);
}

/** A group whose every instance is Spot: no on-demand base, and no on-demand share above it. */
function allSpot(group: Resource): boolean {
  const distribution = (group.Properties?.MixedInstancesPolicy as MixedInstances | undefined)?.InstancesDistribution;
  return distribution !== undefined && numberOf(distribution.OnDemandBaseCapacity) === 0 && numberOf(distribution.OnDemandPercentageAboveBaseCapacity) === 0;
}

/**
 * Spot has no price table here: its prices move by the hour, by zone and by type. Half the
 * on-demand price is above what Spot usually costs for the small types previews run, so the
 * estimate errs on the side of the bill.
 */
export const SPOT_SHARE_OF_ON_DEMAND = 0.5;

const SPOT_NOTE = 'Spot (estimated at half the on-demand price; Spot prices move hourly and are usually lower)';

/** `count` instances of `type`, each with the disks of `data` (launch template data or an instance's properties). */
function instanceLines(what: string, type: unknown, count: number, data: Readonly<Record<string, unknown>> | undefined, prices: RegionPrices, unpriced: Set<string>, spot = false): CostLine[] {
  const hourly = typeof type === 'string' ? prices.instanceHour[type] : undefined;
  if (typeof type !== 'string' || hourly === undefined) {
    unpriced.add(`${what} (${typeof type === 'string' ? type : 'type unknown'})`);
    return [];
  }
  const disk = volumeGb(data);
  return [
    spot
      ? { what: `${count} × ${type}, ${SPOT_NOTE}`, monthly: count * monthly(hourly) * SPOT_SHARE_OF_ON_DEMAND }
      : { what: `${count} × ${type}`, monthly: count * monthly(hourly) },
    ...(disk > 0 ? [{ what: `${count} × ${disk} GB gp3 disk`, monthly: count * disk * prices.gp3GbMonth }] : []),
  ];
}

function resourceLines(id: string, resource: Resource, resources: Readonly<Record<string, Resource>>, prices: RegionPrices, unpriced: Set<string>): CostLine[] {
  const properties = resource.Properties ?? {};
  switch (resource.Type) {
    case 'AWS::ElasticLoadBalancingV2::LoadBalancer':
      return [
        { what: 'load balancer', monthly: monthly(prices.loadBalancerHour) },
        { what: `${LOAD_BALANCER_ADDRESSES} public IPv4 addresses of the load balancer`, monthly: LOAD_BALANCER_ADDRESSES * monthly(prices.publicIpv4Hour) },
      ];
    case 'AWS::EC2::NatGateway':
      return [{ what: 'NAT gateway', monthly: monthly(prices.natGatewayHour) }];
    case 'AWS::EC2::EIP':
      return [{ what: 'public IPv4 address', monthly: monthly(prices.publicIpv4Hour) }];
    case 'AWS::EC2::Instance':
      return instanceLines(`instance ${id}`, properties.InstanceType, 1, properties, prices, unpriced);
    case 'AWS::KMS::Key':
      return [{ what: 'KMS key', monthly: prices.kmsKeyMonth }];
    case 'AWS::AutoScaling::AutoScalingGroup': {
      const data = launchDataOf(resource, resources);
      // The group's smallest size is what it runs without load; scaling out adds to it.
      const count = numberOf(properties.MinSize) ?? numberOf(properties.DesiredCapacity) ?? 1;
      const lines = instanceLines(`instances of ${id}`, data?.InstanceType, count, data, prices, unpriced, allSpot(resource));
      return resource.Metadata?.[RUNS_WHILE_SERVING] === true ? lines.map((line) => ({ ...line, what: `${line.what} (${id}, serving release only)`, once: true })) : lines;
    }
    case 'AWS::RDS::DBInstance': {
      const type = typeof properties.DBInstanceClass === 'string' ? properties.DBInstanceClass : undefined;
      const hourly = type ? prices.databaseHour[type] : undefined;
      const zones = properties.MultiAZ === true || properties.MultiAZ === 'true' ? 2 : 1;
      const storage = numberOf(properties.AllocatedStorage) ?? 0;
      if (!type || hourly === undefined) {
        unpriced.add(`database ${id} (${type ?? 'class unknown'})`);
        return [];
      }
      return [
        { what: `database ${type}${zones === 2 ? ', Multi-AZ' : ''}`, monthly: zones * monthly(hourly) },
        ...(storage > 0 ? [{ what: `${storage} GB database storage`, monthly: zones * storage * prices.databaseStorageGbMonth }] : []),
      ];
    }
    default:
      return [];
  }
}

function usageOf(types: ReadonlySet<string>, prices: RegionPrices): string[] {
  const usage: string[] = [];
  if (types.has('AWS::ElasticLoadBalancingV2::LoadBalancer')) usage.push('load balancer capacity units: 0.008 USD per LCU-hour (about 1 GB of traffic an hour each)');
  if (types.has('AWS::EC2::NatGateway')) usage.push(`NAT gateway: ${prices.natGatewayGb} USD per GB it processes`);
  if (types.has('AWS::Logs::LogGroup')) usage.push(`logs: ${prices.logsIngestGb} USD per GB written, ${prices.logsStoreGbMonth} USD per GB-month kept`);
  return usage;
}

/** The monthly estimate of `stacks` in `region`. */
export function estimateCost(stacks: readonly StackToPrice[], region: string): CostEstimate {
  const prices = PRICES[region];
  if (!prices) {
    return { region, pricesAsOf: PRICES_AS_OF, stacks: [], monthly: 0, usage: [], unpriced: [`region ${region}: no price table (prices are known for ${Object.keys(PRICES).join(', ')})`] };
  }
  const unpriced = new Set<string>();
  const types = new Set<string>();
  const costs = stacks.map((stack): StackCost => {
    const resources = stack.template.Resources ?? {};
    const copies = stack.copies ?? 1;
    const lines = Object.entries(resources).flatMap(([id, resource]) => {
      types.add(resource.Type);
      return resourceLines(id, resource, resources, prices, unpriced);
    });
    const sum = (some: readonly CostLine[]) => some.reduce((total, line) => total + line.monthly, 0);
    const monthlyCost = copies * sum(lines.filter((line) => !line.once)) + sum(lines.filter((line) => line.once));
    return { name: stack.name, ...(stack.shared ? { shared: stack.shared } : {}), copies, lines, monthly: monthlyCost };
  });
  return {
    region,
    pricesAsOf: PRICES_AS_OF,
    stacks: costs,
    monthly: costs.reduce((sum, stack) => sum + stack.monthly, 0),
    usage: usageOf(types, prices),
    unpriced: [...unpriced],
  };
}

/** "16.43 USD/month" */
export function formatMonthly(value: number): string {
  return `${usd(value)} USD/month`;
}
