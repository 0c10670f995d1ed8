import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CREDENTIALS, REGION, deployInputs, describeStack, imageOf, outputsOf, prepareEmulator, recordsOf, ruleWeightsOf, skip, type Emulator } from '../support/emulator.js';
import { startAwsProxy, type AwsProxy } from '../support/aws-proxy.js';
import { listImportsStandIn } from '../support/emulator-gaps.js';
import { startGitHubStandIn, type GitHubStandIn } from '../support/github-stand-in.js';
import { examplePayload, runAction, type ActionRun } from '../support/run-action.js';

// Issues 8 and 16: a pull request's preview, from the payloads GitHub sends when it is opened, pushed
// to and closed, served by a host rule of its own on staging's load balancer.

interface PullRequestPayload {
  number: number;
  repository: { full_name: string };
  pull_request: { head: { sha: string; repo: { full_name: string } }; base: { repo: { full_name: string } } };
}

const MERGE_SHA = 'c0ffee0000000000000000000000000000000002';
const PUSHED_SHA = '5a7e1d0f1c9a4b2e8d3c6f7a0b1e2d3c4f5a6b7c';
const HOST = 'awesome-application-pr-2.armesto.net';
const STACK = 'awesome-application-pr-2';
const RESOURCES = 'awesome-application-pr-2-resources';
const STAGING_BALANCER = 'awesome-application-staging-load-balancer';

describe('a pull request preview against an AWS API and GitHub', { skip }, () => {
  let emulator: Emulator;
  let proxy: AwsProxy;
  let github: GitHubStandIn;
  let opened: ActionRun;

  /** GitHub's own example payload, in the stand-in's repository (head and base alike). */
  function payload(action: string, headSha?: string): PullRequestPayload {
    const copy = examplePayload<PullRequestPayload>('pull_request', action);
    const repository = `${github.owner}/${github.repo}`;
    copy.repository.full_name = repository;
    copy.pull_request.head.repo.full_name = repository;
    copy.pull_request.base.repo.full_name = repository;
    if (headSha) copy.pull_request.head.sha = headSha;
    return copy;
  }

  const pullRequestRun = (action: string, headSha?: string) =>
    runAction({
      awsEndpoint: proxy.url,
      github: { apiUrl: github.url, token: github.token, repository: `${github.owner}/${github.repo}` },
      event: { name: 'pull_request', payload: payload(action, headSha) },
      sha: MERGE_SHA,
      inputs: deployInputs({ image: imageOf('3') }),
      post: true,
    });

  const comments = () => github.comments.get(2) ?? [];
  const statesOf = () => github.deployments.map((deployment) => `${deployment.environment} ${deployment.sha.slice(0, 7)} ${github.latestState(Number(deployment.id))}`);

  before(async () => {
    emulator = await prepareEmulator();
    // moto lacks ListImports, which closing a preview asks before it removes the preview's resources
    // stack: the proxy answers it from the emulator's stacks, as AWS would (see emulator-gaps.ts).
    proxy = await startAwsProxy({ target: emulator.endpoint, standIns: { 'cloudformation:ListImports': listImportsStandIn(emulator) } });
    github = await startGitHubStandIn();
    // An empty account: the repository's first pull request (the one that adds the workflows)
    // comes before any deploy of staging.
    opened = await pullRequestRun('opened');
  });
  after(async () => {
    await proxy?.close();
    emulator?.close();
    await github?.close();
  });

  test('opened: deploys pr-2 at the head commit, comments the URL once and marks the deployment successful', async (t) => {
    assert.equal(opened.exitCode, 0, opened.stdout + opened.stderr);
    const head = payload('opened').pull_request.head.sha;
    assert.equal(opened.outputs.environment, 'pr-2');
    assert.equal(opened.outputs.url, `https://${HOST}`);
    assert.equal(opened.outputs.version, head);
    assert.equal(opened.outputs['stack-name'], STACK);
    assert.equal((await describeStack(emulator, STACK))?.StackStatus, 'CREATE_COMPLETE');
    // A host rule on staging's load balancer forwards the preview's hostname to its own target group,
    // and the hostname is a plain alias of that load balancer.
    assert.deepEqual(await ruleWeightsOf(emulator, STAGING_BALANCER, HOST), { [STACK]: 100 });
    const balancer = outputsOf(await describeStack(emulator, STAGING_BALANCER));
    assert.deepEqual((await recordsOf(emulator, HOST)).map((set) => `${set.Type} ${set.SetIdentifier ?? 'alias'} ${set.AliasTarget?.DNSName?.replace(/\.$/, '')}`).sort(), [`A alias ${balancer.LoadBalancerDnsName?.toLowerCase()}`, `AAAA alias ${balancer.LoadBalancerDnsName?.toLowerCase()}`]);
    assert.equal(outputsOf(await describeStack(emulator, STACK)).LoadBalancerArn, undefined, 'no load balancer of its own');
    assert.equal(comments().length, 1);
    assert.match(comments()[0]!.body ?? '', new RegExp(`https://${HOST}`));
    assert.equal(github.deployments.length, 1);
    const deployment = github.deployments[0]!;
    assert.equal(deployment.environment, 'pr-2');
    assert.equal(deployment.sha, head);
    assert.equal(deployment.transient_environment, true);
    assert.equal(github.latestState(Number(deployment.id)), 'success');
    assert.equal(github.statuses.get(Number(deployment.id))?.at(-1)?.environment_url, `https://${HOST}`);
    // The main step ended its deployment itself: the post step finds nothing left in progress.
    assert.equal(opened.state.deployment, '');
    assert.equal(opened.post?.exitCode, 0);
    assert.doesNotMatch(opened.post?.stdout ?? '', /marked failed/);
    t.diagnostic(`deployments: ${statesOf().join('; ')}`);
  });

  test("opened in an empty account: the baseline and staging network created as staging would, and an identity of the preview's own", async (t) => {
    for (const name of ['wimpy-base', 'wimpy-staging', STAGING_BALANCER, RESOURCES]) assert.equal((await describeStack(emulator, name))?.StackStatus, 'CREATE_COMPLETE', name);
    assert.equal(await describeStack(emulator, 'awesome-application-staging-resources'), undefined, "staging's own resources are not the preview's");
    // The role's policy documents as CloudFormation holds them in the preview's resources stack.
    const template = JSON.parse((await emulator.cloudformation.send(new GetTemplateCommand({ StackName: RESOURCES }))).TemplateBody ?? '{}') as { Resources: Record<string, { Type: string; Properties: { Policies?: { PolicyDocument: unknown }[] } }> };
    const documents = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::IAM::Role').flatMap((resource) => resource.Properties.Policies ?? []).map((policy) => JSON.stringify(policy.PolicyDocument));
    assert.equal(documents.length, 1);
    const text = documents.join('\n');
    assert.match(text, /parameter\/awesome-application\/preview\/\*/);
    assert.match(text, /storage\/preview\/awesome-application\/\*/);
    assert.doesNotMatch(text, /awesome-application\/staging|storage\/staging\//, 'the preview role names no staging secret or storage');
    assert.ok(outputsOf(await describeStack(emulator, RESOURCES)).InstanceRoleArn, 'the role exists');
    t.diagnostic(`the preview role's policy: ${text.slice(0, 300)}...`);
  });

  test("opened: the preview's instances are Spot by default, over the same-size types, with capacity rebalancing", async (t) => {
    const autoScaling = new AutoScalingClient({ endpoint: emulator.endpoint, region: REGION, credentials: CREDENTIALS });
    try {
      const name = outputsOf(await describeStack(emulator, STACK)).AutoScalingGroupName;
      const group = (await autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name!] }))).AutoScalingGroups?.[0];
      assert.ok(group, `the group ${name} exists`);
      assert.equal(group.LaunchTemplate, undefined, 'the launch template is named by the mixed instances policy alone');
      assert.deepEqual(group.MixedInstancesPolicy?.LaunchTemplate?.Overrides?.map((override) => override.InstanceType), ['t3.micro', 't3a.micro', 't2.micro']);
      const distribution = group.MixedInstancesPolicy?.InstancesDistribution;
      assert.deepEqual([distribution?.OnDemandBaseCapacity, distribution?.OnDemandPercentageAboveBaseCapacity, distribution?.SpotAllocationStrategy], [0, 0, 'price-capacity-optimized']);
      // moto's CloudFormation creates the group without CapacityRebalance (it passes no such
      // argument on): the stack's template, as CloudFormation holds it, asks for it, as AWS applies.
      const template = JSON.parse((await emulator.cloudformation.send(new GetTemplateCommand({ StackName: STACK }))).TemplateBody ?? '{}') as { Resources: Record<string, { Properties: { CapacityRebalance?: boolean } }> };
      assert.equal(template.Resources.AutoScalingGroup?.Properties.CapacityRebalance, true);
      assert.equal(group.Instances?.length, 1, 'its one instance');
      t.diagnostic(`${name}: ${JSON.stringify(group.MixedInstancesPolicy)}`);
    } finally {
      autoScaling.destroy();
    }
  });

  test('synchronize: deploys the new head to the same stack, updates the same comment and adds a deployment', async (t) => {
    const first = comments()[0]!;
    const run = await pullRequestRun('synchronize', PUSHED_SHA);
    assert.equal(run.exitCode, 0, run.stdout + run.stderr);
    assert.equal(run.outputs.version, PUSHED_SHA);
    assert.equal(run.outputs['stack-name'], STACK);
    assert.equal((await describeStack(emulator, STACK))?.StackStatus, 'UPDATE_COMPLETE');
    assert.equal(comments().length, 1);
    assert.equal(comments()[0]!.id, first.id);
    assert.notEqual(comments()[0]!.updated_at, first.updated_at);
    assert.match(comments()[0]!.body ?? '', new RegExp(PUSHED_SHA.slice(0, 7)));
    assert.equal(github.deployments.length, 2);
    const [older, newer] = github.deployments;
    assert.equal(newer!.sha, PUSHED_SHA);
    assert.equal(github.latestState(Number(newer!.id)), 'success');
    assert.equal(github.latestState(Number(older!.id)), 'inactive');
    t.diagnostic(`deployments: ${statesOf().join('; ')}`);
  });

  test('closed: removes the preview, marks its deployments inactive and says so in the comment', async (t) => {
    const run = await pullRequestRun('closed', PUSHED_SHA);
    assert.equal(run.exitCode, 0, run.stdout + run.stderr);
    assert.equal(await describeStack(emulator, STACK), undefined);
    assert.deepEqual(await recordsOf(emulator, HOST), []);
    assert.deepEqual(await ruleWeightsOf(emulator, STAGING_BALANCER, HOST), {}, 'its rule is gone');
    assert.equal((await describeStack(emulator, STAGING_BALANCER))?.StackStatus, 'CREATE_COMPLETE', "staging's load balancer stays");
    // The preview and its own resources go: the staging network it ran in stays.
    assert.equal(await describeStack(emulator, RESOURCES), undefined);
    assert.equal((await describeStack(emulator, 'wimpy-staging'))?.StackStatus, 'CREATE_COMPLETE');
    assert.deepEqual(github.deployments.map((deployment) => github.latestState(Number(deployment.id))), ['inactive', 'inactive']);
    assert.equal(comments().length, 1);
    const body = comments()[0]!.body ?? '';
    assert.match(body, /Removed/);
    t.diagnostic(`deployments: ${statesOf().join('; ')}`);
    t.diagnostic(`the comment's final text:\n${body}`);
  });

  test('every request to GitHub was one that GitHub describes, with the fields it defines', () => {
    assert.deepEqual(github.violations, []);
    assert.deepEqual(github.standInErrors, []);
  });
});
