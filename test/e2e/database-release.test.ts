import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { APPLICATION, deployInputs, describeStack, imageOf, prepareEmulator, ruleWeightsOf, skip, type Emulator } from '../support/emulator.js';
import { startAwsProxy, type AwsProxy, type ProxiedCall } from '../support/aws-proxy.js';
import { applyVpcDnsHostnames, listImportsStandIn } from '../support/emulator-gaps.js';
import { startGitHubStandIn } from '../support/github-stand-in.js';
import { examplePayload, runAction } from '../support/run-action.js';

interface PullRequestPayload {
  number: number;
  repository: { full_name: string };
  pull_request: { head: { sha: string; repo: { full_name: string } }; base: { repo: { full_name: string } } };
}

// Issue 17: a managed database in its own stack, and a release command that runs before traffic.

const DATABASE = `${APPLICATION}-staging-database`;
const RESOURCES = `${APPLICATION}-staging-resources`;
const STACK = `${APPLICATION}-staging`;
const HOST = `${APPLICATION}-staging.armesto.net`;
const MIGRATE = 'python manage.py migrate --noinput';

/** Where, in the order of the run's requests, the first call matching `match` is. */
const at = (calls: readonly ProxiedCall[], match: (call: ProxiedCall) => boolean) => calls.findIndex(match);
const changes = (stack: string) => (call: ProxiedCall) => call.stackName === stack && /^cloudformation:(CreateStack|CreateChangeSet|UpdateStack|ExecuteChangeSet)$/.test(call.api);
// Traffic moves on the load balancer's listener rules (and, for a layout from before it, on Route 53's records).
const trafficChange = (call: ProxiedCall) => /^elasticloadbalancing:(CreateRule|ModifyRule|ModifyListener)$/.test(call.api) || (call.api.startsWith('route53:POST') && call.api.endsWith('/rrset'));

describe('a database and a release command against an AWS API', { skip }, () => {
  let emulator: Emulator;
  let proxy: AwsProxy;

  before(async () => {
    emulator = await prepareEmulator();
    // moto lacks ListImports, which destroy asks before it deletes a stack with exports: the
    // proxy answers it from the emulator's stacks, as AWS would (see emulator-gaps.ts).
    proxy = await startAwsProxy({ target: emulator.endpoint, standIns: { 'cloudformation:ListImports': listImportsStandIn(emulator) } });
  });
  after(async () => {
    await proxy?.close();
    emulator?.close();
  });

  test('a first deploy with database: postgres creates the database stack after the resources and before the application stack', async (t) => {
    proxy.resetStats();
    const run = await runAction({ awsEndpoint: proxy.url, inputs: deployInputs({ version: 'v1', image: imageOf('1'), strategy: 'rolling', database: 'postgres' }) });
    assert.equal(run.exitCode, 0, run.stdout + run.stderr);
    const calls = proxy.calls();
    const database = at(calls, changes(DATABASE));
    assert.ok(database > at(calls, changes(RESOURCES)), 'after the resources');
    assert.ok(database < at(calls, changes(STACK)), 'before the application stack');
    const stack = await describeStack(emulator, DATABASE);
    assert.equal(stack?.StackStatus, 'CREATE_COMPLETE');
    assert.equal(stack?.EnableTerminationProtection, true);
    t.diagnostic(`requests ${database} (${DATABASE}) < ${at(calls, changes(STACK))} (${STACK}); outputs ${JSON.stringify(stack?.Outputs?.map((output) => output.OutputKey))}`);
  });

  test('a deploy with release-command starts the command and sees it finish before the application stack changes and before any traffic change', async (t) => {
    // moto's CloudFormation drops the VPC's EnableDnsHostnames, and its RunTask then answers 500
    // (see emulator-gaps.ts): the VPC gets the setting its template declares, as on AWS.
    await applyVpcDnsHostnames(emulator, 'staging');
    proxy.resetStats();
    const run = await runAction({ awsEndpoint: proxy.url, inputs: deployInputs({ version: 'v2', image: imageOf('2'), strategy: 'rolling', 'release-command': MIGRATE }) });
    assert.equal(run.exitCode, 0, run.stdout + run.stderr);
    const calls = proxy.calls();
    const started = at(calls, (call) => call.api === 'ecs:RunTask');
    const finished = calls.findLastIndex((call) => call.api === 'ecs:DescribeTasks');
    const stackChange = at(calls, changes(STACK));
    const traffic = at(calls, trafficChange);
    assert.ok(started >= 0 && finished > started, 'the command started and was watched to its end');
    assert.ok(at(calls, (call) => call.api === 'ecs:RegisterTaskDefinition') < started);
    assert.ok(finished < stackChange, `finished (${finished}) before ${STACK} changed (${stackChange})`);
    assert.ok(traffic === -1 || finished < traffic, `finished (${finished}) before the traffic changed (${traffic})`);
    assert.match(run.stdout, /Release command started: python manage\.py migrate --noinput/);
    assert.match(run.stdout, /Release command finished: exit code 0/);
    t.diagnostic(`RegisterTaskDefinition, RunTask at ${started}, last DescribeTasks at ${finished}, ${STACK} change at ${stackChange}, traffic change at ${traffic}`);
  });

  test('a preview with a database gets a database stack of its own, and closing the pull request removes it', async (t) => {
    const github = await startGitHubStandIn();
    t.after(() => github.close());
    const payload = (action: string) => {
      const copy = examplePayload<PullRequestPayload>('pull_request', action);
      const repository = `${github.owner}/${github.repo}`;
      copy.repository.full_name = repository;
      copy.pull_request.head.repo.full_name = repository;
      copy.pull_request.base.repo.full_name = repository;
      return copy;
    };
    const pullRequestRun = (action: string) => runAction({
      awsEndpoint: proxy.url,
      github: { apiUrl: github.url, token: github.token, repository: `${github.owner}/${github.repo}` },
      event: { name: 'pull_request', payload: payload(action) },
      sha: 'c0ffee0000000000000000000000000000000002',
      inputs: deployInputs({ image: imageOf('3'), database: 'postgres' }),
    });
    const own = `${APPLICATION}-pr-${payload('opened').number}-database`;
    const deployed = await pullRequestRun('opened');
    assert.equal(deployed.exitCode, 0, deployed.stdout + deployed.stderr);
    assert.equal((await describeStack(emulator, own))?.StackStatus, 'CREATE_COMPLETE');
    const removed = await pullRequestRun('closed');
    assert.equal(removed.exitCode, 0, removed.stdout + removed.stderr);
    assert.equal(await describeStack(emulator, own), undefined);
    assert.equal((await describeStack(emulator, DATABASE))?.StackStatus, 'CREATE_COMPLETE', 'staging\'s stays');
    t.diagnostic(`${own}: created by the opened pull request, removed when it closed`);
  });

  test('the weights of staging are as the deploys left them', async () => {
    assert.deepEqual(await ruleWeightsOf(emulator, `${APPLICATION}-staging-load-balancer`, HOST), { [STACK]: 100 });
  });
});
