import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configOf } from '../support/config.js';

const PREVIEW = { sha: '6113728f27ae82c7b1a177c8d03f9e96e0adf246', intent: { kind: 'preview-deploy' as const, pullRequest: 7 } };

describe('database and release-command inputs', () => {
  test('no database unless asked for', () => {
    assert.equal(configOf({}).database, undefined);
  });

  test('an environment\'s database takes the class, storage and standby asked for (a standby in production by default)', () => {
    assert.deepEqual(configOf({ database: 'mysql', environment: 'production', 'database-class': 'db.r7g.large', 'database-storage': '200' }).database,
      { engine: 'mysql', instanceClass: 'db.r7g.large', storageGiB: 200, multiAz: true, disposable: false, environment: 'production' });
    assert.equal(configOf({ database: 'postgres', environment: 'staging' }).database?.multiAz, false);
  });

  test('a preview gets its own smallest database by default, staging\'s, or none, as preview-database says', () => {
    assert.deepEqual(configOf({ database: 'postgres', 'database-class': 'db.m7g.large' }, PREVIEW).database,
      { engine: 'postgres', instanceClass: 'db.t4g.micro', storageGiB: 20, multiAz: false, disposable: true, environment: 'pr-7' });
    assert.equal(configOf({ database: 'postgres', 'preview-database': 'staging' }, PREVIEW).database?.environment, 'staging');
    assert.equal(configOf({ database: 'postgres', 'preview-database': 'none' }, PREVIEW).database, undefined);
  });

  test('the release command is kept exactly as written, with its timeout (15 minutes by default)', () => {
    assert.deepEqual(configOf({ 'release-command': 'python manage.py migrate --noinput' }).releaseCommand, { command: 'python manage.py migrate --noinput', timeoutMinutes: 15 });
    assert.deepEqual(configOf({ 'release-command': 'bin/rails db:migrate', 'release-timeout-minutes': '40' }).releaseCommand, { command: 'bin/rails db:migrate', timeoutMinutes: 40 });
    assert.equal(configOf({}).releaseCommand, undefined);
  });

  test('destroy keeps the database unless destroy-database says otherwise', () => {
    assert.equal(configOf({ command: 'destroy' }).destroyDatabase, false);
    assert.equal(configOf({ command: 'destroy', 'destroy-database': 'true' }).destroyDatabase, true);
  });
});
