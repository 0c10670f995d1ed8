import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseInstance, ExecError, missingToolsMessage } from '../../src/engine/exec.js';
import { ec2 } from '../../src/platforms/ec2/index.js';
import type { InstanceGroup, Instances } from '../../src/engine/ports.js';
import { readReleases } from '../../src/engine/rollback.js';
import { readStatus } from '../../src/engine/status.js';
import { statusMarkdown, statusText } from '../../src/report/status.js';
import { configOf } from '../support/config.js';
import { parseDiagram } from '../support/mermaid.js';
import { blueGreen, FakeAws, stagingRelease, V1, V2 } from '../support/fake-aws.js';

const A = stagingRelease(V1);
const B = stagingRelease(V2);
const launched = new Date('2026-06-01T12:05:00Z');

/** The groups of both releases, as Auto Scaling, EC2 and the load balancer describe them. */
const GROUPS: InstanceGroup[] = [
  { name: 'asg-a', stackName: A, version: V1, desired: 1, instances: [{ id: 'i-0aaa', lifecycle: 'InService', targetHealth: 'healthy', launchedAt: launched }], activities: [{ time: launched, status: 'Successful', description: 'Launching a new EC2 instance: i-0aaa' }] },
  { name: 'asg-b', stackName: B, version: V2, desired: 1, instances: [{ id: 'i-0bbb', lifecycle: 'InService', targetHealth: 'unhealthy', targetReason: 'Health checks failed', launchedAt: launched }], activities: [] },
];
const instances = (groups: InstanceGroup[] = GROUPS): Instances & { asked: number[] } => {
  const asked: number[] = [];
  return { asked, groups: async (_application, _environment, since) => (asked.push(since), groups) };
};

async function canaryAt10(): Promise<FakeAws> {
  const aws = new FakeAws();
  await aws.run(blueGreen(V1));
  await aws.run(blueGreen(V2, { 'canary-steps': '10' }));
  return aws;
}

describe('status', () => {
  test('after a canary left at 10 %, lists both releases with their weights, the canary waiting for promote, and the last good release', async () => {
    const aws = await canaryAt10();
    const reader = instances();
    const status = await readStatus(configOf({ command: 'status' }), { ...aws, instances: reader });
    assert.equal(status.url, 'https://awesome-application-staging.armesto.net');
    assert.equal(status.logGroup, '/wimpy/staging/awesome-application');
    assert.equal(status.promotePending, true);
    assert.deepEqual(status.releases.map((release) => [release.version, release.weight, release.canary, release.lastGood, release.health]), [
      [V2, 10, true, false, 'in-progress'],
      [V1, 90, false, true, 'good'],
    ]);
    assert.equal(status.releases[0]!.pinnedUrl, 'https://awesome-application-staging-2222222.armesto.net');
    assert.match(status.releases[0]!.image ?? '', /@sha256:[0-9a-f]{64}$/);
    assert.deepEqual(status.instances.map((instance) => [instance.id, instance.version, instance.targetHealth, instance.launchedAt]), [
      ['i-0aaa', V1, 'healthy', launched.toISOString()],
      ['i-0bbb', V2, 'unhealthy', launched.toISOString()],
    ]);
    assert.deepEqual(reader.asked, [aws.clock.now() - 3_600_000], 'scaling activity of the last hour');
    assert.equal(status.scaling[0]!.description, 'Launching a new EC2 instance: i-0aaa');
    assert.equal(status.lastDeployment?.version, V2);
  });

  test('the terminal text and the summary say the same facts', async () => {
    const aws = await canaryAt10();
    const status = await readStatus(configOf({ command: 'status' }), { ...aws, instances: instances() });
    const textOut = statusText(status);
    assert.match(textOut, /A canary waits for promote/);
    assert.match(textOut, /2222222 {2}10 % {2}in-progress .* canary, waiting for promote/);
    assert.match(textOut, /1111111 {2}90 % {2}good .* last good/);
    assert.match(textOut, /i-0bbb {2}2222222 {2}InService {2}target unhealthy \(Health checks failed\)/);
    const markdown = statusMarkdown(status);
    assert.match(markdown, /A canary waits for `promote`/);
    assert.match(markdown, /<code>2222222<\/code> \| 10 % \| in-progress/);
    assert.match(markdown, /<code>1111111<\/code> \| 90 % \| good/);
    assert.match(markdown, /<code>i-0aaa<\/code>/);
  });

  test('the summary draws the releases behind the hostname: the canary at 10 %, the last good release at 90 %', async () => {
    const aws = await canaryAt10();
    const status = await readStatus(configOf({ command: 'status' }), { ...aws, instances: instances() });
    const [picture] = await Promise.all((statusMarkdown(status).match(/```mermaid\n[\s\S]*?\n```/g) ?? []).map(parseDiagram));
    assert.equal(picture?.nodes[0]?.text, 'awesome-application-staging.armesto.net');
    assert.deepEqual(picture?.nodes.slice(1).map((node) => [node.text.split('\n')[0], node.classes.join()]), [['2222222', 'canary'], ['1111111', 'serving']]);
    assert.deepEqual(picture?.edges.map((edge) => edge.text), ['10 %', '90 %']);
  });

  test('a status read changes nothing', async () => {
    const aws = await canaryAt10();
    const mark = aws.journal.length;
    await readStatus(configOf({ command: 'status' }), { ...aws, instances: instances() });
    assert.deepEqual(aws.since(mark).filter((entry) => /apply|remove|setWeights|publish/.test(entry)), []);
  });
});

describe('exec', () => {
  test('chooses a healthy in-service instance of the release that serves most of the traffic, not the canary', async () => {
    const aws = await canaryAt10();
    const state = await readReleases(configOf({ command: 'exec' }), aws);
    assert.deepEqual(chooseInstance(state, GROUPS), { id: 'i-0aaa', version: V1 });
  });

  test('refuses when nothing serves or no instance runs', async () => {
    const aws = new FakeAws();
    const empty = await readReleases(configOf({ command: 'exec' }), aws);
    assert.throws(() => chooseInstance(empty, []), (error: unknown) => error instanceof ExecError && /deploy first/.test(error.message));
    await aws.run(blueGreen(V1));
    const state = await readReleases(configOf({ command: 'exec' }), aws);
    assert.throws(() => chooseInstance(state, []), /No running instance of the serving release/);
  });

  test('on EC2, builds the Session Manager session as an argument array, every word of the command quoted for the instance\'s shell', () => {
    assert.deepEqual(ec2.sessionArgv('i-0aaa', [], 'eu-west-1'), ['ssm', 'start-session', '--target', 'i-0aaa', '--document-name', 'AWS-StartInteractiveCommand', '--parameters', '{"command":["sudo docker exec --interactive --tty wimpy-app \'sh\'"]}', '--region', 'eu-west-1']);
    const argv = ec2.sessionArgv('i-0aaa', ['rails', 'runner', "puts 'hi'; $(id)"]);
    assert.equal(JSON.parse(argv[7]!).command[0], `sudo docker exec --interactive --tty wimpy-app 'rails' 'runner' 'puts '\\''hi'\\''; $(id)'`);
  });

  test('where the plugin is missing, says what to install and the exact command', () => {
    const message = missingToolsMessage(['session-manager-plugin'], ec2.sessionArgv('i-0aaa', ['ls']));
    assert.match(message, /needs session-manager-plugin, which is not installed here/);
    assert.match(message, /session-manager-working-with-install-plugin\.html/);
    assert.match(message, /aws 'ssm' 'start-session' '--target' 'i-0aaa' '--document-name' 'AWS-StartInteractiveCommand' '--parameters'/);
  });
});
