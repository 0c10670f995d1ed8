import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readDatabaseSection } from '../../../src/config/sections/database.js';
import { readerOf, refusals } from '../../support/config.js';

const NO_VARIABLES = { variables: [], secrets: [] };

describe('the database section', () => {
  test("a preview gets the smallest database of its own, which goes with it", () => {
    const { database } = readDatabaseSection(readerOf({ database: 'postgres' }), 'pr-7', 7, NO_VARIABLES);
    assert.deepEqual([database?.disposable, database?.multiAz, database?.storageGiB, database?.environment], [true, false, 20, 'pr-7']);
  });

  test('refuses a container variable the database sets', () => {
    const reader = readerOf({ database: 'postgres' });
    readDatabaseSection(reader, 'staging', undefined, { variables: [{ name: 'DATABASE_URL' }], secrets: [] });
    assert.deepEqual(refusals(reader), ['environment-variables: sets DATABASE_URL, which the action sets itself with database (DATABASE_URL, DATABASE_HOST, DATABASE_PORT, DATABASE_NAME, DATABASE_USER, DATABASE_PASSWORD)']);
  });
});
