import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { migrateToLatest, openSqlite, type DatabaseHandle } from '../../db/database.js';
import { openPostgres } from '../../db/postgres.js';
import { dataTables, isEmptyDatabase, migrateStateTable, tableExists, tableRows, type AnyDb } from '../../db/snapshot.js';
import { silentProgress } from '../../platform/progress.js';
import { BackupRefusal, createBackup } from './backup.js';
import { TableFingerprint } from './fingerprint.js';
import { migrateDatabase } from './migrate.js';
import { restoreBackup } from './restore.js';
import { seedInstallation, type Seeded } from './test-fixture.js';
import { postgres, type PostgresServer } from '../../../test/backends/postgres.js';

/** Per table, the order-free fingerprint of its rows. */
async function fingerprints(handle: DatabaseHandle): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  await handle.db.transaction().execute(async (tx) => {
    for (const t of await dataTables(tx as AnyDb, handle.dialect)) {
      const f = new TableFingerprint();
      for await (const rows of tableRows(tx as AnyDb, handle.dialect, t)) for (const r of rows) f.add(r);
      out[t] = f.value;
    }
  });
  return out;
}

const openPg = (url: string) => openPostgres(url, { poolSize: 4 });

describe('between SQLite and PostgreSQL: haven migrate (resumable, verified) and backups restored across dialects', () => {
  let work: string;
  let server: PostgresServer;
  let source: DatabaseHandle;
  let seeded: Seeded;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'haven-migrate-unit-'));
    server = await postgres();
    source = openSqlite(join(work, 'haven.db'));
    await migrateToLatest(source);
    seeded = await seedInstallation(source.db, null);
  });

  after(async () => {
    await source?.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('an interrupted move resumes at the first table not done, and ends equal to the source', async () => {
    const target = openPg(await server.createDatabase('resume'));
    try {
      let copied = 0;
      await assert.rejects(
        migrateDatabase({
          source,
          target,
          progress: silentProgress,
          afterTable: () => {
            if (++copied === 5) throw new Error('interrupted');
          },
        }),
        /interrupted/,
      );
      assert.ok(await tableExists(target.db as AnyDb, 'postgres', migrateStateTable), 'bookkeeping kept for the resume');

      const summary = await migrateDatabase({ source, target, progress: silentProgress });
      assert.equal(summary.resumed.length, 5);
      assert.equal(await tableExists(target.db as AnyDb, 'postgres', migrateStateTable), false, 'bookkeeping dropped');
      // Uploads in flight move too: their files stay in the data dir, so they carry on.
      assert.deepEqual(await fingerprints(target), await fingerprints(source));
      assert.equal((await target.db.selectFrom('upload_sessions').select('id').execute()).length, 1);
      const m = await target.db.selectFrom('manifests').select('content').executeTakeFirstOrThrow();
      assert.ok(m.content.equals(seeded.manifestContent));
      // The sequences moved past every id the source handed out, the deleted user's included.
      const next = await target.db
        .insertInto('users')
        .values({ username: 'new', email: null, realname: '', comment: '', password_hash: 'h', sysadmin: 0, password_changed_at: 0, created_at: 0, updated_at: 0 })
        .returning('id')
        .executeTakeFirstOrThrow();
      assert.ok(Number(next.id) > seeded.deletedUserId, `new id ${next.id}`);

      await assert.rejects(migrateDatabase({ source, target, progress: silentProgress }), (err) => err instanceof BackupRefusal && /not empty/.test(err.message));
    } finally {
      await target.close();
    }
  });

  test('a source written to between the interruption and the resume fails the verification', async () => {
    const target = openPg(await server.createDatabase('changed'));
    try {
      await assert.rejects(
        migrateDatabase({
          source,
          target,
          progress: silentProgress,
          afterTable: (table) => {
            if (table === 'users') throw new Error('interrupted');
          },
        }),
        /interrupted/,
      );
      await source.db.updateTable('users').set({ realname: 'changed meanwhile' }).where('username', '=', 'u1').execute();
      await assert.rejects(
        migrateDatabase({ source, target, progress: silentProgress }),
        (err) => err instanceof BackupRefusal && /table users differs between source and target/.test(err.message),
      );
    } finally {
      await target.close();
    }
  });

  test('a target that holds other tables is refused and left alone', async () => {
    const target = openPg(await server.createDatabase('occupied'));
    try {
      await (target.db as AnyDb).schema.createTable('mine').addColumn('x', 'integer').execute();
      await assert.rejects(migrateDatabase({ source, target, progress: silentProgress }), (err) => err instanceof BackupRefusal && /not empty/.test(err.message));
      assert.deepEqual(await dataTables(target.db as AnyDb, 'postgres'), ['mine']);
    } finally {
      await target.close();
    }
  });

  test('a SQLite backup restores into an empty PostgreSQL database; a failed load leaves it empty', async () => {
    const backup = join(work, 'backup');
    await createBackup({ database: source, storageRoot: null, storageName: 'filesystem', dataDir: null, target: backup, mode: 'copy', progress: silentProgress, havenVersion: 'test' });

    // A header whose row count disagrees with its (intact) table file: the load fails at the end.
    const bad = join(work, 'bad-count');
    cpSync(backup, bad, { recursive: true });
    const header = JSON.parse(readFileSync(join(bad, 'backup.json'), 'utf8'));
    header.tables.find((x: { name: string }) => x.name === 'users').rows = 99;
    writeFileSync(join(bad, 'backup.json'), JSON.stringify(header));
    const url = await server.createDatabase('restored');
    const failing = openPg(url);
    try {
      await assert.rejects(
        restoreBackup({ source: bad, dataDir: join(work, 'pg-data-bad'), mode: 'copy', progress: silentProgress, openDatabase: () => failing }),
        (err) => err instanceof BackupRefusal && /table users: loaded 1 rows, the backup recorded 99/.test(err.message),
      );
    } finally {
      await failing.close();
    }
    const emptyAfter = async (why: string) => {
      const check = openPg(url);
      try {
        assert.equal(await isEmptyDatabase(check.db as AnyDb, 'postgres'), true, why);
      } finally {
        await check.close();
      }
    };
    await emptyAfter('the failed load left nothing behind');

    // A backup that lists a key file it lacks fails after the load: the database is emptied again.
    const noFile = join(work, 'no-file');
    cpSync(backup, noFile, { recursive: true });
    const h2 = JSON.parse(readFileSync(join(noFile, 'backup.json'), 'utf8'));
    h2.files = ['csrf-key'];
    writeFileSync(join(noFile, 'backup.json'), JSON.stringify(h2));
    await assert.rejects(
      restoreBackup({ source: noFile, dataDir: join(work, 'pg-data-nofile'), mode: 'copy', progress: silentProgress, openDatabase: () => openPg(url) }),
      (err) => err instanceof BackupRefusal && /the backup lacks files\/csrf-key, which backup.json lists/.test(err.message),
    );
    await emptyAfter('a failure after the load left nothing behind');
    assert.equal(existsSync(join(work, 'pg-data-nofile')), false);

    const target = openPg(url);
    await restoreBackup({ source: backup, dataDir: join(work, 'pg-data'), mode: 'copy', progress: silentProgress, openDatabase: () => target });
    const again = openPg(url);
    try {
      const want = await fingerprints(source);
      want.upload_sessions = new TableFingerprint().value;
      assert.deepEqual(await fingerprints(again), want);
      const other = openPg(url);
      await assert.rejects(
        restoreBackup({ source: backup, dataDir: join(work, 'pg-data-2'), mode: 'copy', progress: silentProgress, openDatabase: () => other }),
        (err) => err instanceof BackupRefusal && /target database is not empty/.test(err.message),
      );
    } finally {
      await again.close();
    }
  });

  test('a PostgreSQL backup restores into SQLite, row for row', async () => {
    const url = await server.createDatabase('pgsource');
    const pgSource = openPg(url);
    try {
      await migrateToLatest(pgSource);
      await seedInstallation(pgSource.db, null);
      const backup = join(work, 'pg-backup');
      const header = await createBackup({ database: pgSource, storageRoot: null, storageName: 'filesystem', dataDir: null, target: backup, mode: 'copy', progress: silentProgress, havenVersion: 'test' });
      assert.equal(header.source.dialect, 'postgres');
      assert.ok((header.sequences.users ?? 0) >= 2, 'the deleted user is counted in the sequence');
      const dir = join(work, 'from-pg');
      await restoreBackup({ source: backup, dataDir: dir, mode: 'copy', progress: silentProgress, openDatabase: (d) => openSqlite(join(d, 'haven.db')) });
      const restored = openSqlite(join(dir, 'haven.db'));
      try {
        const want = await fingerprints(pgSource);
        want.upload_sessions = new TableFingerprint().value;
        assert.deepEqual(await fingerprints(restored), want);
        const next = await restored.db
          .insertInto('users')
          .values({ username: 'new', email: null, realname: '', comment: '', password_hash: 'h', sysadmin: 0, password_changed_at: 0, created_at: 0, updated_at: 0 })
          .returning('id')
          .executeTakeFirstOrThrow();
        assert.ok(next.id > header.sequences.users!, `new id ${next.id} above ${header.sequences.users}`);
      } finally {
        await restored.close();
      }
    } finally {
      await pgSource.close();
    }
  });
});
