import { BASE_STACK, TAG_PROCESS, TAG_VERSION, databaseStack, environmentStack, loadBalancerStack, resourcesStack } from '../../config/names.js';
import type { CapacityConfig, Config, DatabaseEngine, ProcessConfig } from '../../config/types.js';
import { DATABASE_OUTPUTS, URL_SCHEMES } from '../../templates/database.js';
import { releaseShape, type ReleaseShape, type ReleaseValues } from '../platform.js';
import type { Template } from '../../templates/template.js';
import { architectureOf } from '../../config/architecture.js';
import { BASE_OUTPUTS, ENVIRONMENT_OUTPUTS, LOAD_BALANCER_OUTPUTS, RESOURCES_OUTPUTS, importOf } from '../../templates/outputs.js';
import { HTTP_REDIRECT_LISTENER, MAX_RULE_PRIORITY, applicationLoadBalancer, httpsListener } from '../../templates/load-balancer.js';
import { releaseAlarms } from '../../templates/release-alarms.js';
import { resourceTags } from '../../templates/tags.js';
import { SCRIPT_VALUES, SIGNALLED_RESOURCE, encodeSecrets, encodeVariables, processMetadata, userData, type UserDataInput } from './user-data.js';
import { PROCESSES_OUTPUT, processesOutput } from '../platform.js';
import { registryOf } from '../../config/image-reference.js';
import { RUNS_WHILE_SERVING } from '../../cost/estimate.js';
import { EXCEPTIONS } from '../../templates/security-exceptions.js';

/**
 * The application stack: instances in an Auto Scaling group and the target group they register
 * in, behind the application's one load balancer of the environment (templates/load-balancer.ts),
 * whose host rules the deploys move. A blue-green release also has its pinned hostname: a host
 * rule of its own and an alias record. What changes with each release (image, version,
 * variables, secret names) is a parameter, so the template itself is the same from one release
 * to the next and a redeploy of the same release is an empty change set.
 *
 * A release created before the application's one load balancer had a load balancer of its own,
 * reached by weighted DNS records. Until resolvers have forgotten those records, its stack keeps
 * that load balancer exactly as it was (`ownLoadBalancer`), its instances registered in both
 * target groups, so that moving to the shared load balancer drops no request.
 */

/** The EC2 platform's input: the release's shape, and how many instances of which type. */
export interface ApplicationInput extends ReleaseShape {
  readonly capacity: CapacityConfig;
  readonly signalTimeoutMinutes: number;
  /** The database the containers use: its stack (the environment's own, or staging's) and engine. */
  readonly database?: { readonly stack: string; readonly engine: DatabaseEngine };
  /** The processes besides web (workers): each a group of its own, without a load balancer. */
  readonly processes?: readonly ProcessConfig[];
  readonly processGraceSeconds?: number;
}

/** The logical ids of a process's resources: `Process` and its name, a hyphen as X (names are lowercase, so no two collide). */
export function processIds(name: string): { readonly launchTemplate: string; readonly group: string; readonly scaling: string } {
  const id = `Process${name.charAt(0).toUpperCase()}${name.slice(1).replaceAll('-', 'X')}`;
  return { launchTemplate: `${id}LaunchTemplate`, group: `${id}Group`, scaling: `${id}CpuScaling` };
}

/**
 * The instance types a Spot group may run, of one size and architecture: each type is a pool of
 * spare capacity of its own in each availability zone, so more types mean fewer interruptions
 * and a launch that rarely finds no capacity. The default preview type has same-size siblings
 * (1 GiB of memory, x86_64: the image built for one runs on all); any other type the user chose
 * runs alone, since what its application needs is not known.
 */
const SPOT_SIBLINGS: Readonly<Record<string, readonly string[]>> = { 't3.micro': ['t3a.micro', 't2.micro'] };

export function spotInstanceTypes(instanceType: string): readonly string[] {
  return [instanceType, ...(SPOT_SIBLINGS[instanceType] ?? [])];
}

/** What Auto Scaling reports to the notification topics: every launch and termination, and their failures. */
export const SCALING_NOTIFICATIONS = [
  'autoscaling:EC2_INSTANCE_LAUNCH',
  'autoscaling:EC2_INSTANCE_LAUNCH_ERROR',
  'autoscaling:EC2_INSTANCE_TERMINATE',
  'autoscaling:EC2_INSTANCE_TERMINATE_ERROR',
] as const;

export type ApplicationParametersInput = ReleaseValues;

const PARAMETER = {
  ...SCRIPT_VALUES,
  certificateArn: 'CertificateArn',
  hostedZoneId: 'HostedZoneId',
  rulePriority: 'RulePriority',
  machineImage: 'AmiId',
} as const;

/** CloudFormation refuses a parameter value longer than this. */
export const MAX_PARAMETER_LENGTH = 4096;

const DIGEST_PINNED = /^[A-Za-z0-9][A-Za-z0-9._/:-]*@sha256:[a-f0-9]{64}$/;
const BASE64 = '^[A-Za-z0-9+/=]*$';

/** The public SSM parameter that always names the newest Amazon Linux 2023 image. */
export function amazonLinuxParameter(instanceType: string): string {
  return `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${architectureOf(instanceType)}`;
}

function parameters(pinned: boolean, ownLoadBalancer: boolean, instanceType: string): Record<string, unknown> {
  const encoded = (description: string) => ({ Type: 'String', AllowedPattern: BASE64, MaxLength: MAX_PARAMETER_LENGTH, Description: description });
  return {
    [PARAMETER.image]: {
      Type: 'String',
      AllowedPattern: DIGEST_PINNED.source,
      ConstraintDescription: 'must be an image pinned by digest: repository@sha256:<64 hex digits>',
      Description: 'The container image of the release.',
    },
    [PARAMETER.registry]: { Type: 'String', AllowedPattern: '^[A-Za-z0-9][A-Za-z0-9.:-]*$', Description: 'The registry host of the image.' },
    [PARAMETER.version]: { Type: 'String', AllowedPattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$', Description: 'The release version.' },
    ...(ownLoadBalancer ? { [PARAMETER.certificateArn]: { Type: 'String', AllowedPattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:\\d{12}:certificate/[A-Za-z0-9-]+$', Description: 'The ACM certificate of the HTTPS listener of its own load balancer.' } } : {}),
    ...(pinned
      ? {
          [PARAMETER.hostedZoneId]: { Type: 'String', AllowedPattern: '^[A-Z0-9]{1,32}$', Description: 'The hosted zone of the pinned hostname.' },
          [PARAMETER.rulePriority]: { Type: 'Number', MinValue: 1, MaxValue: MAX_RULE_PRIORITY, Description: "The priority of the pinned hostname's rule on the listener: one no other rule has." },
        }
      : {}),
    [PARAMETER.variables]: encoded("The container's environment variables: a docker env file, base64-encoded."),
    [PARAMETER.secrets]: encoded('The secrets to read at boot: NAME=ssm-parameter-name lines, base64-encoded.'),
    [PARAMETER.machineImage]: {
      // Resolved at every stack update: an update rolls the instances onto the newest patched image.
      Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
      Default: amazonLinuxParameter(instanceType),
      Description: 'The Amazon Linux 2023 image of the instances.',
    },
  };
}

/** The parameter values of one release. */
export function applicationParameters(input: ApplicationParametersInput): Record<string, string> {
  if (!DIGEST_PINNED.test(input.image)) throw new Error(`The image ${input.image} is not pinned by digest: deploy repository@sha256:<digest> so that every instance runs the same bytes.`);
  const values: Record<string, string> = {
    [PARAMETER.image]: input.image,
    [PARAMETER.registry]: registryOf(input.image),
    [PARAMETER.version]: input.version,
    ...(input.certificateArn === undefined ? {} : { [PARAMETER.certificateArn]: input.certificateArn }),
    ...(input.hostedZoneId === undefined ? {} : { [PARAMETER.hostedZoneId]: input.hostedZoneId }),
    ...(input.rulePriority === undefined ? {} : { [PARAMETER.rulePriority]: String(input.rulePriority) }),
    [PARAMETER.variables]: encodeVariables(input.variables),
    [PARAMETER.secrets]: encodeSecrets(input.secrets),
  };
  for (const [name, what] of [[PARAMETER.variables, 'environment-variables'], [PARAMETER.secrets, 'secrets']] as const) {
    if (values[name]!.length > MAX_PARAMETER_LENGTH) {
      throw new Error(`The ${what} take ${values[name]!.length} characters once encoded, more than the ${MAX_PARAMETER_LENGTH} a CloudFormation parameter holds: keep large values in SSM Parameter Store and name them in secrets.`);
    }
  }
  return values;
}

/** The template's input for a run's configuration: its release's shape, with the group's size. */
export function applicationInput(config: Config, shape: ReleaseShape = releaseShape(config)): ApplicationInput {
  return {
    ...shape,
    capacity: config.capacity,
    signalTimeoutMinutes: config.signalTimeoutMinutes,
    ...(config.database ? { database: { stack: databaseStack(config.application, config.database.environment), engine: config.database.engine } } : {}),
    ...(config.processes.length > 0 ? { processes: config.processes, processGraceSeconds: config.processGraceSeconds } : {}),
  };
}

/** The database stack's address and secret name, imported for the user data. */
function databaseImports(stack: string): Record<string, unknown> {
  return {
    [SCRIPT_VALUES.databaseHost]: importOf(stack, DATABASE_OUTPUTS.host),
    [SCRIPT_VALUES.databasePort]: importOf(stack, DATABASE_OUTPUTS.port),
    [SCRIPT_VALUES.databaseName]: importOf(stack, DATABASE_OUTPUTS.name),
    [SCRIPT_VALUES.databaseSecret]: importOf(stack, DATABASE_OUTPUTS.secretName),
  };
}

const ref = (name: string) => ({ Ref: name });
const getAtt = (resource: string, attribute: string) => ({ 'Fn::GetAtt': [resource, attribute] });
const minutes = (count: number) => `PT${count}M`;

export function applicationTemplate(input: ApplicationInput): Template {
  const { application, environment, networkEnvironment, capacity } = input;
  const network = environmentStack(networkEnvironment);
  // A preview's own resources (role, security groups, log group); staging's network.
  const resources = resourcesStack(application, environment);
  const splitImport = (stack: string, output: string) => ({ 'Fn::Split': [',', importOf(stack, output)] });
  const tags = [...resourceTags({ application, environment }), { Key: TAG_VERSION, Value: ref(PARAMETER.version) }];
  const named = [...tags, { Key: 'Name', Value: ref('AWS::StackName') }];
  const pinned = input.pinnedHostname !== undefined;
  const own = input.ownLoadBalancer === true;
  const loadBalancer = loadBalancerStack(application, networkEnvironment);
  const signalTimeout = minutes(input.signalTimeoutMinutes);

  const scriptInput: UserDataInput = {
    application, environment, logEnvironment: environment, port: input.port, healthCheckPath: input.healthCheckPath, signalTimeoutMinutes: input.signalTimeoutMinutes,
    ...(input.database ? { databaseScheme: URL_SCHEMES[input.database.engine] } : {}),
  };

  /** The instances of one process: its type, and the script that runs it. */
  const launchTemplate = (instanceType: string, script: UserDataInput, metadata?: Record<string, unknown>) => ({
    Type: 'AWS::EC2::LaunchTemplate',
    ...(metadata ? { Metadata: metadata } : {}),
    Properties: {
      TagSpecifications: [{ ResourceType: 'launch-template', Tags: tags }],
      LaunchTemplateData: {
        ImageId: ref(PARAMETER.machineImage),
        InstanceType: instanceType,
        IamInstanceProfile: { Arn: importOf(resources, RESOURCES_OUTPUTS.instanceProfileArn) },
        // No KeyName: nobody logs in by SSH; Session Manager reaches an instance through its role.
        // An explicit interface says what a subnet default could not: no public address, and the
        // instance security group alone, which admits only the load balancer.
        NetworkInterfaces: [{
          DeviceIndex: 0,
          AssociatePublicIpAddress: false,
          DeleteOnTermination: true,
          Groups: [importOf(resources, RESOURCES_OUTPUTS.instanceSecurityGroupId)],
        }],
        // IMDSv2 only; two hops so that the container, one network hop further, reaches the role.
        MetadataOptions: { HttpEndpoint: 'enabled', HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
        // Encrypted with the account's EBS key: a customer key would need a grant for the Auto
        // Scaling service-linked role before any instance could start.
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeType: 'gp3', VolumeSize: 20, Encrypted: true, DeleteOnTermination: true } }],
        UserData: {
          'Fn::Base64': {
            'Fn::Sub': [
              userData(script),
              {
                [SCRIPT_VALUES.kmsMasterKey]: importOf(BASE_STACK, BASE_OUTPUTS.kmsKeyArn),
                [SCRIPT_VALUES.storageBucket]: importOf(BASE_STACK, BASE_OUTPUTS.storageBucketName),
                [SCRIPT_VALUES.logGroup]: importOf(resources, RESOURCES_OUTPUTS.logGroupName),
                ...(input.database ? databaseImports(input.database.stack) : {}),
              },
            ],
          },
        },
        TagSpecifications: ['instance', 'volume', 'network-interface'].map((ResourceType) => ({ ResourceType, Tags: named })),
      },
    },
  });

  const launchTemplateOf = (launch: string) => ({ LaunchTemplateId: ref(launch), Version: getAtt(launch, 'LatestVersionNumber') });

  /**
   * Spot only (a preview's default): the launch template with the types of its size, no
   * on-demand instance at all, and the pools with the most spare capacity at the lowest price.
   * AWS warns before it takes an instance back; CapacityRebalance starts the replacement at the
   * earlier rebalance recommendation, so the preview is rarely without an instance. The group
   * names its launch template here and not beside it: AWS accepts only one of the two.
   */
  const spotCapacity = (launch: string, instanceType: string) => ({
    MixedInstancesPolicy: {
      LaunchTemplate: {
        LaunchTemplateSpecification: launchTemplateOf(launch),
        Overrides: spotInstanceTypes(instanceType).map((InstanceType) => ({ InstanceType })),
      },
      InstancesDistribution: { OnDemandBaseCapacity: 0, OnDemandPercentageAboveBaseCapacity: 0, SpotAllocationStrategy: 'price-capacity-optimized' },
    },
    CapacityRebalance: true,
  });

  /**
   * A group of instances of one process, gated by their signals: web's behind its target groups,
   * another process's without any (its instances' health is EC2's, and their container's).
   */
  const group = (launch: string, size: CapacityConfig, behind: { readonly targetGroups: readonly unknown[]; readonly dependsOn: readonly string[]; readonly tags: readonly unknown[]; readonly whileServing?: boolean }) => ({
    Type: 'AWS::AutoScaling::AutoScalingGroup',
    ...(behind.whileServing || size.spot
      ? {
          Metadata: {
            // Blue-green: the deploys scale a process to zero in a release that no longer serves.
            ...(behind.whileServing ? { [RUNS_WHILE_SERVING]: true } : {}),
            ...(size.spot ? { cdk_nag: { rules_to_suppress: [EXCEPTIONS.spotGroupVolumes] } } : {}),
          },
        }
      : {}),
    // Instances signal once their role may signal this stack.
    DependsOn: [...behind.dependsOn, 'SignalPolicy'],
    CreationPolicy: { ResourceSignal: { Count: size.desiredSize, Timeout: signalTimeout } },
    UpdatePolicy: {
      AutoScalingRollingUpdate: {
        // A new instance joins before an old one leaves, so the release keeps serving at full
        // capacity through the roll. CloudFormation needs this below MaxSize to have room for
        // the newcomer: with desired = max (a preview's 1/1/1) one instance is replaced at a time.
        MinInstancesInService: String(Math.min(size.desiredSize, size.maxSize - 1)),
        MaxBatchSize: '1',
        WaitOnResourceSignals: true,
        PauseTime: signalTimeout,
        // Scaling and health replacement would fight the roll; they resume when it ends.
        SuspendProcesses: ['HealthCheck', 'ReplaceUnhealthy', 'AZRebalance', 'AlarmNotification', 'ScheduledActions'],
      },
    },
    Properties: {
      VPCZoneIdentifier: splitImport(network, ENVIRONMENT_OUTPUTS.applicationSubnetIds),
      ...(size.spot ? spotCapacity(launch, size.instanceType) : { LaunchTemplate: launchTemplateOf(launch) }),
      MinSize: String(size.minSize),
      MaxSize: String(size.maxSize),
      ...(input.creating ? { DesiredCapacity: String(size.desiredSize) } : {}),
      ...(behind.targetGroups.length > 0 ? { TargetGroupARNs: behind.targetGroups, HealthCheckType: 'ELB' } : { HealthCheckType: 'EC2' }),
      HealthCheckGracePeriod: input.signalTimeoutMinutes * 60,
      NotificationConfigurations: [importOf(network, ENVIRONMENT_OUTPUTS.notificationTopicArn), ...(input.notificationTopics ?? [])]
        .map((TopicARN) => ({ TopicARN, NotificationTypes: [...SCALING_NOTIFICATIONS] })),
      Tags: [...named, ...behind.tags].map((tag) => ({ ...(tag as object), PropagateAtLaunch: true })),
    },
  });

  // A fixed-size group (a preview's 1/1/1) has nothing to scale, and AWS refuses the policy.
  const cpuScaling = (groupId: string, size: CapacityConfig) => (size.maxSize > size.minSize
    ? {
        Type: 'AWS::AutoScaling::ScalingPolicy',
        Properties: {
          AutoScalingGroupName: ref(groupId),
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' }, TargetValue: size.cpuTarget },
        },
      }
    : undefined);

  // A load balancer of its own (ownLoadBalancer) has its listener first, as it always had.
  const autoScalingGroup = group('LaunchTemplate', capacity, { targetGroups: [ref('ReleaseTargetGroup'), ...(own ? [ref('TargetGroup')] : [])], dependsOn: own ? ['HttpsListener'] : [], tags: [] });
  const webScaling = cpuScaling(SIGNALLED_RESOURCE, capacity);

  const processes = input.processes ?? [];
  const processResources: Record<string, unknown> = Object.fromEntries(processes.flatMap((process) => {
    const ids = processIds(process.name);
    const run = { name: process.name, command: process.command, ...(process.health ? { health: process.health } : {}), graceSeconds: input.processGraceSeconds ?? 30, resource: ids.group, launchTemplate: ids.launchTemplate };
    const scaling = cpuScaling(ids.group, process.capacity);
    return [
      [ids.launchTemplate, launchTemplate(process.capacity.instanceType, { ...scriptInput, process: run }, processMetadata(run))],
      [ids.group, group(ids.launchTemplate, process.capacity, { targetGroups: [], dependsOn: [], tags: [{ Key: TAG_PROCESS, Value: process.name }], whileServing: pinned })],
      ...(scaling ? [[ids.scaling, scaling] as const] : []),
    ];
  }));

  const targetGroup = {
    Type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
    Properties: {
      VpcId: importOf(network, ENVIRONMENT_OUTPUTS.vpcId),
      TargetType: 'instance',
      Protocol: 'HTTP',
      Port: input.port,
      HealthCheckProtocol: 'HTTP',
      HealthCheckPath: input.healthCheckPath,
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 4,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: '200-299' },
      // Requests in flight finish before an instance leaves; 30 s keeps rolls short.
      TargetGroupAttributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }],
      Tags: tags,
    },
  };

  // The first layout's load balancer, kept unchanged while resolvers may still send anyone to it.
  const ownLoadBalancer: Record<string, unknown> = {
    LoadBalancer: applicationLoadBalancer(networkEnvironment, [importOf(resources, RESOURCES_OUTPUTS.loadBalancerSecurityGroupId)], tags),
    TargetGroup: targetGroup,
    HttpsListener: httpsListener(ref(PARAMETER.certificateArn), [{ Type: 'forward', TargetGroupArn: ref('TargetGroup') }]),
    HttpListener: HTTP_REDIRECT_LISTENER,
  };

  const template: Template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `${application} in ${environment}: instances behind a load balancer (wimpy/deploy-action)`,
    Parameters: parameters(pinned, own, capacity.instanceType),
    Resources: {
      LaunchTemplate: launchTemplate(capacity.instanceType, scriptInput),
      // The instances' role may signal this stack, by its exact id, and no other: a name pattern
      // such as <app>-<environment>-* would also reach another application named <app>-<environment>.
      SignalPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: { 'Fn::Sub': 'signal-${AWS::StackName}' },
          Roles: [importOf(resources, RESOURCES_OUTPUTS.instanceRoleName)],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Sid: 'SignalThisStack', Effect: 'Allow', Action: ['cloudformation:SignalResource', 'cloudformation:DescribeStackResource'], Resource: ref('AWS::StackId') }],
          },
        },
      },
      [SIGNALLED_RESOURCE]: autoScalingGroup,
      ...(webScaling ? { CpuScaling: webScaling } : {}),
      ...processResources,
      ReleaseTargetGroup: targetGroup,
      // Canary steps watch them; a rolling release has no canary.
      ...(pinned ? releaseAlarms({ loadBalancerFullName: importOf(loadBalancer, LOAD_BALANCER_OUTPUTS.loadBalancerFullName), targetGroupFullName: getAtt('ReleaseTargetGroup', 'TargetGroupFullName') }) : {}),
      ...(pinned
        ? {
            // The release answers at its own hostname before any public traffic reaches it: a
            // host rule of its own, and a plain alias to the load balancer. The public hostname's
            // rule is not in any stack: the deploys move its weights.
            PinnedRule: {
              Type: 'AWS::ElasticLoadBalancingV2::ListenerRule',
              Properties: {
                ListenerArn: importOf(loadBalancer, LOAD_BALANCER_OUTPUTS.httpsListenerArn),
                Priority: ref(PARAMETER.rulePriority),
                Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [input.pinnedHostname] } }],
                Actions: [{ Type: 'forward', TargetGroupArn: ref('ReleaseTargetGroup') }],
              },
            },
            PinnedRecord: {
              Type: 'AWS::Route53::RecordSet',
              Properties: {
                HostedZoneId: ref(PARAMETER.hostedZoneId),
                Name: input.pinnedHostname,
                Type: 'A',
                AliasTarget: { DNSName: importOf(loadBalancer, LOAD_BALANCER_OUTPUTS.dnsName), HostedZoneId: importOf(loadBalancer, LOAD_BALANCER_OUTPUTS.canonicalHostedZoneId), EvaluateTargetHealth: false },
              },
            },
          }
        : {}),
      ...(own ? ownLoadBalancer : {}),
    },
    Outputs: {
      TargetGroupArn: { Value: ref('ReleaseTargetGroup') },
      // Says that the release is behind the application's one load balancer, and which.
      SharedLoadBalancer: { Value: loadBalancer },
      AutoScalingGroupName: { Value: ref(SIGNALLED_RESOURCE) },
      Version: { Value: ref(PARAMETER.version) },
      // The processes' groups and sizes: a blue-green deploy stops and starts them with the traffic.
      ...(processes.length > 0 ? { [PROCESSES_OUTPUT]: { Value: processesOutput(processes.map((process) => ({ name: process.name, group: ref(processIds(process.name).group), capacity: process.capacity }))) } } : {}),
      ...(own
        ? {
            LoadBalancerDnsName: { Value: getAtt('LoadBalancer', 'DNSName') },
            LoadBalancerHostedZoneId: { Value: getAtt('LoadBalancer', 'CanonicalHostedZoneID') },
            LoadBalancerArn: { Value: ref('LoadBalancer') },
          }
        : {}),
    },
  };
  return template;
}
