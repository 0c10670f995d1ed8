import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseStack, releaseCluster, releaseStack, resourcesStack, rollingStack } from '../../src/config/names.js';
import { LAST_LINES } from '../../src/engine/release-command.js';
import { planRun } from '../../src/engine/plan.js';
import { finalStatus } from '../../src/github/feedback.js';
import { renderReport } from '../../src/report/render.js';
import { configOf } from '../support/config.js';
import { ACCOUNT_ID, APP, FakeAws, REGION, V1, V2 } from '../support/fake-aws.js';

/** The release command: once per release, before the application stack changes and before any traffic moves. */

const MIGRATE = 'python manage.py migrate --noinput';
const withCommand = (inputs: Record<string, string> = {}) => configOf({ version: V1, 'release-command': MIGRATE, ...inputs });
const first = (journal: readonly string[], prefix: string) => journal.findIndex((entry) => entry.startsWith(prefix));
/** Where a stack's apply starts: its name exactly, not a longer name that begins with it. */
const applyOf = (journal: readonly string[], stack: string) => journal.indexOf(`stacks.apply ${stack}`);
const last = (journal: readonly string[], prefix: string) => journal.findLastIndex((entry) => entry.startsWith(prefix));

describe('the release command', () => {
  test('a rolling deploy runs it, to its end, after the environment and before the application stack and the traffic change', async () => {
    const aws = new FakeAws();
    const { report } = await aws.run(withCommand());
    assert.equal(report.status, 'success', report.message);
    const { journal } = aws;
    const started = first(journal, 'releaseTasks.start');
    const finished = last(journal, 'releaseTasks.state');
    assert.ok(started > last(journal, `stacks.apply ${resourcesStack(APP, 'staging')}: `), journal.join('\n'));
    assert.ok(finished < applyOf(journal, rollingStack(APP, 'staging')), journal.join('\n'));
    assert.ok(finished < first(journal, 'listeners.forward'), journal.join('\n'));
    assert.ok(aws.log.lines.some((line) => line.includes('release | No migrations to apply.')), 'its output streamed into the log');
  });

  test('a blue-green deploy runs it before the new release takes any traffic, even at weight 0', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({ version: V1, strategy: 'blue-green', environment: 'production', 'step-wait': '0' }));
    const mark = aws.journal.length;
    const { report } = await aws.run(configOf({ version: V2, strategy: 'blue-green', environment: 'production', 'step-wait': '0', 'release-command': MIGRATE }));
    assert.equal(report.status, 'success', report.message);
    const journal = aws.since(mark);
    const finished = last(journal, 'releaseTasks.state');
    assert.ok(first(journal, 'releaseTasks.start') >= 0);
    assert.ok(finished < applyOf(journal, releaseStack(APP, 'production', V2)), journal.join('\n'));
    assert.ok(finished < first(journal, 'listeners.forward'), journal.join('\n'));
  });

  test('runs in the release\'s image with its variables, secrets and database, in the application subnets and security group, with the instances\' role', async () => {
    const aws = new FakeAws();
    await aws.run(withCommand({ database: 'postgres', 'environment-variables': 'LOG_LEVEL=debug', secrets: 'API_KEY=api-key' }));
    const [spec] = aws.releaseTasks.started;
    const resources = aws.stacks.get(resourcesStack(APP, 'staging'))!.outputs;
    const database = aws.stacks.get(databaseStack(APP, 'staging'))!.outputs;
    assert.equal(spec!.cluster, releaseCluster(APP, 'staging'));
    assert.match(spec!.image, /@sha256:[a-f0-9]{64}$/);
    assert.equal(spec!.roleArn, resources.InstanceRoleArn);
    assert.deepEqual(spec!.securityGroups, [resources.InstanceSecurityGroupId]);
    assert.equal(spec!.logGroup, resources.LogGroupName);
    assert.deepEqual(spec!.command, ['/bin/sh', '-c', 'export DATABASE_URL="postgres://$DATABASE_USER:$DATABASE_PASSWORD@$DATABASE_HOST:$DATABASE_PORT/$DATABASE_NAME"; exec /bin/sh -c "$1"', 'release-command', MIGRATE]);
    const environment = Object.fromEntries(spec!.environment.map(({ name, value }) => [name, value]));
    assert.equal(environment.LOG_LEVEL, 'debug');
    assert.equal(environment.ENVIRONMENT, 'staging');
    assert.equal(environment.DATABASE_HOST, database.DatabaseHost);
    assert.equal(environment.DATABASE_NAME, 'awesome_application');
    assert.equal(environment.DATABASE_PASSWORD, undefined, 'never a plain value');
    assert.deepEqual(spec!.secrets, [
      { name: 'API_KEY', valueFrom: `arn:aws:ssm:${REGION}:${ACCOUNT_ID}:parameter/${APP}/staging/api-key` },
      { name: 'DATABASE_PASSWORD', valueFrom: `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:${database.DatabaseSecretName}:password::` },
    ]);
  });

  test('without a database the command runs through /bin/sh as it is written', async () => {
    const aws = new FakeAws();
    await aws.run(withCommand());
    assert.deepEqual(aws.releaseTasks.started[0]!.command, ['/bin/sh', '-c', MIGRATE]);
  });

  test('a failing command stops the deploy: no application stack, no traffic, and its last lines are the reason', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({ version: V1 }));
    const before = aws.stacks.get(rollingStack(APP, 'staging'))!;
    const changes = aws.listeners.changes.length;
    const output = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).concat(['django.db.utils.ProgrammingError: column "email" does not exist']);
    aws.releaseTasks.script = { lines: output, exitCode: 1, polls: 3 };
    const mark = aws.journal.length;
    const { report, outputs } = await aws.run(configOf({ version: V2, 'release-command': MIGRATE }));
    assert.equal(report.status, 'failure');
    assert.equal(report.message, 'The release command exited with code 1: django.db.utils.ProgrammingError: column "email" does not exist. No traffic moved and the application stack was not changed.');
    assert.deepEqual(report.releaseCommandOutput?.lines, output.slice(-LAST_LINES), 'only the last lines');
    // The summary and the pull request comment render the report: the lines as a block of code, as written.
    const summary = renderReport(report, { heading: 2, open: true, eventRows: 10, changeRows: 10 });
    assert.ok(summary.includes(`\n\`\`\`text\n${output.slice(-LAST_LINES).join('\n')}\n\`\`\`\n`), summary);
    // The deployment status starts with the message.
    assert.match(finalStatus(report).description ?? "", /^The release command exited with code 1: django\.db\.utils\.ProgrammingError/);
    const journal = aws.since(mark);
    assert.equal(applyOf(journal, rollingStack(APP, 'staging')), -1, journal.join('\n'));
    assert.equal(aws.listeners.changes.length, changes);
    assert.deepEqual(aws.stacks.get(rollingStack(APP, 'staging'))!.parameters, before.parameters);
    assert.equal(outputs['has-changes'], 'false');
  });

  test('a command that runs past release-timeout-minutes is stopped and fails the deploy, nothing moved', async () => {
    const aws = new FakeAws();
    aws.releaseTasks.script = { lines: ['Applying migrations...'] };
    const { report } = await aws.run(withCommand({ 'release-timeout-minutes': '2' }));
    assert.equal(report.status, 'failure');
    assert.match(report.message!, /did not finish within release-timeout-minutes \(2\) and was stopped: Applying migrations\.\.\.\. No traffic moved/);
    assert.deepEqual(report.releaseCommandOutput?.lines, ['Applying migrations...']);
    assert.equal(aws.releaseTasks.stopped.length, 1);
    assert.equal(aws.listeners.changes.length, 0);
    assert.equal(aws.stacks.get(rollingStack(APP, 'staging')), undefined);
  });

  test('a task ECS could not start says why', async () => {
    const aws = new FakeAws();
    // A task that stops without an exit code: ECS never started the container.
    aws.releaseTasks.script = { lines: [], polls: 1, reason: 'CannotPullContainerError: pull access denied' };
    const { report } = await aws.run(withCommand());
    assert.match(report.message!, /The release command did not run \(CannotPullContainerError: pull access denied\)\. No traffic moved and the application stack was not changed\. It wrote no output\./);
  });

  test('runs once per release: not again when the release already serves, nor for a rollback', async () => {
    const aws = new FakeAws();
    await aws.run(withCommand());
    await aws.run(withCommand());
    assert.equal(aws.releaseTasks.started.length, 1);
    await aws.run(withCommand({ version: V2 }));
    assert.equal(aws.releaseTasks.started.length, 2);
    await aws.run(withCommand({ command: 'rollback', version: V1 }));
    assert.equal(aws.releaseTasks.started.length, 2);
  });
});

describe('the plan of a deploy with a release command and a database', () => {
  test('shows the database stack before the release, and where the release command runs, before any traffic step', () => {
    const plan = planRun(withCommand({ database: 'postgres' }));
    const names = plan.stacks.map((stack) => stack.name);
    assert.ok(names.indexOf(databaseStack(APP, 'staging')) > names.indexOf(resourcesStack(APP, 'staging')));
    assert.ok(names.indexOf(databaseStack(APP, 'staging')) < names.indexOf(rollingStack(APP, 'staging')));
    assert.match(plan.stacks.find((stack) => stack.name === databaseStack(APP, 'staging'))!.purpose, /^postgres 18 on Amazon RDS \(db\.t4g\.micro, 20 GiB, deletion protection and a final snapshot\)/);
    assert.match(plan.traffic[0]!, /^run the release command `python manage.py migrate --noinput` once, in the release's image, as a one-off ECS task on Fargate \(cluster awesome-application-staging-release\) in staging's application subnets/);
    assert.match(plan.traffic[1]!, /^update awesome-application-staging in place/);
  });
});
