import { type Kysely, sql } from 'kysely';
import type { SqlDialect } from '../dialect.js';

/**
 * What several instances on one database need, and what PostgreSQL needs to behave as SQLite:
 * - `shared_keys`: the token signing key and the CSRF key, created once by whichever instance
 *   starts first (an insert that loses the race reads the winner's key);
 * - `leases`: one holder per name until it expires, so a periodic job runs on one instance;
 * - on PostgreSQL, byte-order collation for every text column (SQLite's BINARY: catalog and tag
 *   pages, prefixes and uniqueness must not depend on the server's locale), and bigint for the
 *   ids that grow with traffic (SQLite's integers are 64-bit already).
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  await db.schema
    .createTable('shared_keys')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('leases')
    .addColumn('name', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('holder', 'varchar(128)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  if (dialect !== 'postgres') return;

  const columns = await sql<{ table_name: string; column_name: string; data_type: string; max: number | null }>`
    select table_name, column_name, data_type, character_maximum_length as max
    from information_schema.columns
    where table_schema = current_schema() and data_type in ('character varying', 'text')
      and table_name not like 'kysely%'
    order by table_name, ordinal_position`.execute(db);
  for (const c of columns.rows) {
    const type = c.data_type === 'text' ? 'text' : `varchar(${c.max})`;
    await sql`alter table ${sql.table(c.table_name)} alter column ${sql.ref(c.column_name)} type ${sql.raw(type)} collate "C"`.execute(db);
  }

  const bigint: Array<[string, string]> = [
    ['manifests', 'id'],
    ['manifest_references', 'manifest_id'],
    ['tags', 'id'],
    ['tags', 'manifest_id'],
    ['artifact_labels', 'manifest_id'],
    ['audit_logs', 'id'],
    ['event_outbox', 'id'],
  ];
  for (const [table, column] of bigint) {
    await sql`alter table ${sql.table(table)} alter column ${sql.ref(column)} type bigint`.execute(db);
    if (column === 'id') {
      const seq = await sql<{ s: string | null }>`select pg_get_serial_sequence(${table}, 'id') as s`.execute(db);
      const name = seq.rows[0]?.s;
      if (name) await sql`alter sequence ${sql.raw(name)} as bigint`.execute(db);
    }
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('leases').execute();
  await db.schema.dropTable('shared_keys').execute();
}
