import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { StackSpec } from '../src/engine/ports.js';
import { CREDENTIALS, REGION } from '../test/support/emulator.js';

/**
 * The baseline: the script a team writes without the action. Debian's AWS CLI deploys the same
 * templates, parameters and tags one stack after another (`aws cloudformation deploy`, which
 * makes a change set, waits for it, executes it and waits for the stack), then forwards the
 * hostname's rule on the load balancer's listener to the release's target group (`aws elbv2
 * modify-rule`, or `create-rule` and one Route 53 alias the first time). Every command is a new
 * process, as in a shell script.
 */

/** Debian's awscli package; another `aws` earlier on PATH may be a different CLI. */
export const AWS_CLI = process.env.BENCH_AWS_CLI ?? '/usr/bin/aws';

/** A release's share of a hostname's rule: its target group and weight. */
export interface RuleTarget {
  readonly targetGroupArn: string;
  readonly weight: number;
}

const execFileAsync = promisify(execFile);

interface Invocation {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A template sent again unchanged: AWS makes an empty change set, which the flag tolerates;
 * moto refuses CreateChangeSet instead when every parameter is given and unchanged.
 */
const NOTHING_TO_DEPLOY = /No updates are to be performed|didn't contain changes/;

export class AwsCliScript {
  private constructor(
    private readonly dir: string,
    private readonly endpoint: string,
  ) {}

  /** A script whose every command goes to `endpoint`; its templates live in a temporary folder. */
  static async create(endpoint: string): Promise<AwsCliScript> {
    return new AwsCliScript(await mkdtemp(join(tmpdir(), 'wimpy-bench-cli-')), endpoint);
  }

  private async run(args: readonly string[]): Promise<Invocation> {
    try {
      const { stdout, stderr } = await execFileAsync(AWS_CLI, [...args, '--endpoint-url', this.endpoint, '--region', REGION, '--output', 'json'], {
        // Only what the script needs: no profile or config file of this machine's user.
        env: {
          PATH: process.env.PATH,
          HOME: this.dir,
          AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
          AWS_PAGER: '',
          AWS_EC2_METADATA_DISABLED: 'true',
        },
        maxBuffer: 64 * 1024 * 1024,
      });
      return { exitCode: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number | string; stdout?: string; stderr?: string };
      if (typeof failed.code !== 'number') throw error;
      return { exitCode: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  private async aws(args: readonly string[]): Promise<string> {
    const result = await this.run(args);
    if (result.exitCode !== 0) throw new Error(`aws ${args.slice(0, 2).join(' ')} failed (${String(result.exitCode)}): ${result.stderr.trim() || result.stdout.trim()}`);
    return result.stdout;
  }

  private async templateFile(spec: StackSpec): Promise<string> {
    const file = join(this.dir, `${spec.name}.json`);
    await writeFile(file, JSON.stringify(spec.template));
    return file;
  }

  /**
   * A stack's first creation: `create-stack`, then `wait stack-create-complete`. Not `deploy`:
   * a stack that moto creates from a change set neither resolves its imports nor registers its
   * exports, and every stack here but the base imports or exports.
   */
  async create(spec: StackSpec): Promise<void> {
    const parameters = join(this.dir, `${spec.name}.parameters.json`);
    const tags = join(this.dir, `${spec.name}.tags.json`);
    await writeFile(parameters, JSON.stringify(Object.entries(spec.parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }))));
    await writeFile(tags, JSON.stringify(Object.entries(spec.tags).map(([Key, Value]) => ({ Key, Value }))));
    await this.aws([
      'cloudformation', 'create-stack',
      '--stack-name', spec.name,
      '--template-body', `file://${await this.templateFile(spec)}`,
      '--parameters', `file://${parameters}`,
      '--capabilities', 'CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM',
      '--tags', `file://${tags}`,
      ...(spec.terminationProtection ? ['--enable-termination-protection'] : []),
    ]);
    await this.aws(['cloudformation', 'wait', 'stack-create-complete', '--stack-name', spec.name]);
  }

  /**
   * `aws cloudformation deploy` of one stack; a stack with nothing to change is no failure.
   * Every parameter is given, defaults included: for one left out of an existing stack the CLI
   * asks for its previous value, which moto cannot resolve for an SSM parameter (the image id),
   * where the action's change sets take the default.
   */
  async deploy(spec: StackSpec): Promise<void> {
    const pairs = (values: Readonly<Record<string, string>>) => Object.entries(values).map(([key, value]) => `${key}=${value}`);
    const declared = (spec.template.Parameters ?? {}) as Record<string, { Default?: unknown }>;
    const defaults = Object.fromEntries(Object.entries(declared).filter(([, parameter]) => parameter.Default !== undefined).map(([key, parameter]) => [key, String(parameter.Default)]));
    const parameters = pairs({ ...defaults, ...spec.parameters });
    const result = await this.run([
      'cloudformation', 'deploy',
      '--template-file', await this.templateFile(spec),
      '--stack-name', spec.name,
      ...(parameters.length > 0 ? ['--parameter-overrides', ...parameters] : []),
      '--capabilities', 'CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM',
      '--no-fail-on-empty-changeset',
      '--tags', ...pairs(spec.tags),
    ]);
    if (result.exitCode !== 0 && !NOTHING_TO_DEPLOY.test(result.stderr)) {
      throw new Error(`aws cloudformation deploy ${spec.name} failed (${String(result.exitCode)}): ${result.stderr.trim()}`);
    }
  }

  /** Every stack's outputs, in one `describe-stacks`. */
  async outputs(): Promise<Map<string, Record<string, string>>> {
    const answer = JSON.parse(await this.aws(['cloudformation', 'describe-stacks'])) as { Stacks?: Array<{ StackName: string; Outputs?: Array<{ OutputKey: string; OutputValue: string }> }> };
    return new Map((answer.Stacks ?? []).map((stack) => [stack.StackName, Object.fromEntries((stack.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]))]));
  }

  /** One change batch, then `aws route53 wait resource-record-sets-changed`. */
  private async changeRecords(zoneId: string, changes: readonly unknown[]): Promise<void> {
    const batch = join(this.dir, 'change-batch.json');
    await writeFile(batch, JSON.stringify({ Changes: changes }));
    const answer = JSON.parse(await this.aws(['route53', 'change-resource-record-sets', '--hosted-zone-id', zoneId, '--change-batch', `file://${batch}`])) as { ChangeInfo: { Id: string } };
    await this.aws(['route53', 'wait', 'resource-record-sets-changed', '--id', answer.ChangeInfo.Id]);
  }

  /** The plain A and AAAA alias records of a hostname to a load balancer, in one batch. */
  async setAlias(zoneId: string, hostname: string, dnsName: string, hostedZoneId: string): Promise<void> {
    await this.changeRecords(
      zoneId,
      ['A', 'AAAA'].map((type) => ({ Action: 'UPSERT', ResourceRecordSet: { Name: hostname, Type: type, AliasTarget: { DNSName: dnsName, HostedZoneId: hostedZoneId, EvaluateTargetHealth: false } } })),
    );
  }

  /** The ARN of the listener's rule for the hostname, from `describe-rules`; undefined when it has none. */
  async hostRule(listenerArn: string, hostname: string): Promise<string | undefined> {
    const answer = JSON.parse(await this.aws(['elbv2', 'describe-rules', '--listener-arn', listenerArn])) as { Rules?: Array<{ RuleArn: string; Conditions?: Array<{ Field?: string; Values?: string[]; HostHeaderConfig?: { Values?: string[] } }> }> };
    const hosts = (rule: NonNullable<typeof answer.Rules>[number]) => (rule.Conditions ?? []).flatMap((condition) => condition.HostHeaderConfig?.Values ?? condition.Values ?? []);
    return answer.Rules?.find((rule) => hosts(rule).includes(hostname))?.RuleArn;
  }

  private async forwardActions(targets: readonly RuleTarget[]): Promise<string> {
    const file = join(this.dir, 'actions.json');
    await writeFile(file, JSON.stringify([{ Type: 'forward', ForwardConfig: { TargetGroups: targets.map((target) => ({ TargetGroupArn: target.targetGroupArn, Weight: target.weight })) } }]));
    return `file://${file}`;
  }

  /** `modify-rule`: the rule forwards to the target groups with their weights. */
  async modifyRule(ruleArn: string, targets: readonly RuleTarget[]): Promise<void> {
    await this.aws(['elbv2', 'modify-rule', '--rule-arn', ruleArn, '--actions', await this.forwardActions(targets)]);
  }

  /** `create-rule`: a new rule for the hostname at the priority given. */
  async createRule(listenerArn: string, hostname: string, priority: number, targets: readonly RuleTarget[]): Promise<void> {
    const conditions = join(this.dir, 'conditions.json');
    await writeFile(conditions, JSON.stringify([{ Field: 'host-header', HostHeaderConfig: { Values: [hostname] } }]));
    await this.aws(['elbv2', 'create-rule', '--listener-arn', listenerArn, '--priority', String(priority), '--conditions', `file://${conditions}`, '--actions', await this.forwardActions(targets)]);
  }

  async deleteRule(ruleArn: string): Promise<void> {
    await this.aws(['elbv2', 'delete-rule', '--rule-arn', ruleArn]);
  }

  /** Deletes a hostname's records, read first: Route 53 deletes only a record given exactly as it is. */
  async deleteRecords(zoneId: string, hostname: string): Promise<void> {
    const name = `${hostname}.`;
    const listed = JSON.parse(await this.aws(['route53', 'list-resource-record-sets', '--hosted-zone-id', zoneId, '--start-record-name', name])) as { ResourceRecordSets: Array<{ Name: string }> };
    const sets = listed.ResourceRecordSets.filter((set) => set.Name === name);
    if (sets.length > 0) await this.changeRecords(zoneId, sets.map((set) => ({ Action: 'DELETE', ResourceRecordSet: set })));
  }

  /** `delete-stack`, then `wait stack-delete-complete`. */
  async deleteStack(name: string): Promise<void> {
    await this.aws(['cloudformation', 'delete-stack', '--stack-name', name]);
    await this.aws(['cloudformation', 'wait', 'stack-delete-complete', '--stack-name', name]);
  }

  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
