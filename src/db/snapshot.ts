import { type Kysely, Migrator, sql } from 'kysely';
import type { DatabaseHandle } from './database.js';
import type { SqlDialect } from './dialect.js';
import { migrationProvider } from './migrations/index.js';

/**
 * Dialect-aware access to a whole database as tables of rows, for backup, restore and migrate.
 * Tables are found by introspection (not a hard-coded list), so a table a later migration adds
 * is carried without this file changing. The migration bookkeeping tables are not data.
 */

// biome-ignore lint/suspicious/noExplicitAny: rows of tables found at run time have no static type.
export type AnyDb = Kysely<any>;
export type Row = Record<string, unknown>;

/** Bookkeeping of an interrupted `haven migrate` in its target database (dropped at its end). */
export const migrateStateTable = 'haven_migrate_state';

const notData = new Set(['kysely_migration', 'kysely_migration_lock', 'sqlite_sequence', migrateStateTable]);

/** The data tables of the database, by name (byte order). */
export async function dataTables(db: AnyDb, dialect: SqlDialect): Promise<string[]> {
  const rows =
    dialect === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db)
      : await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db);
  return rows.rows
    .map((r) => r.name)
    .filter((n) => !notData.has(n))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Whether a table exists, data or not. */
export async function tableExists(db: AnyDb, dialect: SqlDialect, name: string): Promise<boolean> {
  const rows =
    dialect === 'sqlite'
      ? await sql<{ n: number }>`select count(*) as n from sqlite_master where type = 'table' and name = ${name}`.execute(db)
      : await sql<{ n: number }>`select count(*) as n from information_schema.tables where table_schema = current_schema() and table_name = ${name}`.execute(db);
  return Number(rows.rows[0]?.n ?? 0) > 0;
}

/** Whether the database holds nothing at all: no data tables and no migration bookkeeping. */
export async function isEmptyDatabase(db: AnyDb, dialect: SqlDialect): Promise<boolean> {
  return (await dataTables(db, dialect)).length === 0 && !(await tableExists(db, dialect, 'kysely_migration'));
}

/** Drops every table (a failed restore into a database that was empty before it began). */
export async function dropEverything(db: AnyDb, dialect: SqlDialect): Promise<void> {
  const tables = (await loadOrder(db, dialect)).reverse();
  for (const t of [...tables, 'kysely_migration', 'kysely_migration_lock', migrateStateTable]) {
    await sql`drop table if exists ${sql.table(t)}${sql.raw(dialect === 'postgres' ? ' cascade' : '')}`.execute(db);
  }
}

/** Foreign keys as (table, referenced table) pairs. */
async function foreignKeys(db: AnyDb, dialect: SqlDialect): Promise<Array<{ tbl: string; ref: string }>> {
  const rows =
    dialect === 'sqlite'
      ? await sql<{ tbl: string; ref: string }>`
          select m.name as tbl, p."table" as ref
          from sqlite_master m join pragma_foreign_key_list(m.name) p
          where m.type = 'table'`.execute(db)
      : await sql<{ tbl: string; ref: string }>`
          select tc.table_name as tbl, ccu.table_name as ref
          from information_schema.table_constraints tc
          join information_schema.constraint_column_usage ccu
            on ccu.constraint_name = tc.constraint_name and ccu.constraint_schema = tc.constraint_schema
          where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = current_schema()`.execute(db);
  return rows.rows;
}

/**
 * The tables in an order that loads without breaking a foreign key: every table after the ones
 * it references. A cycle (none today) would be reported rather than loaded half-way.
 */
export async function loadOrder(db: AnyDb, dialect: SqlDialect): Promise<string[]> {
  const tables = await dataTables(db, dialect);
  const deps = new Map(tables.map((t) => [t, new Set<string>()]));
  for (const { tbl, ref } of await foreignKeys(db, dialect)) if (tbl !== ref && deps.has(ref)) deps.get(tbl)?.add(ref);
  const order: string[] = [];
  const placed = new Set<string>();
  while (order.length < tables.length) {
    const ready = tables.filter((t) => !placed.has(t) && [...deps.get(t)!].every((d) => placed.has(d)));
    if (ready.length === 0) throw new Error(`foreign keys form a cycle among ${tables.filter((t) => !placed.has(t)).join(', ')}`);
    for (const t of ready) {
      placed.add(t);
      order.push(t);
    }
  }
  return order;
}

/** Names of the migrations applied, in order. */
export async function appliedMigrations(db: AnyDb): Promise<string[]> {
  const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  return rows.rows.map((r) => r.name);
}

/** Runs the migrations up to and including `name` (a fresh database gets exactly that schema). */
export async function migrateTo(handle: DatabaseHandle, name: string): Promise<void> {
  const migrator = new Migrator({ db: handle.db, provider: migrationProvider(handle.dialect) });
  const { error, results } = await migrator.migrateTo(name);
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) throw new Error(`database migration ${failed?.migrationName ?? name} failed: ${String(error)}`);
}

/** The migrations this build knows, in order. */
export async function knownMigrations(dialect: SqlDialect): Promise<string[]> {
  return Object.keys(await migrationProvider(dialect).getMigrations()).sort();
}

/** Rows of one table, streamed in batches (never the whole table in memory). */
export async function* tableRows(tx: AnyDb, dialect: SqlDialect, table: string, batch = 500): AsyncIterable<Row[]> {
  if (dialect === 'sqlite') {
    let rows: Row[] = [];
    for await (const row of tx.selectFrom(table).selectAll().stream()) {
      rows.push(row as Row);
      if (rows.length >= batch) {
        yield rows;
        rows = [];
      }
    }
    if (rows.length) yield rows;
    return;
  }
  // node-postgres streams only with pg-cursor; a server-side cursor in the transaction does the same.
  await sql`declare haven_snapshot no scroll cursor for select * from ${sql.table(table)}`.execute(tx);
  try {
    for (;;) {
      const { rows } = await sql<Row>`fetch ${sql.raw(String(batch))} from haven_snapshot`.execute(tx);
      if (rows.length === 0) break;
      yield rows;
    }
  } finally {
    await sql`close haven_snapshot`.execute(tx);
  }
}

/**
 * Runs `read` in one transaction that sees one consistent snapshot of the database while other
 * processes keep writing: on SQLite a read transaction over WAL, on PostgreSQL REPEATABLE READ.
 */
export async function inSnapshot<T>(handle: DatabaseHandle, read: (tx: AnyDb) => Promise<T>): Promise<T> {
  const db = handle.db as AnyDb;
  if (handle.dialect === 'sqlite') return db.transaction().execute(read);
  return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(read);
}

/** Serial columns of the database: table, column and the highest value handed out so far. */
export async function readSequences(db: AnyDb, dialect: SqlDialect): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  if (dialect === 'sqlite') {
    const exists = await sql<{ n: number }>`select count(*) as n from sqlite_master where name = 'sqlite_sequence'`.execute(db);
    if (Number(exists.rows[0]?.n) === 0) return out;
    const rows = await sql<{ name: string; seq: number }>`select name, seq from sqlite_sequence`.execute(db);
    for (const r of rows.rows) if (!notData.has(r.name)) out[r.name] = Number(r.seq);
    return out;
  }
  for (const { table, column } of await serialColumns(db)) {
    const seq = await sequenceOf(db, table, column);
    if (!seq) continue;
    const r = await sql<{ last_value: string; is_called: boolean }>`select last_value, is_called from ${sql.raw(seq)}`.execute(db);
    const v = r.rows[0];
    if (v) out[table] = v.is_called ? Number(v.last_value) : Number(v.last_value) - 1;
  }
  return out;
}

/**
 * Makes every serial column hand out values above both what the backup recorded and the rows now
 * present: ids of deleted rows are never reused after a restore, and PostgreSQL's sequences
 * (which explicit ids do not advance) do not collide with loaded rows.
 */
export async function restoreSequences(db: AnyDb, dialect: SqlDialect, recorded: Record<string, number>): Promise<void> {
  if (dialect === 'sqlite') {
    for (const [table, seq] of Object.entries(recorded)) {
      const updated = await sql`update sqlite_sequence set seq = max(seq, ${seq}) where name = ${table}`.execute(db);
      if (!updated.numAffectedRows) await sql`insert into sqlite_sequence (name, seq) values (${table}, ${seq})`.execute(db);
    }
    return;
  }
  for (const { table, column } of await serialColumns(db)) {
    const seq = await sequenceOf(db, table, column);
    if (!seq) continue;
    const r = await sql<{ m: string | null }>`select max(${sql.ref(column)}) as m from ${sql.table(table)}`.execute(db);
    const top = Math.max(Number(r.rows[0]?.m ?? 0), recorded[table] ?? 0);
    if (top > 0) await sql`select setval(${seq}::regclass, ${top}, true)`.execute(db);
  }
}

async function serialColumns(db: AnyDb): Promise<Array<{ table: string; column: string }>> {
  const rows = await sql<{ table: string; column: string }>`
    select table_name as "table", column_name as "column" from information_schema.columns
    where table_schema = current_schema() and (column_default like 'nextval(%' or is_identity = 'YES')`.execute(db);
  return rows.rows.filter((r) => !notData.has(r.table));
}

async function sequenceOf(db: AnyDb, table: string, column: string): Promise<string | null> {
  const r = await sql<{ seq: string | null }>`select pg_get_serial_sequence(${table}, ${column}) as seq`.execute(db);
  return r.rows[0]?.seq ?? null;
}

/** Inserts rows in batches that stay under every dialect's bound-parameter limit. */
export async function insertRows(tx: AnyDb, table: string, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!).length || 1;
  const per = Math.max(1, Math.floor(8000 / columns));
  for (let i = 0; i < rows.length; i += per) await tx.insertInto(table).values(rows.slice(i, i + per)).execute();
}

/** Row count of a table. */
export async function countRows(db: AnyDb, table: string): Promise<number> {
  const r = await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  return Number((r as { n?: unknown } | undefined)?.n ?? 0);
}
