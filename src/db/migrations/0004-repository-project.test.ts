import { test } from 'node:test';
import assert from 'node:assert/strict';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { migrationProvider } from './index.js';
import type { Database } from '../schema.js';

test('0004 backfills each repository with the project its name starts with; the key then guards deletes', async () => {
  const sqlite = new SQLite(':memory:');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const migrator = new Migrator({ db, provider: migrationProvider('sqlite') });
  assert.equal((await migrator.migrateTo('0003-sessions')).error, undefined);
  const now = Date.now();
  const projects = await db
    .insertInto('projects')
    .values(['a', 'a_b', 'ab'].map((name) => ({ name, owner_id: null, public: 0, metadata: '{}', created_at: now, updated_at: now })))
    .returning(['id', 'name'])
    .execute();
  const id = (name: string) => projects.find((p) => p.name === name)!.id;
  const repos = ['a/x', 'a/y/z', 'a_b/x', 'ab/c', 'axb/c', 'orphan/r'];
  // Rows as they were before 0004 (no project_id column yet).
  await db.insertInto('repositories').values(repos.map((name) => ({ name, created_at: now, updated_at: now })) as never).execute();
  assert.equal((await migrator.migrateToLatest()).error, undefined);
  const rows = await db.selectFrom('repositories').select(['name', 'project_id']).orderBy('name').execute();
  assert.deepEqual(
    rows.map((r) => [r.name, r.project_id]),
    [['a/x', id('a')], ['a/y/z', id('a')], ['a_b/x', id('a_b')], ['ab/c', id('ab')], ['axb/c', null], ['orphan/r', null]],
  );
  await assert.rejects(db.deleteFrom('projects').where('id', '=', id('a')).execute(), /FOREIGN KEY/);
  await db.destroy();
});
