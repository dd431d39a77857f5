import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest, openSqlite, type DatabaseHandle } from '../../db/database.js';
import { dataTables, loadOrder, type AnyDb } from '../../db/snapshot.js';
import { silentProgress } from '../../platform/progress.js';
import { BackupRefusal, createBackup } from './backup.js';
import { restoreBackup } from './restore.js';
import { seedInstallation, type Seeded } from './test-fixture.js';

/** Every row of every table, in a stable order, for comparing two databases. */
async function everything(handle: DatabaseHandle): Promise<Record<string, unknown[]>> {
  const db = handle.db as AnyDb;
  const out: Record<string, unknown[]> = {};
  for (const t of await dataTables(db, handle.dialect)) {
    const rows = await db.selectFrom(t).selectAll().execute();
    out[t] = rows.map((r) => JSON.stringify(r, (_k, v) => (v?.type === 'Buffer' ? Buffer.from(v.data).toString('hex') : v))).sort();
  }
  return out;
}

describe('backup and restore of a database (SQLite to SQLite)', () => {
  let work: string;
  let source: DatabaseHandle;
  let seeded: Seeded;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'haven-backup-unit-'));
    source = openSqlite(join(work, 'src', 'haven.db'));
    await migrateToLatest(source);
    seeded = await seedInstallation(source.db, join(work, 'src', 'storage'));
    writeFileSync(join(work, 'src', 'csrf-key'), 'k');
  });

  after(async () => {
    await source?.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('tables load in foreign-key order', async () => {
    const order = await loadOrder(source.db as AnyDb, 'sqlite');
    const at = (t: string) => order.indexOf(t);
    for (const [child, parent] of [['manifests', 'repositories'], ['tags', 'manifests'], ['repository_blobs', 'blobs'], ['projects', 'users'], ['robot_permissions', 'robots']] as const) {
      assert.ok(at(child) > at(parent), `${child} after ${parent}`);
    }
  });

  test('every row comes back identical, bytes included; uploads in flight do not; ids are not reused', async () => {
    const backup = join(work, 'backup');
    const header = await createBackup({ database: source, storageRoot: join(work, 'src', 'storage'), storageName: 'filesystem', dataDir: join(work, 'src'), target: backup, mode: 'copy', progress: silentProgress, havenVersion: 'test' });
    assert.deepEqual(header.files, ['csrf-key']);
    assert.equal(header.blobs.count, 1);
    assert.equal(header.tables.find((t) => t.name === 'upload_sessions'), undefined);

    const summary = await restoreBackup({ source: backup, dataDir: join(work, 'dst'), mode: 'copy', progress: silentProgress, openDatabase: (d) => openSqlite(join(d, 'haven.db')) });
    assert.deepEqual(summary.blobs, { linked: 0, copied: 1 });
    const restored = openSqlite(join(work, 'dst', 'haven.db'));
    try {
      const want = await everything(source);
      const got = await everything(restored);
      want.upload_sessions = [];
      assert.deepEqual(got, want);
      const m = await restored.db.selectFrom('manifests').select('content').executeTakeFirstOrThrow();
      assert.ok(Buffer.isBuffer(m.content) && m.content.equals(seeded.manifestContent));
      const next = await restored.db.insertInto('users').values({ username: 'new', email: null, realname: '', comment: '', password_hash: 'h', sysadmin: 0, password_changed_at: 0, created_at: 0, updated_at: 0 }).returning('id').executeTakeFirstOrThrow();
      assert.ok(next.id > seeded.deletedUserId, `new id ${next.id} above the deleted ${seeded.deletedUserId}`);
    } finally {
      await restored.close();
    }
  });

  test('a database without a schema is refused, and the half-made backup is removed', async () => {
    const empty = openSqlite(join(work, 'empty', 'haven.db'));
    try {
      await sql`create table kysely_migration (name varchar(255) primary key, timestamp varchar(255))`.execute(empty.db);
      const target = join(work, 'empty-backup');
      await assert.rejects(
        createBackup({ database: empty, storageRoot: null, storageName: 'filesystem', dataDir: null, target, mode: 'copy', progress: silentProgress, havenVersion: 'test' }),
        (err) => err instanceof BackupRefusal && /no schema yet/.test(err.message),
      );
      assert.equal(existsSync(target), false);
    } finally {
      await empty.close();
    }
  });
});
