import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudFormationClient, CreateChangeSetCommand, DescribeChangeSetCommand, DescribeStackEventsCommand, DescribeStacksCommand, ExecuteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { taggingIndex } from './stacks-support.js';
import { createStacks } from '../../src/aws/stacks.js';
import { rollingStack } from '../../src/config/names.js';
import type { EngineDeps } from '../../src/engine/context.js';
import { runCommand } from '../../src/commands.js';
import { commentBody } from '../../src/report/comment.js';
import { summaryMarkdown } from '../../src/report/summary.js';
import { SCRIPT_VALUES } from '../../src/platforms/ec2/user-data.js';
import { configOf } from '../support/config.js';
import { FakeAws } from '../support/fake-aws.js';
import { startGitHubStandIn, type GitHubStandIn } from '../support/github-stand-in.js';
import { startRequestCounter, type RequestCounter } from '../support/request-counter.js';
import { examplePayload, runAction, type ActionRun } from '../support/run-action.js';

/**
 * Secrets never leave the action: not in the log (where the only trace allowed is the
 * `::add-mask::` command that tells the runner to hide them), the outputs, the job summary, the
 * saved state, what GitHub is told, or the stacks. Container secrets are SSM parameter names:
 * their values never reach the action at all.
 */

const REGISTRY_USER = 'deployer';
const REGISTRY_PASSWORD = 'Hunter2-correct-horse-battery-staple';
const GITHUB_TOKEN = 'ghs_16C7e42F292c6912E7710c838347Ae178B4a';
/** What SSM Parameter Store holds; the action is only ever given the names. */
const SSM_VALUES = { 'db-password': 'Tr0ub4dor&3-database', 'api-key': 'sk_live_51HGaKQ2eZvKYlo2C' } as const;
const SECRETS_INPUT = 'DB_PASSWORD=db-password\nAPI_KEY=api-key';

/** Every form in which a secret would be recognised if it slipped out. */
const FORBIDDEN: readonly string[] = [
  REGISTRY_PASSWORD,
  GITHUB_TOKEN,
  Buffer.from(`${REGISTRY_USER}:${REGISTRY_PASSWORD}`).toString('base64'),
  Buffer.from(REGISTRY_PASSWORD).toString('base64'),
  ...Object.values(SSM_VALUES),
];

/**
 * The lines of `text` that carry a secret. A line that is exactly the runner's mask command
 * for that secret is the one allowed trace: the runner consumes it and hides the value.
 */
function leaks(where: string, text: string): string[] {
  return text
    .split(/\r?\n/)
    .filter((line) => FORBIDDEN.some((secret) => line.includes(secret) && line !== `::add-mask::${secret}`))
    .map((line) => `${where}: ${line}`);
}

/** Everything a run of the bundled action wrote or sent, by where it went. */
function channels(step: ActionRun, github: GitHubStandIn, aws: RequestCounter): Record<string, string> {
  return {
    stdout: step.stdout,
    stderr: step.stderr,
    outputs: JSON.stringify(step.outputs, null, 1),
    summary: step.summary,
    state: JSON.stringify(step.state, null, 1),
    github: github.requests.map((request) => JSON.stringify({ path: request.path, query: request.query, body: request.body })).join('\n'),
    aws: aws.requests().join('\n'),
  };
}


describe('secrets in a run of the action', () => {
  let aws: RequestCounter;
  let github: GitHubStandIn;
  before(async () => {
    aws = await startRequestCounter();
    github = await startGitHubStandIn({ token: GITHUB_TOKEN });
  });
  after(async () => {
    await aws.close();
    await github.close();
  });

  const inputs = () => ({
    'application-name': 'awesome-application',
    'hosted-zone': 'armesto.net',
    // A registry of its own, so that the password is in play; its requests go to the counter.
    registry: new URL(aws.url).host,
    'registry-username': REGISTRY_USER,
    'registry-password': REGISTRY_PASSWORD,
    secrets: SECRETS_INPUT,
  });
  const githubRepository = () => ({ apiUrl: github.url, token: GITHUB_TOKEN, repository: `${github.owner}/${github.repo}` });

  for (const kind of ['plan', 'failing deploy of a preview'] as const) {
    test(`a ${kind} never shows the registry password, the token or a secret value, and masks the password and token before anything else`, async () => {
      github.requests.length = 0;
      const step = await runAction({
        inputs: { ...inputs(), command: kind === 'plan' ? 'plan' : 'deploy' },
        awsEndpoint: aws.url,
        github: githubRepository(),
        ...(kind === 'plan' ? {} : { event: { name: 'pull_request', payload: examplePayload('pull_request', 'opened') } }),
      });

      assert.equal(step.exitCode, 1, 'the counter refuses every AWS request, so the run fails');
      if (kind !== 'plan') {
        assert.ok(github.requests.some((request) => request.operationId === 'issues/create-comment'), 'the pull request was told');
        assert.ok(github.requests.some((request) => request.operationId === 'repos/create-deployment-status'), 'the deployment was told');
      }
      assert.deepEqual(Object.entries(channels(step, github, aws)).flatMap(([where, text]) => leaks(where, text)), []);
      const firstLines = step.stdout.split('\n').slice(0, 2).sort();
      assert.deepEqual(firstLines, [`::add-mask::${GITHUB_TOKEN}`, `::add-mask::${REGISTRY_PASSWORD}`].sort(), 'masked before any other line');
    });
  }
});

describe('secrets in a deploy, its stacks and its report', () => {
  test('the templates, the user data and every parameter carry the secret names, never a value or a credential; the summary and the comment neither', async () => {
    const aws = new FakeAws();
    const config = configOf({ version: 'v1.4.2', registry: 'registry.example.com', 'registry-username': REGISTRY_USER, 'registry-password': REGISTRY_PASSWORD, secrets: SECRETS_INPUT });
    const { report } = await aws.run(config);
    assert.equal(report.status, 'success');

    const stack = aws.stacks.get(rollingStack(config.application, config.environment))!;
    const listed = Buffer.from(stack.parameters[SCRIPT_VALUES.secrets]!, 'base64').toString('utf8');
    assert.equal(listed, 'DB_PASSWORD=/awesome-application/staging/db-password\nAPI_KEY=/awesome-application/staging/api-key\n');

    const written = {
      ...Object.fromEntries([...aws.stacks.stacks.values()].map((each) => [each.name, JSON.stringify({ template: each.template, parameters: each.parameters, tags: each.tags, outputs: each.outputs }, null, 1)])),
      report: JSON.stringify(report, null, 1),
      summary: summaryMarkdown(report),
      comment: commentBody(report),
      log: aws.log.lines.join('\n'),
    };
    assert.deepEqual(Object.entries(written).flatMap(([where, text]) => leaks(where, text)), []);
  });
});

describe('credentials that expire in the middle of a run', () => {
  const STACK = rollingStack('shop', 'production');
  const STACK_ID = `arn:aws:cloudformation:eu-west-1:123456789012:stack/${STACK}/5b3c0f10-1a2b-11f0-9d3e-0a1b2c3d4e5f`;

  test('while CloudFormation updates a stack: the report says so and names role-duration-seconds', async () => {
    const aws = new FakeAws();
    const config = configOf({ 'application-name': 'shop', environment: 'production', steps: 'deploy', version: 'v2' });
    aws.images.push('v2');
    const client = new CloudFormationClient({ region: 'eu-west-1' });
    const cloudformation = mockClient(client);
    const owned = { StackName: STACK, StackId: STACK_ID, StackStatus: 'UPDATE_COMPLETE' as const, CreationTime: new Date(0), Tags: [{ Key: 'wimpy:application', Value: 'shop' }, { Key: 'wimpy:environment', Value: 'production' }] };
    cloudformation.on(DescribeStacksCommand).resolves({ Stacks: [owned] });
    cloudformation.on(DescribeStacksCommand, { StackName: STACK }).resolves({ Stacks: [owned] });
    // The application's load balancer, as the environment phase of an earlier run left it.
    cloudformation.on(DescribeStacksCommand, { StackName: 'shop-production-load-balancer' }).resolves({ Stacks: [{ StackName: 'shop-production-load-balancer', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(0), Outputs: [
      { OutputKey: 'HttpsListenerArn', OutputValue: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop/1/2' },
      { OutputKey: 'LoadBalancerDnsName', OutputValue: 'shop-1.eu-west-1.elb.amazonaws.com' },
      { OutputKey: 'LoadBalancerHostedZoneId', OutputValue: 'Z32O12XQLNTSW2' },
    ] }] });
    cloudformation.on(CreateChangeSetCommand).resolves({ Id: 'change-set', StackId: STACK_ID });
    cloudformation.on(DescribeChangeSetCommand).resolves({ Status: 'CREATE_COMPLETE', StackId: STACK_ID, CreationTime: new Date(0), Changes: [] });
    cloudformation.on(ExecuteChangeSetCommand).resolves({});
    cloudformation.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    const expired = Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredToken', $metadata: { httpStatusCode: 403 } });
    cloudformation.on(DescribeStacksCommand, { StackName: STACK_ID }).rejects(expired);
    const deps: EngineDeps = { ...aws, stacks: createStacks({ cloudformation: client, tagging: taggingIndex().client, clock: aws.clock }) };

    const { report } = await runCommand(config, deps, aws.request(config));

    assert.equal(report.status, 'failure');
    assert.match(report.message ?? '', new RegExp(`^Stack ${STACK}: The AWS credentials expired in the middle of the run \\(ExpiredToken: The security token included in the request is expired\\)\\.`));
    assert.match(report.message ?? '', /raise `role-duration-seconds` of aws-actions\/configure-aws-credentials/);
  });
});

/** AWS's answer to a request signed with expired credentials, in each protocol the action's clients speak. */
async function startExpiredEndpoint(): Promise<{ url: string; close(): Promise<void> }> {
  const message = 'The security token included in the request is expired';
  const server = http.createServer((req, res) => {
    req.resume();
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string') {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'expired' }).end(JSON.stringify({ __type: 'ExpiredTokenException', message }));
      return;
    }
    const xmlns = req.url?.startsWith('/2013-04-01/') ? ' xmlns="https://route53.amazonaws.com/doc/2013-04-01/"' : '';
    res
      .writeHead(req.url?.startsWith('/2013-04-01/') ? 403 : 400, { 'content-type': 'text/xml', 'x-amzn-requestid': 'expired' })
      .end(`<ErrorResponse${xmlns}><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>${message}</Message></Error><RequestId>expired</RequestId></ErrorResponse>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

test('a run of the action whose credentials have expired fails with one error that names role-duration-seconds, and no stack trace', async () => {
  const endpoint = await startExpiredEndpoint();
  try {
    const step = await runAction({ inputs: { 'application-name': 'awesome-application', 'hosted-zone': 'armesto.net' }, awsEndpoint: endpoint.url });
    assert.equal(step.exitCode, 1);
    const errors = step.stdout.split('\n').filter((line) => line.startsWith('::error'));
    assert.equal(errors.length, 1, step.stdout);
    assert.match(errors[0]!, /The AWS credentials expired in the middle of the run .*raise `role-duration-seconds`/);
    assert.doesNotMatch(step.stdout + step.stderr, /^\s+at /m);
  } finally {
    await endpoint.close();
  }
});
