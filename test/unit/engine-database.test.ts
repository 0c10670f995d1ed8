import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_STACK, databaseStack, environmentStack, loadBalancerStack, resourcesStack, rollingStack } from '../../src/config/names.js';
import { DATABASE_OUTPUTS } from '../../src/templates/database.js';
import { configOf } from '../support/config.js';
import { APP, FakeAws, V1 } from '../support/fake-aws.js';

/** The application's database: its own stack, after the resources it uses and before the application that reads it. */

const PR = 7;
const preview = (inputs: Record<string, string> = {}, kind: 'preview-deploy' | 'preview-destroy' = 'preview-deploy') =>
  configOf({ version: V1, database: 'postgres', ...inputs }, { sha: V1, intent: { kind, pullRequest: PR } });
const applies = (aws: FakeAws) => aws.stacks.calls.filter((call) => call.kind === 'apply').map((call) => call.name);

describe('a deploy with a database', () => {
  test('the first deploy creates the database stack after the resources and before the application stack, protected', async () => {
    const aws = new FakeAws();
    const { report } = await aws.run(configOf({ version: V1, database: 'postgres' }));
    assert.equal(report.status, 'success', report.message);
    assert.deepEqual(applies(aws), [BASE_STACK, environmentStack('staging'), loadBalancerStack(APP, 'staging'), resourcesStack(APP, 'staging'), databaseStack(APP, 'staging'), rollingStack(APP, 'staging')]);
    assert.equal(aws.stacks.get(databaseStack(APP, 'staging'))!.terminationProtection, true);
    assert.ok(report.stacks.some((stack) => stack.name === databaseStack(APP, 'staging')), 'the summary lists it');
  });

  test('a second deploy leaves the database stack as it is', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({ version: V1, database: 'postgres' }));
    const before = aws.stacks.calls.length;
    await aws.run(configOf({ version: 'v2', database: 'postgres' }));
    assert.ok(!aws.stacks.calls.slice(before).some((call) => call.kind === 'apply' && call.name === databaseStack(APP, 'staging') && call.outcome !== 'unchanged'));
  });

  test('a preview gets its own database stack, and its closing removes it before its resources', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({ version: V1, database: 'postgres' }));
    const { report } = await aws.run(preview());
    assert.equal(report.status, 'success', report.message);
    const own = databaseStack(APP, `pr-${PR}`);
    assert.ok(aws.stacks.get(own), 'its own database stack');
    assert.equal(aws.stacks.get(own)!.terminationProtection, false);
    const mark = aws.journal.length;
    const closed = await aws.run(preview({}, 'preview-destroy'));
    assert.equal(closed.report.status, 'success', closed.report.message);
    assert.equal(aws.stacks.get(own), undefined);
    const journal = aws.since(mark);
    assert.ok(journal.indexOf(`stacks.remove ${own}: removed`) < journal.indexOf(`stacks.remove ${resourcesStack(APP, `pr-${PR}`)}`), journal.join('\n'));
    assert.ok(aws.stacks.get(databaseStack(APP, 'staging')), 'staging\'s database stays');
  });

  test('a preview on staging\'s database has no database stack of its own', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({ version: V1, database: 'postgres' }));
    const { report } = await aws.run(preview({ 'preview-database': 'staging' }));
    assert.equal(report.status, 'success', report.message);
    assert.equal(aws.stacks.get(databaseStack(APP, `pr-${PR}`)), undefined);
  });

  test('a preview on staging\'s database is refused before any stack changes while staging has none', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({ version: V1 }));
    const mark = aws.stacks.calls.length;
    const { report } = await aws.run(preview({ 'preview-database': 'staging' }));
    assert.equal(report.status, 'failure');
    assert.match(report.message!, /^preview-database: staging uses staging's database, but its stack awesome-application-staging-database does not exist: deploy staging with database: postgres first/);
    assert.deepEqual(aws.stacks.calls.slice(mark).filter((call) => call.kind === 'apply'), []);
  });
});

describe('destroy and the database', () => {
  test('keeps the database, and the resources it uses, unless destroy-database says otherwise', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({ version: V1, database: 'postgres' }));
    const { report } = await aws.run(configOf({ command: 'destroy', database: 'postgres' }));
    assert.equal(report.status, 'success', report.message);
    assert.ok(aws.stacks.get(databaseStack(APP, 'staging')));
    assert.ok(aws.stacks.get(resourcesStack(APP, 'staging')));
    assert.equal(aws.stacks.get(rollingStack(APP, 'staging')), undefined);
    assert.match(report.message!, /Kept the database stack awesome-application-staging-database, and awesome-application-staging-resources .*destroy-database: true removes them, after a final snapshot\./);
  });

  test('with destroy-database: true, turns deletion protection off, removes it after its final snapshot and names the snapshot', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({ version: V1, database: 'postgres' }));
    const stack = aws.stacks.get(databaseStack(APP, 'staging'))!;
    const instance = stack.outputs[DATABASE_OUTPUTS.instanceId]!;
    aws.databaseSnapshots.snapshots.set(instance, 'awesome-application-staging-database-snapshot-database-1a2b3c');
    const mark = aws.journal.length;
    const { report } = await aws.run(configOf({ command: 'destroy', database: 'postgres', 'destroy-database': 'true' }));
    assert.equal(report.status, 'success', report.message);
    const journal = aws.since(mark);
    const name = databaseStack(APP, 'staging');
    const unprotected = journal.indexOf(`stacks.unprotect ${name}`);
    assert.ok(journal.indexOf(`stacks.apply ${name}`) < unprotected && unprotected < journal.indexOf(`stacks.remove ${name}`), journal.join('\n'));
    assert.equal(aws.stacks.get(name), undefined);
    assert.match(report.message!, new RegExp(`Removed the database ${instance} after its final snapshot awesome-application-staging-database-snapshot-database-1a2b3c; its master password stays in the secret`));
  });

  test('destroy-database without the database input refuses, before anything of the database changes', async () => {
    const aws = new FakeAws();
    await aws.run(configOf({ version: V1, database: 'postgres' }));
    const { report } = await aws.run(configOf({ command: 'destroy', 'destroy-database': 'true' }));
    assert.equal(report.status, 'failure');
    assert.match(report.message!, /destroy-database: true needs the database input/);
    assert.ok(aws.stacks.get(databaseStack(APP, 'staging')));
  });
});
