import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateCost } from '../../src/cost/estimate.js';
import { HOURS_PER_MONTH, PRICES } from '../../src/cost/prices.js';
import { environmentCost } from '../../src/engine/cost.js';
import { planRun } from '../../src/engine/plan.js';
import { planMarkdown, planText } from '../../src/report/plan.js';
import { summaryMarkdown } from '../../src/report/summary.js';
import { configOf } from '../support/config.js';
import { FakeAws, V1 } from '../support/fake-aws.js';
import { parseDiagram } from '../support/mermaid.js';

// Issue 16: the bill on the plan, read from the templates the product deploys.

const US = PRICES['us-east-1']!;
const month = (hourly: number) => hourly * HOURS_PER_MONTH;
const cents = (value: number) => Math.round(value * 100) / 100;

/** One release stack: one t3.small and its 20 GB disk, behind the application's load balancer. */
const RELEASE = month(US.instanceHour['t3.small']!) + 20 * US.gp3GbMonth;
/** The application's one load balancer in an environment, with an address per zone. */
const BALANCER = month(US.loadBalancerHour) + 2 * month(US.publicIpv4Hour);

describe('the cost estimate', () => {
  test('a release stack costs its instances and their disks; the load balancer is the environment\'s one', () => {
    const cost = environmentCost(configOf({ environment: 'staging' }), 'us-east-1');
    const release = cost.stacks.at(-1)!;
    assert.deepEqual(release.lines.map((line) => line.what), ['1 × t3.small', '1 × 20 GB gp3 disk']);
    assert.equal(cents(release.monthly), cents(RELEASE));
    const balancer = cost.stacks.find((stack) => stack.name === 'awesome-application-staging-load-balancer')!;
    assert.deepEqual(balancer.lines.map((line) => line.what), ['load balancer', '2 public IPv4 addresses of the load balancer']);
    assert.equal(cents(balancer.monthly), cents(BALANCER));
  });

  test('the network costs its NAT gateway and its address, and says that every application of the environment shares it', () => {
    const network = environmentCost(configOf({ environment: 'production' }), 'us-east-1').stacks[1]!;
    assert.equal(network.name, 'wimpy-production');
    assert.equal(cents(network.monthly), cents(month(US.natGatewayHour) + month(US.publicIpv4Hour)));
    assert.equal(network.shared, 'every application in production');
  });

  test('nat: instance costs one t4g.nano, its disk and its address instead of the NAT gateway', () => {
    const network = environmentCost(configOf({ environment: 'production', nat: 'instance' }), 'us-east-1').stacks[1]!;
    assert.deepEqual(network.lines.map((line) => line.what), ['1 × t4g.nano', '1 × 8 GB gp3 disk', 'public IPv4 address']);
    assert.equal(cents(network.monthly), cents(month(US.instanceHour['t4g.nano']!) + 8 * US.gp3GbMonth + month(US.publicIpv4Hour)));
    const gateway = environmentCost(configOf({ environment: 'production' }), 'us-east-1').stacks[1]!;
    assert.ok(gateway.monthly - network.monthly > 25, 'saves most of the NAT line');
  });

  test('blue-green counts the serving release and every warm one, and one load balancer for all of them', () => {
    const cost = environmentCost(configOf({ environment: 'production', strategy: 'blue-green', 'keep-releases': '2' }), 'us-east-1');
    assert.equal(cost.stacks.at(-1)!.copies, 3);
    assert.equal(cents(cost.stacks.at(-1)!.monthly), cents(3 * RELEASE));
    const balancers = cost.stacks.filter((stack) => stack.lines.some((line) => line.what === 'load balancer'));
    assert.deepEqual(balancers.map((stack) => [stack.name, stack.copies]), [['awesome-application-production-load-balancer', 1]]);
  });

  test('the workers\' instances are counted: in rolling with the release, in blue-green once, since only the serving release runs them', () => {
    const worker = month(US.instanceHour['m7i.large']!) * 2 + 2 * 20 * US.gp3GbMonth;
    const rolling = environmentCost(configOf({ environment: 'staging', processes: 'worker=celery worker', 'processes-sizes': 'worker=2-4 m7i.large' }), 'us-east-1').stacks.at(-1)!;
    assert.deepEqual(rolling.lines.map((line) => line.what), ['1 × t3.small', '1 × 20 GB gp3 disk', '2 × m7i.large', '2 × 20 GB gp3 disk']);
    assert.equal(cents(rolling.monthly), cents(RELEASE + worker));
    const blueGreen = environmentCost(configOf({ environment: 'production', strategy: 'blue-green', 'keep-releases': '2', processes: 'worker=celery worker', 'processes-sizes': 'worker=2-4 m7i.large' }), 'us-east-1').stacks.at(-1)!;
    assert.equal(blueGreen.copies, 3);
    assert.deepEqual(blueGreen.lines.filter((line) => line.once).map((line) => line.what), ['2 × m7i.large (ProcessWorkerGroup, serving release only)', '2 × 20 GB gp3 disk (ProcessWorkerGroup, serving release only)']);
    assert.equal(cents(blueGreen.monthly), cents(3 * RELEASE + worker));
  });

  test('the group is priced at its smallest size, in the instance type and region asked for', () => {
    const cost = environmentCost(configOf({ 'instance-type': 't4g.medium', 'min-size': '3', 'desired-size': '3', 'max-size': '6' }), 'eu-west-1');
    assert.equal(cost.stacks.at(-1)!.lines[0]!.what, '3 × t4g.medium');
    assert.equal(cents(cost.stacks.at(-1)!.lines[0]!.monthly), cents(3 * month(PRICES['eu-west-1']!.instanceHour['t4g.medium']!)));
  });

  test('a Spot preview\'s instance is priced at half the on-demand price, and its line says so; its disk is priced as ever', () => {
    const preview = (inputs: Record<string, string>) => environmentCost(configOf(inputs, { sha: 'a'.repeat(40), intent: { kind: 'preview-deploy', pullRequest: 3 } }), 'us-east-1').stacks.at(-1)!;
    const spot = preview({});
    assert.deepEqual(spot.lines.map((line) => line.what), ['1 × t3.micro, Spot (estimated at half the on-demand price; Spot prices move hourly and are usually lower)', '1 × 20 GB gp3 disk']);
    assert.equal(cents(spot.lines[0]!.monthly), cents(month(US.instanceHour['t3.micro']!) / 2));
    assert.equal(cents(spot.lines[1]!.monthly), cents(20 * US.gp3GbMonth));
    const onDemand = preview({ 'preview-capacity': 'on-demand' });
    assert.deepEqual(onDemand.lines.map((line) => line.what), ['1 × t3.micro', '1 × 20 GB gp3 disk']);
    assert.equal(cents(onDemand.monthly - spot.monthly), cents(month(US.instanceHour['t3.micro']!) / 2));
  });

  test('an instance type without a price is named and left out of the total, never guessed', () => {
    const cost = environmentCost(configOf({ 'instance-type': 'x2iedn.32xlarge' }), 'us-east-1');
    assert.deepEqual(cost.unpriced, ['instances of AutoScalingGroup (x2iedn.32xlarge)']);
    assert.ok(!cost.stacks.at(-1)!.lines.some((line) => line.what.includes('x2iedn')));
  });

  test('a region without a price table is said, with the regions that have one', () => {
    const cost = estimateCost([], 'ap-southeast-7');
    assert.equal(cost.monthly, 0);
    assert.match(cost.unpriced[0]!, /^region ap-southeast-7: no price table \(prices are known for us-east-1, /);
  });

  test('without a configured region it prices in AWS\'s default region and says so', () => {
    const cost = environmentCost(configOf(), undefined);
    assert.equal(cost.region, 'us-east-1');
    assert.equal(cost.regionAssumed, true);
    assert.match(planText(planRun(configOf())), /prices in us-east-1 \(no region configured\)/);
  });

  test('what grows with traffic is named with its unit price, not added to the total', () => {
    const cost = environmentCost(configOf(), 'us-east-1');
    assert.deepEqual(cost.usage, [
      'load balancer capacity units: 0.008 USD per LCU-hour (about 1 GB of traffic an hour each)',
      'NAT gateway: 0.045 USD per GB it processes',
      'logs: 0.5 USD per GB written, 0.03 USD per GB-month kept',
    ]);
  });
});

describe('where people see the estimate', () => {
  test('plan prints the total, each stack and the date of the prices', () => {
    const text = planText(planRun(configOf({ environment: 'production', strategy: 'blue-green' }), 'eu-west-1'));
    assert.match(text, /^Estimated monthly cost: \d+\.\d\d USD\/month$/m);
    assert.match(text, /^ {2}awesome-application-production-\S+ × 2 +\d+\.\d\d USD {2}1 × t3\.small/m);
    assert.match(text, /An estimate from AWS's public on-demand prices in eu-west-1 \(as of \d{4}-\d\d\), before traffic; not a quote\./);
  });

  test("plan's summary has the table and each stack's cost in the picture of the stacks", async () => {
    const plan = planRun(configOf({ environment: 'staging' }), 'us-east-1');
    const markdown = planMarkdown(plan);
    assert.ok(markdown.includes('<details open><summary>Estimated cost: '));
    assert.ok(markdown.includes('| **total** |'));
    const diagram = await parseDiagram(markdown.match(/```mermaid\n[\s\S]*?\n```/)![0]);
    const release = diagram.nodes.find((node) => node.text.startsWith('awesome-application-staging\n'));
    assert.equal(release?.text, `awesome-application-staging\nto apply, ≈ ${cents(RELEASE).toFixed(2)} USD/month`);
  });

  test('a deploy\'s summary carries the estimate of the environment it deployed to', async () => {
    const aws = new FakeAws();
    const { report } = await aws.run(configOf({ version: V1 }));
    assert.ok(report.cost);
    assert.ok(summaryMarkdown(report).includes('<summary>Estimated cost: '));
  });
});
