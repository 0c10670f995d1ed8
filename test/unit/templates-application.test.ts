import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applicationInput, applicationParameters, applicationTemplate, amazonLinuxParameter, MAX_PARAMETER_LENGTH } from '../../src/platforms/ec2/release-template.js';
import { registryOf } from '../../src/config/image-reference.js';
import type { ApplicationParametersInput } from '../../src/platforms/ec2/release-template.js';
import { ec2 } from '../../src/platforms/ec2/index.js';
import { releaseShape } from '../../src/platforms/platform.js';
import { architectureOf } from '../../src/config/architecture.js';
import { importOf } from '../../src/templates/outputs.js';
import { TAG_APPLICATION, TAG_ENVIRONMENT, TAG_VERSION, applicationStack, pinnedHostname } from '../../src/config/names.js';
import { resourcesTemplate } from '../../src/templates/resources.js';
import type { Config } from '../../src/config/types.js';
import type { Template } from '../../src/engine/ports.js';
import { specProblems, tagProperty } from '../support/resource-spec.js';
import { COMMIT, configOf } from '../support/config.js';

type Plain = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const IMAGE = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/awesome-application:${COMMIT}@sha256:${'c'.repeat(64)}`;
const CERTIFICATE = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1234-5678-9abc-def012345678';

const ROLLING = configOf({ environment: 'production', 'min-size': '2', 'desired-size': '3', 'max-size': '6', 'cpu-target': '55', 'health-check-path': '/ready', 'signal-timeout-minutes': '7' });
const BLUE_GREEN = configOf({ strategy: 'blue-green', environment: 'production' });
const PREVIEW = configOf({}, { sha: COMMIT, intent: { kind: 'preview-deploy', pullRequest: 12 } });

const rollingStackName = (config: Config) => applicationStack(config.application, config.environment, config.strategy, config.version);
const templateOf = (config: Config): Plain => applicationTemplate(applicationInput(config)) as Plain;
const resourcesOf = (template: Plain, type: string): Plain[] => Object.values(template.Resources as Plain).filter((resource: Plain) => resource.Type === type);
const only = (template: Plain, type: string): Plain => {
  const found = resourcesOf(template, type);
  assert.equal(found.length, 1, `one ${type}`);
  return found[0]!;
};
const launchData = (template: Plain): Plain => only(template, 'AWS::EC2::LaunchTemplate').Properties.LaunchTemplateData;
const userDataText = (template: Plain): string => launchData(template).UserData['Fn::Base64']['Fn::Sub'][0];
const listener = (template: Plain, port: number): Plain => resourcesOf(template, 'AWS::ElasticLoadBalancingV2::Listener').find((found) => found.Properties.Port === port)!;

/** Every value of a key anywhere in a template. */
function valuesOf(value: unknown, key: string): unknown[] {
  if (Array.isArray(value)) return value.flatMap((item) => valuesOf(item, key));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([name, child]) => [...(name === key ? [child] : []), ...valuesOf(child, key)]);
}

function releaseOf(config: Config, image = IMAGE, own = false): ApplicationParametersInput {
  return { image, version: config.version, ...(own ? { certificateArn: CERTIFICATE } : {}), variables: config.variables, secrets: config.secrets, ...(config.strategy === 'blue-green' ? { hostedZoneId: 'Z0123456789ABCDEFGHIJ', rulePriority: 4242 } : {}) };
}

/** A release of the first layout, keeping the load balancer of its own it was created with. */
const firstLayout = (config: Config): Plain => applicationTemplate({ ...applicationInput(config), ownLoadBalancer: true }) as Plain;

describe('the application stack template', () => {
  test('AWS resource specification finds no problem in the rolling, blue-green and preview templates', () => {
    for (const config of [ROLLING, BLUE_GREEN, PREVIEW]) assert.deepEqual(specProblems(templateOf(config) as Template), [], config.environment);
    for (const config of [ROLLING, BLUE_GREEN]) assert.deepEqual(specProblems(firstLayout(config) as Template), [], `${config.environment}, first layout`);
  });

  test('instances require IMDSv2 tokens, with one hop more for the container', () => {
    assert.deepEqual(launchData(templateOf(ROLLING)).MetadataOptions, { HttpEndpoint: 'enabled', HttpTokens: 'required', HttpPutResponseHopLimit: 2 });
  });

  test('no key pair is named anywhere: nobody logs in by SSH', () => {
    assert.deepEqual(valuesOf(templateOf(ROLLING), 'KeyName'), []);
    assert.deepEqual(valuesOf(templateOf(BLUE_GREEN), 'KeyName'), []);
  });

  test('instances get no public address, and the instance security group of the resources stack is their only one', () => {
    const data = launchData(templateOf(ROLLING));
    assert.deepEqual(data.NetworkInterfaces, [{ DeviceIndex: 0, AssociatePublicIpAddress: false, DeleteOnTermination: true, Groups: [importOf('awesome-application-production-resources', 'InstanceSecurityGroupId')] }]);
    assert.equal(data.SecurityGroupIds, undefined);
    assert.equal(data.SecurityGroups, undefined);
  });

  test('instances boot the current Amazon Linux 2023 of their architecture, from an encrypted gp3 root volume, with the instance profile of the resources stack', () => {
    const template = templateOf(ROLLING);
    const data = launchData(template);
    assert.deepEqual(data.ImageId, { Ref: 'AmiId' });
    assert.deepEqual(template.Parameters.AmiId, { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64', Description: 'The Amazon Linux 2023 image of the instances.' });
    assert.equal(templateOf(configOf({ 'instance-type': 'm7g.large' })).Parameters.AmiId.Default, '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64');
    assert.deepEqual(data.BlockDeviceMappings, [{ DeviceName: '/dev/xvda', Ebs: { VolumeType: 'gp3', VolumeSize: 20, Encrypted: true, DeleteOnTermination: true } }]);
    assert.deepEqual(data.IamInstanceProfile, { Arn: importOf('awesome-application-production-resources', 'InstanceProfileArn') });
  });

  test('Graviton instance types run arm64 images and every other type x86_64', () => {
    for (const type of ['t4g.small', 'm7g.large', 'c7gn.xlarge', 'r8g.medium', 'im4gn.large', 'is4gen.medium', 'x2gd.large', 'g5g.xlarge', 'hpc7g.4xlarge', 'c6gd.large', 'a1.medium']) assert.equal(architectureOf(type), 'arm64', type);
    for (const type of ['t3.small', 't3a.micro', 'm7i.large', 'm7i-flex.large', 'c5n.large', 'g4dn.xlarge', 'gr6.4xlarge', 'x2iedn.xlarge', 'u7i-12tb.224xlarge', 'p5.48xlarge', 'inf2.xlarge', 'z1d.large']) assert.equal(architectureOf(type), 'x86_64', type);
    assert.equal(amazonLinuxParameter('t4g.small'), '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64');
  });

  test("a release has no load balancer of its own: its target group is behind the application's one, and only a blue-green release has a rule of its own on it", () => {
    assert.deepEqual(resourcesOf(templateOf(ROLLING), 'AWS::ElasticLoadBalancingV2::LoadBalancer'), []);
    assert.deepEqual(resourcesOf(templateOf(ROLLING), 'AWS::ElasticLoadBalancingV2::Listener'), []);
    assert.deepEqual(resourcesOf(templateOf(ROLLING), 'AWS::ElasticLoadBalancingV2::ListenerRule'), [], "the public hostname's rule is the deploys', in no stack");
    assert.deepEqual(only(templateOf(BLUE_GREEN), 'AWS::ElasticLoadBalancingV2::ListenerRule').Properties, {
      ListenerArn: importOf('awesome-application-production-load-balancer', 'HttpsListenerArn'),
      Priority: { Ref: 'RulePriority' },
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [pinnedHostname('awesome-application', 'production', COMMIT, 'armesto.net')] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: 'ReleaseTargetGroup' } }],
    });
  });

  test('a release of the first layout keeps its own load balancer, listeners and target group exactly as they were, its instances in both target groups', () => {
    const template = firstLayout(ROLLING);
    const properties = only(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer').Properties;
    assert.equal(properties.Scheme, 'internet-facing');
    assert.deepEqual(properties.SecurityGroups, [importOf('awesome-application-production-resources', 'LoadBalancerSecurityGroupId')]);
    const https = listener(template, 443).Properties;
    assert.deepEqual(https.Certificates, [{ CertificateArn: { Ref: 'CertificateArn' } }]);
    assert.deepEqual(https.DefaultActions, [{ Type: 'forward', TargetGroupArn: { Ref: 'TargetGroup' } }]);
    assert.equal(listener(template, 80).Properties.DefaultActions[0].Type, 'redirect');
    assert.deepEqual(template.Resources.TargetGroup, template.Resources.ReleaseTargetGroup, 'the same target group settings under its old name');
    assert.deepEqual(template.Resources.AutoScalingGroup.Properties.TargetGroupARNs, [{ Ref: 'ReleaseTargetGroup' }, { Ref: 'TargetGroup' }]);
    assert.deepEqual(Object.keys(applicationParameters(releaseOf(ROLLING, IMAGE, true))).sort(), Object.keys(template.Parameters).filter((name) => template.Parameters[name].Default === undefined).sort());
  });

  test('the health check path of the configuration is checked by the target group and by the instance before it signals', () => {
    const template = templateOf(ROLLING);
    const targetGroup = only(template, 'AWS::ElasticLoadBalancingV2::TargetGroup').Properties;
    assert.equal(targetGroup.HealthCheckPath, '/ready');
    assert.match(userDataText(template), /^health_url='http:\/\/localhost:8080\/ready'$/m);
  });

  test('the target group checks every 5 s, decides in 2 answers, accepts any 2xx and lets requests in flight finish for 30 s', () => {
    const properties = only(templateOf(ROLLING), 'AWS::ElasticLoadBalancingV2::TargetGroup').Properties;
    assert.deepEqual(
      [properties.Port, properties.Protocol, properties.HealthCheckIntervalSeconds, properties.HealthCheckTimeoutSeconds, properties.HealthyThresholdCount, properties.UnhealthyThresholdCount, properties.Matcher],
      [8080, 'HTTP', 5, 4, 2, 2, { HttpCode: '200-299' }],
    );
    assert.deepEqual(properties.TargetGroupAttributes, [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]);
  });

  test('the group is created and rolled only as instances signal health, one at a time, at full capacity', () => {
    const template = templateOf(ROLLING);
    const group = template.Resources.AutoScalingGroup;
    assert.equal(group.Type, 'AWS::AutoScaling::AutoScalingGroup');
    assert.deepEqual(group.CreationPolicy, { ResourceSignal: { Count: 3, Timeout: 'PT7M' } });
    assert.deepEqual(group.UpdatePolicy, {
      AutoScalingRollingUpdate: {
        MinInstancesInService: '3',
        MaxBatchSize: '1',
        WaitOnResourceSignals: true,
        PauseTime: 'PT7M',
        SuspendProcesses: ['HealthCheck', 'ReplaceUnhealthy', 'AZRebalance', 'AlarmNotification', 'ScheduledActions'],
      },
    });
    assert.match(userDataText(template), /--resource AutoScalingGroup /, 'the instances signal this very group');
    assert.match(userDataText(template), /^signal_timeout_seconds=420$/m);
  });

  test('a group whose desired size is its maximum still has room for the newcomer during a roll', () => {
    const template = templateOf(PREVIEW);
    assert.equal(template.Resources.AutoScalingGroup.Properties.MaxSize, '1');
    assert.equal(template.Resources.AutoScalingGroup.UpdatePolicy.AutoScalingRollingUpdate.MinInstancesInService, '0');
  });

  test('the group spans the application subnets, sized as configured, replacing instances the load balancer finds unhealthy', () => {
    const properties = (applicationTemplate({ ...applicationInput(ROLLING), creating: true }) as Plain).Resources.AutoScalingGroup.Properties;
    assert.deepEqual(properties.VPCZoneIdentifier, { 'Fn::Split': [',', importOf('wimpy-production', 'ApplicationSubnetIds')] });
    assert.deepEqual([properties.MinSize, properties.DesiredCapacity, properties.MaxSize], ['2', '3', '6']);
    assert.deepEqual(properties.LaunchTemplate, { LaunchTemplateId: { Ref: 'LaunchTemplate' }, Version: { 'Fn::GetAtt': ['LaunchTemplate', 'LatestVersionNumber'] } });
    assert.deepEqual(properties.TargetGroupARNs, [{ Ref: 'ReleaseTargetGroup' }]);
    assert.equal(properties.HealthCheckType, 'ELB');
    assert.equal(properties.HealthCheckGracePeriod, 420);
  });

  test('an update leaves the group at its current size: no DesiredCapacity, which would reset a group its scaling policy scaled out', () => {
    const group = templateOf(ROLLING).Resources.AutoScalingGroup;
    assert.equal('DesiredCapacity' in group.Properties, false);
    assert.deepEqual([group.Properties.MinSize, group.Properties.MaxSize], ['2', '6']);
    // The creation still waits for desired-size healthy instances.
    assert.equal(group.CreationPolicy.ResourceSignal.Count, 3);
  });

  test('target tracking keeps the average CPU at the configured target, and a fixed-size group has no scaling policy', () => {
    const policy = only(templateOf(ROLLING), 'AWS::AutoScaling::ScalingPolicy').Properties;
    assert.deepEqual(policy, {
      AutoScalingGroupName: { Ref: 'AutoScalingGroup' },
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' }, TargetValue: 55 },
    });
    assert.deepEqual(resourcesOf(templateOf(PREVIEW), 'AWS::AutoScaling::ScalingPolicy'), []);
  });

  test('every resource that takes tags carries the application, environment and version; instances and volumes get them at launch', () => {
    const template = templateOf(PREVIEW);
    const expected = [{ Key: TAG_APPLICATION, Value: 'awesome-application' }, { Key: TAG_ENVIRONMENT, Value: 'pr-12' }, { Key: TAG_VERSION, Value: { Ref: 'Version' } }];
    const wimpyTags = (tags: Plain[]) => tags.filter((tag) => tag.Key.startsWith('wimpy:')).map(({ Key, Value }) => ({ Key, Value }));
    for (const [logicalId, resource] of Object.entries(template.Resources as Record<string, Plain>)) {
      const property = tagProperty(resource.Type);
      // AWS's linter still rejects Tags on listeners; they are found through their load balancer.
      if (property === undefined || resource.Type === 'AWS::ElasticLoadBalancingV2::Listener') continue;
      assert.deepEqual(wimpyTags(resource.Properties[property]), expected, logicalId);
    }
    assert.ok(template.Resources.AutoScalingGroup.Properties.Tags.every((tag: Plain) => tag.PropagateAtLaunch === true));
    const specifications = launchData(template).TagSpecifications as Plain[];
    assert.deepEqual(specifications.map((specification) => specification.ResourceType), ['instance', 'volume', 'network-interface']);
    for (const specification of specifications) assert.deepEqual(wimpyTags(specification.Tags), expected, specification.ResourceType);
  });

  test('a preview runs on preview-instance-type, the smallest type that runs a container unless the input says otherwise', () => {
    assert.equal(launchData(templateOf(PREVIEW)).InstanceType, 't3.micro');
    assert.equal(launchData(templateOf(configOf({ 'instance-type': 'm7i.large' }, { sha: COMMIT, intent: { kind: 'preview-deploy', pullRequest: 12 } }))).InstanceType, 't3.micro', 'instance-type is the environments\' own');
    assert.equal(launchData(templateOf(configOf({ 'preview-instance-type': 't3.small' }, { sha: COMMIT, intent: { kind: 'preview-deploy', pullRequest: 12 } }))).InstanceType, 't3.small');
    assert.equal(launchData(templateOf(ROLLING)).InstanceType, 't3.small');
  });

  test('a preview runs in the staging network with resources of its own, and tells its container its own name', () => {
    const template = templateOf(PREVIEW);
    assert.deepEqual(template.Resources.AutoScalingGroup.Properties.VPCZoneIdentifier, { 'Fn::Split': [',', importOf('wimpy-staging', 'ApplicationSubnetIds')] });
    const [script, values] = launchData(template).UserData['Fn::Base64']['Fn::Sub'];
    assert.deepEqual(values, {
      KmsKeyArn: importOf('wimpy-base', 'KmsKeyArn'),
      StorageBucketName: importOf('wimpy-base', 'StorageBucketName'),
      LogGroupName: importOf('awesome-application-pr-12-resources', 'LogGroupName'),
    });
    assert.deepEqual(launchData(template).IamInstanceProfile, { Arn: importOf('awesome-application-pr-12-resources', 'InstanceProfileArn') });
    assert.match(script, /^environment='pr-12'$/m);
    assert.doesNotMatch(JSON.stringify(template), /staging-resources/);
  });

  test("a blue-green release answers at its pinned hostname, an alias of the application's load balancer; public records are not in the stack", () => {
    const template = templateOf(BLUE_GREEN);
    const record = only(template, 'AWS::Route53::RecordSet').Properties;
    assert.deepEqual(record, {
      HostedZoneId: { Ref: 'HostedZoneId' },
      Name: pinnedHostname('awesome-application', 'production', COMMIT, 'armesto.net'),
      Type: 'A',
      AliasTarget: { DNSName: importOf('awesome-application-production-load-balancer', 'LoadBalancerDnsName'), HostedZoneId: importOf('awesome-application-production-load-balancer', 'LoadBalancerHostedZoneId'), EvaluateTargetHealth: false },
    });
    assert.deepEqual(resourcesOf(templateOf(ROLLING), 'AWS::Route53::RecordSet'), []);
  });

  test('the stack reports what traffic shifts and rollbacks need: its target group, behind which load balancer', () => {
    assert.deepEqual(templateOf(BLUE_GREEN).Outputs, {
      TargetGroupArn: { Value: { Ref: 'ReleaseTargetGroup' } },
      SharedLoadBalancer: { Value: 'awesome-application-production-load-balancer' },
      AutoScalingGroupName: { Value: { Ref: 'AutoScalingGroup' } },
      Version: { Value: { Ref: 'Version' } },
    });
    assert.deepEqual(Object.keys(firstLayout(BLUE_GREEN).Outputs).sort(), ['AutoScalingGroupName', 'LoadBalancerArn', 'LoadBalancerDnsName', 'LoadBalancerHostedZoneId', 'SharedLoadBalancer', 'TargetGroupArn', 'Version']);
  });

  test('the template does not change when only the version or the image changes: those are parameters', () => {
    const next = configOf({ environment: 'production', 'min-size': '2', 'desired-size': '3', 'max-size': '6', 'cpu-target': '55', 'health-check-path': '/ready', 'signal-timeout-minutes': '7', version: 'v2.0.0' });
    assert.deepEqual(templateOf(next), templateOf(ROLLING));
    const before = applicationParameters(releaseOf(ROLLING));
    const after = applicationParameters(releaseOf(next, `ghcr.io/wimpy/awesome-application:v2.0.0@sha256:${'d'.repeat(64)}`));
    assert.deepEqual(Object.keys(after).filter((name) => after[name] !== before[name]).sort(), ['ImageUri', 'Registry', 'Version']);
  });

  test('the parameters of a release are exactly those the template asks for', () => {
    for (const config of [ROLLING, BLUE_GREEN]) {
      const template = templateOf(config);
      const required = Object.keys(template.Parameters).filter((name) => template.Parameters[name].Default === undefined).sort();
      assert.deepEqual(Object.keys(applicationParameters(releaseOf(config))).sort(), required, config.strategy);
    }
  });

  test('every parameter value of a release matches its allowed pattern, so that CloudFormation accepts it', () => {
    const config = configOf({ strategy: 'blue-green', 'environment-variables': 'A=$(id)\nB=\'x\'', secrets: 'DB_PASSWORD=db-password' });
    const template = templateOf(config);
    for (const [name, value] of Object.entries(applicationParameters(releaseOf(config)))) assert.match(value, new RegExp(template.Parameters[name].AllowedPattern), name);
  });

  test("secrets reach the instances as parameter names only: the template holds none, and the function is never given a value", () => {
    const config = configOf({ secrets: 'DB_PASSWORD=db-password\nAPI_KEY=/awesome-application/staging/api/key' });
    const parameters = applicationParameters(releaseOf(config));
    assert.equal(Buffer.from(parameters.Secrets!, 'base64').toString('utf8'), 'DB_PASSWORD=/awesome-application/staging/db-password\nAPI_KEY=/awesome-application/staging/api/key\n');
    assert.doesNotMatch(JSON.stringify(templateOf(config)), /db-password|api\/key|DB_PASSWORD/);
  });

  test('environment variables reach the instances exactly, as a base64-encoded env file', () => {
    const config = configOf({ 'environment-variables': 'GREETING=hello, "world" $(id) `id` \'q\' a=b,c ]]>\nEMPTY=' });
    const parameters = applicationParameters(releaseOf(config));
    assert.equal(Buffer.from(parameters.EnvironmentVariables!, 'base64').toString('utf8'), 'GREETING=hello, "world" $(id) `id` \'q\' a=b,c ]]>\nEMPTY=\n');
    assert.doesNotMatch(JSON.stringify(templateOf(config)), /GREETING/);
  });

  test('an image that is not pinned by digest is refused', () => {
    assert.throws(() => applicationParameters(releaseOf(ROLLING, 'ghcr.io/wimpy/awesome-application:v1')), /not pinned by digest/);
  });

  test('environment variables larger than a CloudFormation parameter are refused with a way out', () => {
    const value = 'x'.repeat(MAX_PARAMETER_LENGTH);
    assert.throws(() => applicationParameters({ ...releaseOf(ROLLING), variables: [{ name: 'BIG', value }] }), /environment-variables take \d+ characters once encoded, more than the 4096 .* SSM Parameter Store/);
  });

  test('the registry of an image is its first component when that names a host, else Docker Hub', () => {
    assert.equal(registryOf(IMAGE), '123456789012.dkr.ecr.eu-west-1.amazonaws.com');
    assert.equal(registryOf(`localhost:5000/app@sha256:${'e'.repeat(64)}`), 'localhost:5000');
    assert.equal(registryOf(`ghcr.io/wimpy/app@sha256:${'e'.repeat(64)}`), 'ghcr.io');
    assert.equal(registryOf(`library/nginx@sha256:${'e'.repeat(64)}`), 'docker.io');
    assert.equal(registryOf(`nginx@sha256:${'e'.repeat(64)}`), 'docker.io');
  });

  test("the group reports every launch and termination, and their failures, to the environment's topic and the user's own topics", () => {
    const types = ['autoscaling:EC2_INSTANCE_LAUNCH', 'autoscaling:EC2_INSTANCE_LAUNCH_ERROR', 'autoscaling:EC2_INSTANCE_TERMINATE', 'autoscaling:EC2_INSTANCE_TERMINATE_ERROR'];
    const group = (template: Plain) => only(template, 'AWS::AutoScaling::AutoScalingGroup').Properties.NotificationConfigurations;
    assert.deepEqual(group(templateOf(ROLLING)), [{ TopicARN: { 'Fn::ImportValue': 'wimpy-production-NotificationTopicArn' }, NotificationTypes: types }]);
    assert.deepEqual(group(templateOf(PREVIEW)), [{ TopicARN: { 'Fn::ImportValue': 'wimpy-staging-NotificationTopicArn' }, NotificationTypes: types }]);
    const alerts = 'arn:aws:sns:eu-west-1:123456789012:alerts';
    assert.deepEqual(group(templateOf(configOf({ notify: `oncall@example.com,${alerts}` }))), [
      { TopicARN: { 'Fn::ImportValue': 'wimpy-staging-NotificationTopicArn' }, NotificationTypes: types },
      { TopicARN: alerts, NotificationTypes: types },
    ]);
  });

  test("the stack lets the instances' role signal this stack alone, by its id, before any instance starts", () => {
    for (const [config, resources] of [[ROLLING, 'awesome-application-production-resources'], [BLUE_GREEN, 'awesome-application-production-resources'], [PREVIEW, 'awesome-application-pr-12-resources']] as const) {
      const template = templateOf(config);
      const policy = only(template, 'AWS::IAM::Policy');
      assert.deepEqual(policy.Properties.Roles, [importOf(resources, 'InstanceRoleName')]);
      assert.deepEqual(policy.Properties.PolicyDocument.Statement, [{ Sid: 'SignalThisStack', Effect: 'Allow', Action: ['cloudformation:SignalResource', 'cloudformation:DescribeStackResource'], Resource: { Ref: 'AWS::StackId' } }]);
      assert.ok(only(template, 'AWS::AutoScaling::AutoScalingGroup').DependsOn.includes('SignalPolicy'));
    }
  });

  test('a stack of application shop-api cannot be signalled by the instances of shop in environment api', () => {
    const shopInApi = configOf({ 'application-name': 'shop', environment: 'api' });
    const shopApiInStaging = configOf({ 'application-name': 'shop-api', environment: 'staging' });
    const stackId = (name: string) => `arn:aws:cloudformation:eu-west-1:123456789012:stack/${name}/0a1b2c3d-0000-0000-0000-000000000000`;
    // What the role of shop in api may signal: every SignalResource grant of its resources stack and of its own application stack.
    const grants = [
      ...valuesOf(resourcesTemplate({ application: 'shop', environment: 'api', networkEnvironment: 'api', port: 8080, logRetentionDays: 30 }), 'Statement').flat() as Plain[],
      ...valuesOf(templateOf(shopInApi), 'Statement').flat() as Plain[],
    ].filter((statement) => [statement.Action].flat().includes('cloudformation:SignalResource'));
    const reaches = (target: string) => grants.some((statement) => [statement.Resource].flat().some((resource: unknown) =>
      JSON.stringify(resource) === JSON.stringify({ Ref: 'AWS::StackId' }) ? target === stackId('shop-api') : typeof resource === 'string' && new RegExp(`^${resource.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(target)));
    assert.equal(rollingStackName(shopInApi), 'shop-api');
    assert.ok(reaches(stackId('shop-api')), 'its own stack');
    assert.equal(rollingStackName(shopApiInStaging), 'shop-api-staging');
    assert.equal(reaches(stackId('shop-api-staging')), false, 'the stack of shop-api in staging');
    assert.equal(reaches(stackId('shop-api-1a2b3c4')), false, 'another release of shop in api: it grants its own');
  });

  test('the traffic strategy decides the pinned hostname, and the platform only fills it in', () => {
    assert.equal(releaseShape(ROLLING).pinnedHostname, undefined);
    assert.equal(releaseShape(BLUE_GREEN).pinnedHostname, 'awesome-application-production-6113728.armesto.net');
    assert.deepEqual(ec2.template(BLUE_GREEN, releaseShape(BLUE_GREEN)), applicationTemplate(applicationInput(BLUE_GREEN)));
    assert.equal(JSON.stringify(ec2.template(ROLLING, releaseShape(ROLLING))).includes('AWS::Route53::RecordSet'), false, 'a rolling release has no record of its own');
  });
});

describe('the processes of a release (workers)', () => {
  const WORKERS = configOf({
    strategy: 'blue-green',
    environment: 'production',
    processes: 'worker=celery -A shop worker\nmail-sender=python -m mailer',
    'processes-sizes': 'worker=2-5 c7i.large',
    'processes-health': 'worker=celery -A shop inspect ping',
    'processes-grace-seconds': '45',
  });
  const template = () => templateOf(WORKERS);

  test('AWS resource specification finds no problem in a template with processes', () => {
    assert.deepEqual(specProblems(template() as Template), []);
  });

  test('each process is a group of its own in the application subnets, without a load balancer or a target group, health by EC2', () => {
    const group = template().Resources.ProcessWorkerGroup;
    assert.equal(group.Type, 'AWS::AutoScaling::AutoScalingGroup');
    assert.equal(group.Properties.TargetGroupARNs, undefined);
    assert.equal(group.Properties.HealthCheckType, 'EC2');
    assert.deepEqual(group.Properties.VPCZoneIdentifier, template().Resources.AutoScalingGroup.Properties.VPCZoneIdentifier);
    assert.deepEqual([group.Properties.MinSize, group.Properties.MaxSize], ['2', '5']);
    assert.deepEqual(group.Properties.LaunchTemplate.LaunchTemplateId, { Ref: 'ProcessWorkerLaunchTemplate' });
    assert.ok(group.Properties.Tags.some((tag: Plain) => tag.Key === 'wimpy:process' && tag.Value === 'worker' && tag.PropagateAtLaunch === true));
    // The template holds one target group: web's.
    assert.equal(resourcesOf(template(), 'AWS::ElasticLoadBalancingV2::TargetGroup').length, 1);
    assert.ok(template().Resources.ProcessMailXsenderGroup, 'a hyphen in a name becomes X in the logical id');
  });

  test('a process waits for its instances\' signals, as web does: a worker that never becomes healthy fails the release', () => {
    const group = template().Resources.ProcessWorkerGroup;
    assert.deepEqual(group.CreationPolicy, { ResourceSignal: { Count: 2, Timeout: 'PT10M' } });
    assert.equal(group.UpdatePolicy.AutoScalingRollingUpdate.WaitOnResourceSignals, true);
    assert.ok(group.DependsOn.includes('SignalPolicy'));
  });

  test('its command and health command are in its launch template\'s metadata; its user data runs that process and signals its group', () => {
    const launch = template().Resources.ProcessWorkerLaunchTemplate;
    assert.deepEqual(launch.Metadata, { 'wimpy:process': { command: 'celery -A shop worker', health: 'celery -A shop inspect ping' } });
    assert.deepEqual(template().Resources.ProcessMailXsenderLaunchTemplate.Metadata, { 'wimpy:process': { command: 'python -m mailer' } });
    assert.equal(launch.Properties.LaunchTemplateData.InstanceType, 'c7i.large');
    const script: string = launch.Properties.LaunchTemplateData.UserData['Fn::Base64']['Fn::Sub'][0];
    assert.match(script, /^process='worker'$/m);
    assert.match(script, /^grace_seconds=45$/m);
    assert.match(script, /--resource ProcessWorkerGroup /);
    assert.match(script, /^launch_template='ProcessWorkerLaunchTemplate'$/m);
    assert.doesNotMatch(script, /celery/);
  });

  test('in rolling the workers roll with web: a new image is one parameter both launch templates read, and each group replaces its instances one at a time, waiting for their signals', () => {
    const rolling = templateOf(configOf({ processes: 'worker=celery -A shop worker', 'processes-sizes': 'worker=2-4' }));
    const script = (id: string): string => rolling.Resources[id].Properties.LaunchTemplateData.UserData['Fn::Base64']['Fn::Sub'][0];
    assert.match(script('LaunchTemplate'), /\$\{ImageUri\}/);
    assert.match(script('ProcessWorkerLaunchTemplate'), /\$\{ImageUri\}/);
    for (const id of ['AutoScalingGroup', 'ProcessWorkerGroup']) {
      assert.deepEqual(rolling.Resources[id].Properties.LaunchTemplate.Version, { 'Fn::GetAtt': [id === 'AutoScalingGroup' ? 'LaunchTemplate' : 'ProcessWorkerLaunchTemplate', 'LatestVersionNumber'] });
    }
    const roll = rolling.Resources.ProcessWorkerGroup.UpdatePolicy.AutoScalingRollingUpdate;
    assert.deepEqual([roll.MaxBatchSize, roll.MinInstancesInService, roll.WaitOnResourceSignals], ['1', '2', true]);
  });

  test('a range scales on cpu-target; a count does not', () => {
    assert.equal(template().Resources.ProcessWorkerCpuScaling.Properties.AutoScalingGroupName.Ref, 'ProcessWorkerGroup');
    assert.equal(template().Resources.ProcessMailXsenderCpuScaling, undefined);
  });

  test('the stack\'s output names each process\'s group and sizes', () => {
    assert.deepEqual(template().Outputs.Processes.Value, { 'Fn::Join': [',', [
      { 'Fn::Join': [' ', ['worker', { Ref: 'ProcessWorkerGroup' }, '2', '2', '5']] },
      { 'Fn::Join': [' ', ['mail-sender', { Ref: 'ProcessMailXsenderGroup' }, '1', '1', '1']] },
    ]] });
    assert.equal(templateOf(BLUE_GREEN).Outputs.Processes, undefined, 'no processes, no output');
  });
});

describe('a preview on Spot (preview-capacity)', () => {
  const preview = (inputs: Record<string, string> = {}) => configOf(inputs, { sha: COMMIT, intent: { kind: 'preview-deploy', pullRequest: 12 } });
  const groupOf = (config: Config, id = 'AutoScalingGroup'): Plain => templateOf(config).Resources[id];
  const LAUNCH_TEMPLATE = { LaunchTemplateId: { Ref: 'LaunchTemplate' }, Version: { 'Fn::GetAtt': ['LaunchTemplate', 'LatestVersionNumber'] } };

  test('by default a preview buys Spot only, from the pools with the most spare capacity at the lowest price, and starts a replacement at the rebalance recommendation', () => {
    const properties = groupOf(preview()).Properties;
    assert.deepEqual(properties.MixedInstancesPolicy.InstancesDistribution, { OnDemandBaseCapacity: 0, OnDemandPercentageAboveBaseCapacity: 0, SpotAllocationStrategy: 'price-capacity-optimized' });
    assert.equal(properties.CapacityRebalance, true);
  });

  test("the group names its launch template in the mixed instances policy alone, never beside it, as AWS requires", () => {
    const properties = groupOf(preview()).Properties;
    assert.deepEqual(properties.MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification, LAUNCH_TEMPLATE);
    assert.equal('LaunchTemplate' in properties, false);
  });

  test('the default t3.micro may also run as t3a.micro or t2.micro: the same memory and the architecture of the image the instances boot', () => {
    const template = templateOf(preview());
    const types = template.Resources.AutoScalingGroup.Properties.MixedInstancesPolicy.LaunchTemplate.Overrides.map((override: Plain) => override.InstanceType);
    assert.deepEqual(types, ['t3.micro', 't3a.micro', 't2.micro']);
    for (const type of types) assert.equal(amazonLinuxParameter(type), template.Parameters.AmiId.Default, type);
  });

  test('a preview-instance-type of the user runs alone: what its application needs is not known', () => {
    for (const type of ['t3.small', 't4g.micro']) {
      assert.deepEqual(groupOf(preview({ 'preview-instance-type': type })).Properties.MixedInstancesPolicy.LaunchTemplate.Overrides, [{ InstanceType: type }], type);
    }
  });

  test('preview-capacity: on-demand gives a preview the plain group that staging has', () => {
    const properties = groupOf(preview({ 'preview-capacity': 'on-demand' })).Properties;
    assert.deepEqual(properties.LaunchTemplate, LAUNCH_TEMPLATE);
    assert.equal('MixedInstancesPolicy' in properties, false);
    assert.equal('CapacityRebalance' in properties, false);
  });

  test('staging and production never run on Spot, whatever preview-capacity says', () => {
    for (const config of [ROLLING, BLUE_GREEN, configOf({ environment: 'staging', 'preview-capacity': 'spot' })]) {
      const properties = groupOf(config).Properties;
      assert.equal('MixedInstancesPolicy' in properties, false, config.environment);
      assert.deepEqual(properties.LaunchTemplate, LAUNCH_TEMPLATE, config.environment);
    }
  });

  test('a Spot preview is created and rolled as an on-demand one: on its instance\'s signal, one at a time', () => {
    const spot = groupOf(preview());
    const onDemand = groupOf(preview({ 'preview-capacity': 'on-demand' }));
    assert.deepEqual(spot.CreationPolicy, onDemand.CreationPolicy);
    assert.deepEqual(spot.UpdatePolicy, onDemand.UpdatePolicy);
    assert.deepEqual(spot.DependsOn, onDemand.DependsOn);
    assert.deepEqual(spot.CreationPolicy.ResourceSignal.Count, 1);
  });

  test("a preview's workers run on Spot too, from their own launch template", () => {
    const properties = groupOf(preview({ processes: 'worker=celery -A shop worker' }), 'ProcessWorkerGroup').Properties;
    assert.deepEqual(properties.MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.LaunchTemplateId, { Ref: 'ProcessWorkerLaunchTemplate' });
    assert.equal(properties.CapacityRebalance, true);
  });

  test('AWS resource specification finds no problem in a Spot preview, with workers, or an on-demand one', () => {
    for (const config of [preview(), preview({ processes: 'worker=celery -A shop worker' }), preview({ 'preview-capacity': 'on-demand' })]) assert.deepEqual(specProblems(templateOf(config) as Template), []);
  });
});
