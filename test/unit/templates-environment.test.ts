import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TAG_APPLICATION, TAG_ENVIRONMENT } from '../../src/config/names.js';
import { baseTemplate } from '../../src/templates/base.js';
import { environmentTemplate } from '../../src/templates/environment.js';
import { cidrFor, subnetPlan } from '../../src/templates/network.js';
import { resourcesTemplate } from '../../src/templates/resources.js';
import { missingTags, resourcesOfType, specProblems } from '../support/resource-spec.js';

const staging = environmentTemplate({ environment: 'staging', cidr: '10.1.0.0/16' });
const subnets = resourcesOfType(staging, 'AWS::EC2::Subnet');
const routes = Object.values(resourcesOfType(staging, 'AWS::EC2::Route'));
const associations = Object.values(resourcesOfType(staging, 'AWS::EC2::SubnetRouteTableAssociation'));
const ref = (logicalId: string) => ({ Ref: logicalId });
const tableOf = (subnet: string) => associations.find((association) => JSON.stringify(association.Properties.SubnetId) === JSON.stringify(ref(subnet)))!.Properties.RouteTableId;
const routesOf = (table: unknown) => routes.filter((route) => JSON.stringify(route.Properties.RouteTableId) === JSON.stringify(table)).map((route) => route.Properties);

/** Every address of an IPv4 CIDR block, as a [first, last] pair of integers. */
function range(cidr: string): [number, number] {
  const [address, bits] = cidr.split('/');
  const start = address!.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
  return [start, start + 2 ** (32 - Number(bits)) - 1];
}
const overlap = (a: string, b: string) => range(a)[0] <= range(b)[1] && range(b)[0] <= range(a)[1];
const inside = (inner: string, outer: string) => range(outer)[0] <= range(inner)[0] && range(inner)[1] <= range(outer)[1];

describe('network ranges', () => {
  test('production always has 10.0.0.0/16 and staging 10.1.0.0/16', () => {
    assert.equal(cidrFor('production', ['10.0.0.0/16', '10.1.0.0/16'], '10.7.0.0/16'), '10.0.0.0/16');
    assert.equal(cidrFor('staging', [], '10.7.0.0/16'), '10.1.0.0/16');
  });

  test('a new environment takes the lowest free 10.N.0.0/16, from N = 2', () => {
    assert.equal(cidrFor('qa', []), '10.2.0.0/16');
    assert.equal(cidrFor('qa', ['10.0.0.0/16', '10.1.0.0/16', '10.2.0.0/16', '10.4.0.0/16']), '10.3.0.0/16');
  });

  test('a new environment skips any range that overlaps one taken, whatever its size', () => {
    assert.equal(cidrFor('qa', ['10.2.128.0/17', '10.3.5.0/24']), '10.4.0.0/16');
  });

  test('an environment already deployed keeps its range, since a VPC cannot change it', () => {
    assert.equal(cidrFor('qa', ['10.2.0.0/16', '10.9.0.0/16'], '10.9.0.0/16'), '10.9.0.0/16');
  });

  test('says which environment found no free range, and what to do', () => {
    const all = Array.from({ length: 254 }, (_, i) => `10.${i + 2}.0.0/16`);
    assert.throws(() => cidrFor('qa', all), /No free network range for environment qa: .*10\.2\.0\.0\/16 to 10\.255\.0\.0\/16 is taken.*Remove an environment/);
  });

  test('refuses a taken range that is not an IPv4 CIDR block', () => {
    assert.throws(() => cidrFor('qa', ['10.2.0.0']), /"10\.2\.0\.0" is not an IPv4 CIDR block/);
  });

  test('production, staging and any other environment never overlap, whatever else is taken', () => {
    const taken = fc.uniqueArray(fc.integer({ min: 2, max: 254 }), { maxLength: 60 }).map((ns) => ns.map((n) => `10.${n}.0.0/16`));
    fc.assert(fc.property(taken, (others) => {
      const third = cidrFor('qa', [cidrFor('production', []), cidrFor('staging', []), ...others]);
      const all = [cidrFor('production', others), cidrFor('staging', others), third];
      for (const [i, a] of all.entries()) for (const b of all.slice(i + 1)) assert.ok(!overlap(a, b), `${a} overlaps ${b}`);
      for (const other of others) assert.ok(!overlap(third, other), `${third} overlaps ${other}`);
    }));
  });

  test('plans two /24 subnets per tier at fixed offsets: public .0 and .1, application .10 and .11, database .20 and .21', () => {
    assert.deepEqual(subnetPlan('10.3.0.0/16'), {
      public: ['10.3.0.0/24', '10.3.1.0/24'],
      application: ['10.3.10.0/24', '10.3.11.0/24'],
      database: ['10.3.20.0/24', '10.3.21.0/24'],
    });
  });

  test('refuses to plan subnets in a range that is not an A.B.0.0/16', () => {
    assert.throws(() => subnetPlan('10.3.0.0/20'), /"10\.3\.0\.0\/20" is not a network range of the form A\.B\.0\.0\/16/);
  });
});

describe('the environment stack', () => {
  test('passes the CloudFormation resource specification for production, staging and another environment', () => {
    for (const [environment, cidr] of [['production', '10.0.0.0/16'], ['staging', '10.1.0.0/16'], ['qa', '10.2.0.0/16']] as const) {
      assert.deepEqual(specProblems(environmentTemplate({ environment, cidr })), []);
    }
  });

  test("gives the VPC the environment's range, with DNS support and DNS hostnames", () => {
    const vpc = resourcesOfType(staging, 'AWS::EC2::VPC').Vpc!;
    assert.equal(vpc.Properties.CidrBlock, '10.1.0.0/16');
    assert.equal(vpc.Properties.EnableDnsSupport, true);
    assert.equal(vpc.Properties.EnableDnsHostnames, true);
  });

  test('places each tier in the subnets of the plan, all inside the VPC', () => {
    const plan = subnetPlan('10.1.0.0/16');
    assert.deepEqual(Object.fromEntries(Object.entries(subnets).map(([id, subnet]) => [id, subnet.Properties.CidrBlock])), {
      PublicSubnet1: plan.public[0], PublicSubnet2: plan.public[1],
      ApplicationSubnet1: plan.application[0], ApplicationSubnet2: plan.application[1],
      DatabaseSubnet1: plan.database[0], DatabaseSubnet2: plan.database[1],
    });
    for (const subnet of Object.values(subnets)) assert.ok(inside(subnet.Properties.CidrBlock as string, '10.1.0.0/16'));
  });

  test('spreads every tier over two availability zones that CloudFormation looks up in the region', () => {
    for (const tier of ['Public', 'Application', 'Database']) {
      assert.deepEqual(subnets[`${tier}Subnet1`]!.Properties.AvailabilityZone, { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] });
      assert.deepEqual(subnets[`${tier}Subnet2`]!.Properties.AvailabilityZone, { 'Fn::Select': [1, { 'Fn::GetAZs': '' }] });
    }
  });

  test('names no availability zone in any template: zones are looked up, never written down', () => {
    const templates = [baseTemplate({ cloudTrail: true }), staging, resourcesTemplate({ application: 'shop', environment: 'staging', networkEnvironment: 'staging', port: 8080, logRetentionDays: 30 })];
    for (const template of templates) assert.doesNotMatch(JSON.stringify(template), /\b[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d[a-z]\b/);
  });

  test('gives no public address to anything launched in any subnet', () => {
    for (const subnet of Object.values(subnets)) assert.equal(subnet.Properties.MapPublicIpOnLaunch, false);
  });

  test('routes the public subnets to the internet gateway', () => {
    for (const subnet of ['PublicSubnet1', 'PublicSubnet2']) {
      assert.deepEqual(routesOf(tableOf(subnet)), [{ RouteTableId: tableOf(subnet), DestinationCidrBlock: '0.0.0.0/0', GatewayId: ref('InternetGateway') }]);
    }
  });

  test('lets the application subnets out only through one NAT gateway, in the first public subnet', () => {
    for (const subnet of ['ApplicationSubnet1', 'ApplicationSubnet2']) {
      assert.deepEqual(routesOf(tableOf(subnet)), [{ RouteTableId: tableOf(subnet), DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: ref('NatGateway') }]);
    }
    const nats = Object.values(resourcesOfType(staging, 'AWS::EC2::NatGateway'));
    assert.equal(nats.length, 1);
    assert.deepEqual(nats[0]!.Properties.SubnetId, ref('PublicSubnet1'));
  });

  test('gives the database subnets no route out of the VPC', () => {
    for (const subnet of ['DatabaseSubnet1', 'DatabaseSubnet2']) assert.deepEqual(routesOf(tableOf(subnet)), []);
    const endpoint = Object.values(resourcesOfType(staging, 'AWS::EC2::VPCEndpoint'))[0]!;
    assert.ok(!JSON.stringify(endpoint.Properties.RouteTableIds).includes(JSON.stringify(tableOf('DatabaseSubnet1'))));
  });

  test('keeps storage and image layer traffic of the application subnets private, through an S3 gateway endpoint', () => {
    const endpoints = Object.values(resourcesOfType(staging, 'AWS::EC2::VPCEndpoint'));
    assert.deepEqual(endpoints.map((endpoint) => endpoint.Properties), [{
      VpcId: ref('Vpc'),
      ServiceName: { 'Fn::Sub': 'com.amazonaws.${AWS::Region}.s3' },
      VpcEndpointType: 'Gateway',
      RouteTableIds: [tableOf('ApplicationSubnet1')],
      Tags: endpoints[0]!.Properties.Tags,
    }]);
  });

  test('exports the VPC, its range and each tier as comma-joined subnet ids, under the names that importers use', () => {
    const join = (tier: string) => ({ 'Fn::Join': [',', [ref(`${tier}Subnet1`), ref(`${tier}Subnet2`)]] });
    assert.deepEqual(staging.Outputs, {
      VpcId: { Value: ref('Vpc'), Export: { Name: 'wimpy-staging-VpcId' } },
      VpcCidr: { Value: { 'Fn::GetAtt': ['Vpc', 'CidrBlock'] }, Export: { Name: 'wimpy-staging-VpcCidr' } },
      PublicSubnetIds: { Value: join('Public'), Export: { Name: 'wimpy-staging-PublicSubnetIds' } },
      ApplicationSubnetIds: { Value: join('Application'), Export: { Name: 'wimpy-staging-ApplicationSubnetIds' } },
      DatabaseSubnetIds: { Value: join('Database'), Export: { Name: 'wimpy-staging-DatabaseSubnetIds' } },
      NotificationTopicArn: { Value: ref('NotificationTopic'), Export: { Name: 'wimpy-staging-NotificationTopicArn' } },
    });
  });

  test("records every connection of the network, accepted or rejected, as flow logs in the account's log bucket", () => {
    assert.deepEqual(resourcesOfType(staging, 'AWS::EC2::FlowLog').FlowLog!.Properties, {
      ResourceId: ref('Vpc'),
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 's3',
      LogDestination: { 'Fn::Sub': ['arn:${AWS::Partition}:s3:::${Bucket}', { Bucket: { 'Fn::ImportValue': 'wimpy-base-LogBucketName' } }] },
      MaxAggregationInterval: 600,
      Tags: [{ Key: TAG_APPLICATION, Value: 'wimpy' }, { Key: TAG_ENVIRONMENT, Value: 'staging' }, { Key: 'Name', Value: 'wimpy-staging-flow-log' }],
    });
  });

  test('writes its flow logs where the log bucket lets the log delivery service write', () => {
    const base = baseTemplate({ cloudTrail: false });
    const policy = JSON.stringify(resourcesOfType(base, 'AWS::S3::BucketPolicy').LogBucketPolicy!.Properties);
    assert.ok(policy.includes('${LogBucket.Arn}/AWSLogs/${AWS::AccountId}/vpcflowlogs/*'));
    assert.equal((base.Outputs as Record<string, { Export: { Name: string } }>).LogBucketName!.Export.Name, 'wimpy-base-LogBucketName');
  });

  test('has one notification topic, named after the environment and encrypted with the master key', () => {
    const topics = resourcesOfType(staging, 'AWS::SNS::Topic');
    assert.deepEqual(Object.keys(topics), ['NotificationTopic']);
    assert.equal(topics.NotificationTopic!.Properties.TopicName, 'wimpy-staging-notifications');
    assert.deepEqual(topics.NotificationTopic!.Properties.KmsMasterKeyId, { 'Fn::ImportValue': 'wimpy-base-KmsKeyArn' });
  });

  test('refuses every publication to the topic made without TLS', () => {
    assert.deepEqual(resourcesOfType(staging, 'AWS::SNS::TopicPolicy').NotificationTopicPolicy!.Properties, {
      Topics: [ref('NotificationTopic')],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Sid: 'DenyPublishingWithoutTls', Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Resource: ref('NotificationTopic'), Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
      },
    });
  });

  test('tags every resource that takes tags as belonging to wimpy in its environment', () => {
    assert.deepEqual(missingTags(staging, { [TAG_APPLICATION]: 'wimpy', [TAG_ENVIRONMENT]: 'staging' }), []);
  });
});

describe('the environment stack with nat: instance', () => {
  const nat = environmentTemplate({ environment: 'staging', cidr: '10.1.0.0/16', nat: 'instance' });
  const instance = resourcesOfType(nat, 'AWS::EC2::Instance').NatInstance!;
  const natRoutes = Object.values(resourcesOfType(nat, 'AWS::EC2::Route')).map((route) => route.Properties);

  test('passes the CloudFormation resource specification', () => {
    assert.deepEqual(specProblems(nat), []);
  });

  test('routes the application subnets out through one NAT instance in the first public subnet, and keeps no NAT gateway', () => {
    assert.deepEqual(natRoutes.find((route) => JSON.stringify(route.RouteTableId) === JSON.stringify(ref('ApplicationRouteTable'))), { RouteTableId: ref('ApplicationRouteTable'), DestinationCidrBlock: '0.0.0.0/0', InstanceId: ref('NatInstance') });
    assert.deepEqual(resourcesOfType(nat, 'AWS::EC2::NatGateway'), {});
    assert.deepEqual((instance.Properties.NetworkInterfaces as { SubnetId: unknown }[])[0]!.SubnetId, ref('PublicSubnet1'));
  });

  test('forwards packets that are not its own, and masquerades only what comes from the application subnets', () => {
    assert.equal(instance.Properties.SourceDestCheck, false);
    const boot = (instance.Properties.UserData as { 'Fn::Base64': string })['Fn::Base64'];
    const plan = subnetPlan('10.1.0.0/16');
    for (const source of plan.application) assert.match(boot, new RegExp(`-s ${source.replace(/\./g, '\\.')} -j MASQUERADE`));
    assert.doesNotMatch(boot, /-s 0\.0\.0\.0\/0/);
    const group = resourcesOfType(nat, 'AWS::EC2::SecurityGroup').NatInstanceSecurityGroup!;
    const rules = (group.Properties.SecurityGroupIngress as { CidrIp: string; IpProtocol: string }[]).map((rule) => `${rule.IpProtocol} ${rule.CidrIp}`);
    assert.deepEqual(rules, plan.application.flatMap((source) => [`tcp ${source}`, `udp ${source}`, `icmp ${source}`]));
  });

  test('is a small Arm instance on the newest Amazon Linux of the region, with IMDSv2 only, an encrypted disk and standard credits', () => {
    assert.equal(instance.Properties.InstanceType, 't4g.nano');
    assert.deepEqual(instance.Properties.ImageId, ref('NatImageId'));
    assert.deepEqual((nat.Parameters as Record<string, unknown> | undefined)?.NatImageId, { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64', Description: "The NAT instance's image: the newest Amazon Linux 2023 for Arm when the stack is updated." });
    const launch = resourcesOfType(nat, 'AWS::EC2::LaunchTemplate').NatInstanceLaunchTemplate!;
    assert.equal((launch.Properties.LaunchTemplateData as { MetadataOptions: { HttpTokens: string } }).MetadataOptions.HttpTokens, 'required');
    assert.equal((instance.Properties.BlockDeviceMappings as { Ebs: { Encrypted: boolean } }[])[0]!.Ebs.Encrypted, true);
    assert.deepEqual(instance.Properties.CreditSpecification, { CPUCredits: 'standard' });
  });

  test('is recovered by AWS onto healthy hardware when its host fails', () => {
    const alarm = resourcesOfType(nat, 'AWS::CloudWatch::Alarm').NatInstanceRecovery!;
    assert.equal(alarm.Properties.MetricName, 'StatusCheckFailed_System');
    assert.deepEqual(alarm.Properties.Dimensions, [{ Name: 'InstanceId', Value: ref('NatInstance') }]);
    assert.deepEqual(alarm.Properties.AlarmActions, [{ 'Fn::Sub': 'arn:${AWS::Partition}:automate:${AWS::Region}:ec2:recover' }]);
  });

  test("has an elastic address of its own: a NAT gateway's address cannot move to an instance while the gateway exists", () => {
    assert.deepEqual(Object.keys(resourcesOfType(nat, 'AWS::EC2::EIP')), ['NatInstanceAddress']);
    assert.deepEqual(Object.keys(resourcesOfType(staging, 'AWS::EC2::EIP')), ['NatAddress']);
    assert.deepEqual(resourcesOfType(nat, 'AWS::EC2::EIP').NatInstanceAddress!.Properties.InstanceId, ref('NatInstance'));
  });
});
