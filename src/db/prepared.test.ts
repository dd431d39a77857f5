import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prepared } from './sql-helpers.js';
import { openTestDatabase } from './test-database.js';

test('a prepared query binds each call its own arguments, in place, beside the constants the builder bound', async () => {
  const database = await openTestDatabase();
  const db = database.db;
  const now = 1;
  await db.insertInto('projects').values([{ name: 'a', owner_id: null, public: 1, metadata: '{}', created_at: now, updated_at: now }, { name: 'b', owner_id: null, public: 0, metadata: '{}', created_at: now, updated_at: now }]).execute();
  // A constant (public = 0) between two arguments, and the arguments used out of order.
  const find = prepared(db, (q, second: string, first: string) => q.selectFrom('projects').select('name').where('name', 'in', [first, second]).where('public', '=', 0).orderBy('name'));
  assert.deepEqual(await find(db, 'b', 'a'), [{ name: 'b' }]);
  assert.deepEqual(await find(db, 'a', 'zzz'), []);
  const before = database.queries();
  await find(db, 'b', 'x');
  assert.equal(database.queries() - before, 1);
  // Inside a transaction, on its connection.
  await db.transaction().execute(async (tx) => assert.deepEqual(await find(tx, 'b', 'a'), [{ name: 'b' }]));
  await database.close();
});
