import { test } from 'node:test';
import assert from 'node:assert/strict';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { migrationProvider } from './index.js';
import type { Database } from '../schema.js';

test('0005 keeps every tag (now with an id), backfills artifact fields, and counts existing usage once per digest', async () => {
  const sqlite = new SQLite(':memory:');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const migrator = new Migrator({ db, provider: migrationProvider('sqlite') });
  assert.equal((await migrator.migrateTo('0004-repository-project')).error, undefined);
  const now = 1_700_000_000_000;
  const [p] = await db.insertInto('projects').values({ name: 'p', owner_id: null, public: 0, metadata: '{}', created_at: now, updated_at: now }).returning('id').execute();
  const repos = await db
    .insertInto('repositories')
    .values(['p/a', 'p/b'].map((name) => ({ name, project_id: p!.id, created_at: now, updated_at: now })) as never)
    .returning(['id', 'name'])
    .execute();
  await db.insertInto('blobs').values([{ digest: 'sha256:layer', size: 1000, created_at: now }, { digest: 'sha256:cfg', size: 10, created_at: now }]).execute();
  // The same image in two repositories of one project: its layer and config count once.
  const manifests: number[] = [];
  for (const r of repos) {
    const [m] = await db
      .insertInto('manifests')
      .values({ repository_id: r.id, digest: 'sha256:img', media_type: 'application/vnd.oci.image.manifest.v1+json', artifact_type: null, subject_digest: null, annotations: null, size: 100, content: Buffer.alloc(100), created_at: now } as never)
      .returning('id')
      .execute();
    manifests.push(m!.id);
    await db.insertInto('manifest_references').values([{ manifest_id: m!.id, digest: 'sha256:layer', kind: 'blob' }, { manifest_id: m!.id, digest: 'sha256:cfg', kind: 'blob' }]).execute();
    await db.insertInto('tags').values([{ repository_id: r.id, name: 'v1', manifest_id: m!.id, created_at: now, updated_at: now + 5 }] as never).execute();
  }
  assert.equal((await migrator.migrateToLatest()).error, undefined);

  const tags = await db.selectFrom('tags').selectAll().orderBy('id').execute();
  assert.deepEqual(
    tags.map((t) => [t.id > 0, t.repository_id, t.name, t.manifest_id, t.updated_at, t.pulled_at]),
    repos.map((r, i) => [true, r.id, 'v1', manifests[i], now + 5, null]),
  );
  const m = await db.selectFrom('manifests').select(['pushed_at', 'total_size', 'artifact_kind']).execute();
  assert.deepEqual(m, [{ pushed_at: now, total_size: 100, artifact_kind: 'UNKNOWN' }, { pushed_at: now, total_size: 100, artifact_kind: 'UNKNOWN' }]);
  const quota = await db.selectFrom('quotas').selectAll().executeTakeFirstOrThrow();
  assert.equal(quota.project_id, p!.id);
  assert.equal(quota.hard_storage, -1);
  assert.equal(quota.used_storage, 1110);
  const ledger = await db.selectFrom('project_blobs').select(['digest', 'refs']).orderBy('digest').execute();
  assert.deepEqual(ledger, [{ digest: 'sha256:cfg', refs: 2 }, { digest: 'sha256:img', refs: 2 }, { digest: 'sha256:layer', refs: 2 }]);
  // Deleting a tag's manifest still takes the tag along (the rebuilt table keeps its cascade).
  await db.deleteFrom('manifests').where('id', '=', manifests[0]!).execute();
  assert.equal((await db.selectFrom('tags').select('id').execute()).length, 1);
  await db.destroy();
});
