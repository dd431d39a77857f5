import { sql } from 'kysely';
import { migrateToLatest, type DatabaseHandle } from '../../db/database.js';
import {
  type AnyDb,
  appliedMigrations,
  countRows,
  dataTables,
  inSnapshot,
  isEmptyDatabase,
  insertRows,
  knownMigrations,
  loadOrder,
  migrateStateTable,
  migrateTo,
  readSequences,
  restoreSequences,
  tableExists,
  tableRows,
} from '../../db/snapshot.js';
import type { Progress } from '../../platform/progress.js';
import { BackupRefusal } from './backup.js';
import { TableFingerprint } from './fingerprint.js';

export interface MigrateOptions {
  /** The installation being moved; nothing may write to it meanwhile (the caller locks it). */
  source: DatabaseHandle;
  /** An empty database, or the target of an interrupted run of this same move. */
  target: DatabaseHandle;
  progress: Progress;
  /** Called once a table is copied and recorded (tests interrupt the move here). */
  afterTable?: (table: string) => void | Promise<void>;
  /** Tables left behind besides the leases, e.g. upload_sessions when the blobs move elsewhere. */
  skipTables?: string[];
  /**
   * Runs once the target is known to be empty or this move's own (and marked as such), before
   * any row is copied: the blob copy, so that a failure there leaves a move that resumes.
   */
  beforeRows?: () => Promise<void>;
}

export interface MigrateSummary {
  tables: number;
  rows: number;
  /** Tables an earlier, interrupted run had already copied. */
  resumed: string[];
  migrations: string[];
}

const state = sql.table(migrateStateTable);

/**
 * Unlike a backup, a move keeps the data dir and its upload files, so uploads in flight carry on
 * after it; only the job leases, which name instances of the old setup, stay behind.
 */
const notMoved = new Set(['leases']);

/**
 * Moves every row of `source` into `target`, resumably and verified:
 *  - the target first gets exactly the source's schema (its applied migrations);
 *  - each table is copied in one target transaction that also records it as done in
 *    `haven_migrate_state`, so an interrupted run resumes at the first table not done, and a
 *    table is never half there;
 *  - the id sequences follow; then every table's row count and row fingerprint (an order-free
 *    digest of all its values) are compared between source and target;
 *  - only then the bookkeeping is dropped and later migrations run.
 */
export async function migrateDatabase(opts: MigrateOptions): Promise<MigrateSummary> {
  const { source, target, progress } = opts;
  const src = source.db as AnyDb;
  const dst = target.db as AnyDb;
  const migrations = await appliedMigrations(src);
  if (migrations.length === 0) throw new BackupRefusal('the source database has no schema yet; start haven serve on it once');
  const known = await knownMigrations(target.dialect);
  migrations.forEach((m, i) => {
    if (known[i] !== m) throw new BackupRefusal(`the source's schema (migration ${m}) is not one this Haven knows`);
  });

  const resumed = await prepareTarget(target, migrations);
  const done = new Map(resumed.map((r) => [r.table, r.rows]));
  await migrateTo(target, migrations[migrations.length - 1]!);
  await opts.beforeRows?.();
  const skipped = new Set([...notMoved, ...(opts.skipTables ?? [])]);

  const summary = await inSnapshot(source, async (stx) => {
    const order = (await loadOrder(dst, target.dialect)).filter((t) => !skipped.has(t));
    const sourceTables = new Set(await dataTables(stx, source.dialect));
    for (const t of order) if (!sourceTables.has(t)) throw new BackupRefusal(`the source lacks table ${t}`);
    const counts = new Map<string, number>();
    for (const t of order) counts.set(t, await countRows(stx, t));
    const total = order.reduce((a, t) => a + (counts.get(t) ?? 0), 0);
    progress.phase('rows', total);
    for (const t of order) {
      if (done.has(t)) {
        progress.advance(counts.get(t) ?? 0);
        continue;
      }
      await dst.transaction().execute(async (ttx) => {
        let n = 0;
        for await (const rows of tableRows(stx, source.dialect, t)) {
          await insertRows(ttx, t, rows);
          n += rows.length;
          progress.advance(rows.length);
        }
        await sql`insert into ${state} (item, value) values (${`table:${t}`}, ${String(n)})`.execute(ttx);
      });
      await opts.afterTable?.(t);
    }
    progress.done();
    // An earlier run of this move without them may have copied them: they must not stay behind.
    for (const t of opts.skipTables ?? []) await sql`delete from ${sql.table(t)}`.execute(dst);
    await dst.transaction().execute(async (ttx) => restoreSequences(ttx, target.dialect, await readSequences(stx, source.dialect)));

    progress.phase('verified rows', total);
    for (const t of order) {
      const [a, b] = [await fingerprint(stx, source.dialect, t, progress), await inSnapshot(target, (ttx) => fingerprint(ttx, target.dialect, t, null))];
      if (a !== b) {
        throw new BackupRefusal(
          `table ${t} differs between source and target after the copy (rows:fingerprint ${a} vs ${b}); was the source written to during the move? ` +
            'Drop the target database, recreate it empty and run haven migrate again',
        );
      }
    }
    progress.done();
    return { tables: order.length, rows: total };
  });

  await sql`drop table ${state}`.execute(dst);
  await migrateToLatest(target);
  return { ...summary, resumed: resumed.map((r) => r.table), migrations };
}

/**
 * A fresh target gets the bookkeeping table; a target with it is resumed (if it was moving the
 * same schema); anything else in the target is refused, so a database in use is never touched.
 */
async function prepareTarget(target: DatabaseHandle, migrations: string[]): Promise<Array<{ table: string; rows: number }>> {
  const db = target.db as AnyDb;
  if (await tableExists(db, target.dialect, migrateStateTable)) {
    const rows = (await sql<{ item: string; value: string }>`select item, value from ${state}`.execute(db)).rows;
    const recorded = rows.find((r) => r.item === 'migrations')?.value;
    if (recorded !== JSON.stringify(migrations)) {
      throw new BackupRefusal('the target holds an interrupted migrate of another schema; drop the target database, recreate it empty and start again');
    }
    return rows.filter((r) => r.item.startsWith('table:')).map((r) => ({ table: r.item.slice('table:'.length), rows: Number(r.value) }));
  }
  if (!(await isEmptyDatabase(db, target.dialect))) throw new BackupRefusal('the target database is not empty; give an empty database (haven migrate never writes over data)');
  await sql`create table ${state} (item varchar(255) primary key, value text not null)`.execute(db);
  await sql`insert into ${state} (item, value) values ('migrations', ${JSON.stringify(migrations)})`.execute(db);
  return [];
}

async function fingerprint(tx: AnyDb, dialect: DatabaseHandle['dialect'], table: string, progress: Progress | null): Promise<string> {
  const f = new TableFingerprint();
  for await (const rows of tableRows(tx, dialect, table)) {
    for (const r of rows) f.add(r);
    progress?.advance(rows.length);
  }
  return f.value;
}
