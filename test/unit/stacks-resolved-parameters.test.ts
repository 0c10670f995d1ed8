import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudFormationClient, CreateChangeSetCommand, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { GetParametersCommand, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import { setImmediate } from 'node:timers/promises';
import { mockClient } from 'aws-sdk-client-mock';
import { createStacks } from '../../src/aws/stacks.js';
import { NAME, START, TEMPLATE, deployed, fakeClock, spec, taggingIndex } from './stacks-support.js';

// A template that takes the Amazon Linux image from SSM, as the application template does: a
// stack deployed from it can only be the same if that name still resolves to the same image.

const IMAGE_PARAMETER = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';
const DEPLOYED_IMAGE = 'ami-0a1b2c3d4e5f60718';
const TEMPLATE_WITH_IMAGE = {
  ...TEMPLATE,
  Parameters: { ...TEMPLATE.Parameters, AmiId: { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: IMAGE_PARAMETER } },
};

function adapter() {
  const cloudformation = new CloudFormationClient({ region: 'eu-west-1' });
  const ssm = new SSMClient({ region: 'eu-west-1' });
  const cfn = mockClient(cloudformation);
  const parameters = mockClient(ssm);
  const stack = deployed();
  cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({
    Stacks: [{ ...stack, Parameters: [...(stack.Parameters ?? []), { ParameterKey: 'AmiId', ParameterValue: IMAGE_PARAMETER, ResolvedValue: DEPLOYED_IMAGE }] }],
  });
  cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify(TEMPLATE_WITH_IMAGE) });
  // Past the sameness check, the change set path is not what these tests are about: it stops here.
  cfn.on(CreateChangeSetCommand).rejects(new Error('change set requested'));
  const clock = fakeClock();
  return { cfn, parameters, clock, stacks: createStacks({ cloudformation, tagging: taggingIndex().client, ssm, clock }) };
}

const apply = (h: ReturnType<typeof adapter>) => h.stacks.apply(spec({ template: TEMPLATE_WITH_IMAGE }), { deadline: START + 60_000 });

describe('a stack whose template resolves an SSM parameter', () => {
  test('is unchanged without a change set while the parameter still resolves to the deployed value, read side by side with the template', async () => {
    const h = adapter();
    const order: string[] = [];
    h.cfn.on(GetTemplateCommand).callsFake(async () => {
      order.push('template asked');
      await setImmediate();
      order.push('template answered');
      return { TemplateBody: JSON.stringify(TEMPLATE_WITH_IMAGE) };
    });
    h.parameters.on(GetParametersCommand).callsFake(async () => {
      order.push('parameters asked');
      return { Parameters: [{ Name: IMAGE_PARAMETER, Value: DEPLOYED_IMAGE, Type: 'String' }], InvalidParameters: [] };
    });

    const result = await apply(h);

    assert.equal(result.outcome, 'unchanged');
    assert.deepEqual(order, ['template asked', 'parameters asked', 'template answered']);
    assert.deepEqual(h.parameters.commandCalls(GetParametersCommand).map((call) => call.args[0].input), [{ Names: [IMAGE_PARAMETER] }]);
    assert.deepEqual(h.cfn.calls().map((call) => call.args[0].constructor.name), ['DescribeStacksCommand', 'GetTemplateCommand']);
    assert.deepEqual(h.clock.sleeps, []);
  });

  test('goes through a change set once the parameter resolves to another value, such as a newer image', async () => {
    const h = adapter();
    h.parameters.on(GetParametersCommand).resolves({ Parameters: [{ Name: IMAGE_PARAMETER, Value: 'ami-0ffffffffffffffff', Type: 'String' }], InvalidParameters: [] });

    await assert.rejects(apply(h), /change set requested/);
    assert.equal(h.cfn.commandCalls(CreateChangeSetCommand).length, 1);
  });

  test('goes through a change set when SSM cannot be read, leaving CloudFormation to resolve the parameter', async () => {
    const h = adapter();
    h.parameters.on(GetParametersCommand).rejects(new SSMServiceException({ name: 'AccessDeniedException', message: 'not authorized to perform ssm:GetParameters', $fault: 'client', $metadata: { httpStatusCode: 400 } }));

    await assert.rejects(apply(h), /change set requested/);
    assert.equal(h.cfn.commandCalls(CreateChangeSetCommand).length, 1);
  });

  test('goes through a change set when SSM no longer has the parameter', async () => {
    const h = adapter();
    h.parameters.on(GetParametersCommand).resolves({ Parameters: [], InvalidParameters: [IMAGE_PARAMETER] });

    await assert.rejects(apply(h), /change set requested/);
    assert.equal(h.cfn.commandCalls(CreateChangeSetCommand).length, 1);
  });
});
