import { GetTemplateCommand, paginateDescribeStacks } from '@aws-sdk/client-cloudformation';
import { EC2Client, ModifyVpcAttributeCommand } from '@aws-sdk/client-ec2';
import { CREDENTIALS, REGION, describeStack, outputsOf, type Emulator } from './emulator.js';
import type { StandIn, StandInAnswer } from './aws-proxy.js';

/**
 * Where the emulator (moto 5.1) falls short of AWS for requests the product makes exactly as AWS
 * documents them. Each gap is closed here, in the tests, and says what AWS does: the product's
 * code is the one it runs against AWS.
 */

/**
 * moto's CloudFormation creates an AWS::EC2::VPC without its EnableDnsHostnames (it reads only
 * CidrBlock and InstanceTenancy), and its ECS RunTask then fails with an HTTP 500 while it
 * describes the task's network interface (which has no private DNS name without that setting).
 * The environment's template asks for DNS hostnames (templates/environment.ts), as AWS applies:
 * the test sets on the VPC what the template declares.
 */
export async function applyVpcDnsHostnames(emulator: Emulator, environment: string): Promise<string> {
  const vpc = outputsOf(await describeStack(emulator, `wimpy-${environment}`)).VpcId;
  if (!vpc) throw new Error(`wimpy-${environment} exports no VpcId: deploy the environment first`);
  const ec2 = new EC2Client({ endpoint: emulator.endpoint, region: REGION, credentials: CREDENTIALS });
  try {
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc, EnableDnsHostnames: { Value: true } }));
  } finally {
    ec2.destroy();
  }
  return vpc;
}

const CLOUDFORMATION_XMLNS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

/** Whether a template's JSON imports the export anywhere: `{"Fn::ImportValue": "<name>"}`. */
function imports(node: unknown, exportName: string): boolean {
  if (Array.isArray(node)) return node.some((item) => imports(item, exportName));
  if (node === null || typeof node !== 'object') return false;
  return Object.entries(node).some(([key, value]) => (key === 'Fn::ImportValue' && value === exportName) || imports(value, exportName));
}

/**
 * CloudFormation's ListImports, which moto does not implement (it answers HTTP 500), answered
 * from the emulator's own stacks as AWS answers it: the names of the live stacks whose templates
 * import the export, or, when none does, the ValidationError "Export 'X' is not imported by any
 * stack." (AWS's words). Only the product's form of import (a literal export name) is looked for.
 */
export function listImportsStandIn(emulator: Pick<Emulator, 'cloudformation'>): StandIn {
  return async (params: URLSearchParams): Promise<StandInAnswer> => {
    const exportName = params.get('ExportName') ?? '';
    const importers: string[] = [];
    for await (const page of paginateDescribeStacks({ client: emulator.cloudformation }, {})) {
      for (const stack of page.Stacks ?? []) {
        if (stack.StackStatus === 'DELETE_COMPLETE' || !stack.StackName) continue;
        const body = (await emulator.cloudformation.send(new GetTemplateCommand({ StackName: stack.StackName }))).TemplateBody ?? '{}';
        if (imports(JSON.parse(body), exportName)) importers.push(stack.StackName);
      }
    }
    const headers = { 'content-type': 'text/xml', 'x-amzn-requestid': 'stand-in-list-imports' };
    if (importers.length === 0) {
      return {
        status: 400,
        headers,
        body: `<ErrorResponse xmlns="${CLOUDFORMATION_XMLNS}"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Export '${exportName}' is not imported by any stack.</Message></Error><RequestId>stand-in</RequestId></ErrorResponse>`,
      };
    }
    const members = importers.map((name) => `<member>${name}</member>`).join('');
    return {
      status: 200,
      headers,
      body: `<ListImportsResponse xmlns="${CLOUDFORMATION_XMLNS}"><ListImportsResult><Imports>${members}</Imports></ListImportsResult><ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></ListImportsResponse>`,
    };
  };
}

