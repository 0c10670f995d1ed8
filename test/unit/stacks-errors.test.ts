import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { clientSettings } from '../../src/aws/client-config.js';
import { classifyAwsError, explainAwsError, ExpiredCredentialsError } from '../../src/aws/aws-errors.js';
import { createStacks } from '../../src/aws/stacks.js';
import { StackFailure } from '../../src/engine/ports.js';
import { NAME, STACK_ID, TEMPLATE, awsError, deployed, fakeClock, harness, spec, taggingIndex } from './stacks-support.js';

const XMLNS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const STACK_XML =
  `<DescribeStacksResponse xmlns="${XMLNS}"><DescribeStacksResult><Stacks><member><StackName>${NAME}</StackName>` +
  `<StackId>arn:aws:cloudformation:eu-west-1:123456789012:stack/${NAME}/1</StackId><StackStatus>UPDATE_COMPLETE</StackStatus>` +
  '<CreationTime>2026-03-01T12:00:00Z</CreationTime></member></Stacks></DescribeStacksResult>' +
  '<ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></DescribeStacksResponse>';
const errorXml = (code: string, message: string) =>
  `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>1</RequestId></ErrorResponse>`;

/** A real client with the product's settings, answering over a fake connection: its retry middleware runs. */
function clientAnswering(answers: { status: number; body: string }[]) {
  let requests = 0;
  const client = new CloudFormationClient({
    ...clientSettings({ AWS_REGION: 'eu-west-1' }),
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    requestHandler: {
      handle: async () => {
        const answer = answers[Math.min(requests, answers.length - 1)];
        requests += 1;
        return { response: { statusCode: answer?.status ?? 500, headers: { 'content-type': 'text/xml' }, body: Readable.from([Buffer.from(answer?.body ?? '')]) } };
      },
    },
  });
  return { client, requests: () => requests };
}

describe('AWS errors', () => {
  test('throttling is retried by the client with the product\'s settings, then the answer arrives', async () => {
    const { client, requests } = clientAnswering([
      { status: 400, body: errorXml('Throttling', 'Rate exceeded') },
      { status: 200, body: STACK_XML },
    ]);
    const stacks = createStacks({ cloudformation: client, tagging: taggingIndex().client, clock: fakeClock() });
    const found = await stacks.describe(NAME);
    assert.equal(found?.status, 'UPDATE_COMPLETE');
    assert.equal(requests(), 2);
  });

  test('a fatal error is not retried and fails at once with its message', async () => {
    const { client, requests } = clientAnswering([{ status: 400, body: errorXml('AccessDenied', 'User is not authorized to perform: cloudformation:DescribeStacks') }]);
    const stacks = createStacks({ cloudformation: client, tagging: taggingIndex().client, clock: fakeClock() });
    await assert.rejects(stacks.describe(NAME), (error) => {
      assert.ok(error instanceof StackFailure);
      assert.equal(error.message, `Stack ${NAME}: User is not authorized to perform: cloudformation:DescribeStacks`);
      return true;
    });
    assert.equal(requests(), 1);
  });

  test('credentials that expire mid-run are explained with the setting that makes sessions longer', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand).rejects(awsError('ExpiredToken', 'The security token included in the request is expired'));
    await assert.rejects(h.stacks.apply(spec(), h.options()), (error) => {
      assert.ok(error instanceof StackFailure);
      assert.match(error.message, /AWS credentials expired in the middle of the run \(ExpiredToken: The security token included in the request is expired\)/);
      assert.match(error.message, /`role-duration-seconds` of aws-actions\/configure-aws-credentials/);
      return true;
    });
  });

  test('are classified: throttling and transient faults pass, everything else is fatal', () => {
    const cases: [unknown, string][] = [
      [awsError('Throttling', 'Rate exceeded'), 'throttling'],
      [awsError('ThrottlingException', 'Rate exceeded'), 'throttling'],
      [awsError('TooManyRequestsException', 'Too many requests', 429), 'throttling'],
      [awsError('InternalFailure', 'We encountered an internal error', 500), 'transient'],
      [awsError('ServiceUnavailable', 'Service is unavailable', 503), 'transient'],
      [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'transient'],
      [awsError('ExpiredTokenException', 'The security token included in the request is expired'), 'expired-credentials'],
      [new Error('The security token included in the request is expired'), 'expired-credentials'],
      [Object.assign(new Error('Request aborted'), { name: 'AbortError' }), 'cancelled'],
      [awsError('ValidationError', 'Template format error: JSON not well-formed.'), 'fatal'],
      [awsError('LimitExceededException', 'Cannot exceed quota for StacksPerAccount: 2000'), 'fatal'],
      [awsError('InsufficientCapabilitiesException', 'Requires capabilities : [CAPABILITY_AUTO_EXPAND]'), 'fatal'],
    ];
    for (const [error, kind] of cases) assert.equal(classifyAwsError(error), kind, String(error));
  });

  test('only expired credentials get a new message; other errors stay as they came', () => {
    const expired = explainAwsError(awsError('ExpiredToken', 'The security token included in the request is expired'));
    assert.ok(expired instanceof ExpiredCredentialsError);
    const denied = awsError('AccessDenied', 'denied');
    assert.equal(explainAwsError(denied), denied);
  });
});

describe('a poll', () => {
  test('still throttled after the client\'s own retries is simply made again at the next turn', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: STACK_ID })
      .rejectsOnce(awsError('Throttling', 'Rate exceeded'))
      .resolves({ Stacks: [deployed({ StackStatus: 'UPDATE_COMPLETE' })] });
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ StackStatus: 'UPDATE_IN_PROGRESS' })] });
    h.cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify(TEMPLATE) });
    const result = await h.stacks.apply(spec(), h.options());
    assert.equal(result.outcome, 'unchanged');
    assert.equal(h.cfn.commandCalls(DescribeStacksCommand, { StackName: STACK_ID }).length, 2);
  });

  test('that fails for good ends the wait at once with the error', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [deployed({ StackStatus: 'UPDATE_IN_PROGRESS' })] });
    h.cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).rejects(awsError('AccessDenied', 'User is not authorized to perform: cloudformation:DescribeStacks'));
    await assert.rejects(h.stacks.apply(spec(), h.options()), /User is not authorized/);
    assert.equal(h.cfn.commandCalls(DescribeStacksCommand, { StackName: STACK_ID }).length, 1);
  });
});
