import { type Kysely, sql } from 'kysely';
import type { SqlDialect } from '../dialect.js';

/**
 * Online garbage collection's optimistic lock: a blob the sweep is deleting carries the time it
 * was marked (`deleting_since`, the mark's stamp). The mark is set in the transaction that
 * re-checks the blob is unreferenced and older than the window, and removes its repository links;
 * pushes that meet a marked blob wait for it to go, or treat it as absent. The row is deleted only
 * after its bytes, so a marked row whose bytes are gone (a crash mid-sweep) is finished by the next
 * run. `blobs.created_at` from now on means "last stored or linked": the window counts from it.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>, _dialect: SqlDialect): Promise<void> {
  await db.schema.alterTable('blobs').addColumn('deleting_since', 'bigint').execute();
  // Partial: only marked rows are in it, so the sweep's candidate scan (deleting_since IS NULL, in
  // digest order) keeps to the primary key instead of walking this index over every blob.
  await db.schema.createIndex('blobs_deleting').on('blobs').column('deleting_since').where(sql.ref('deleting_since'), 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('blobs_deleting').execute();
  await db.schema.alterTable('blobs').dropColumn('deleting_since').execute();
}
