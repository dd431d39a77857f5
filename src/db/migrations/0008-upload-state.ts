import type { Kysely } from 'kysely';
import type { SqlDialect } from '../dialect.js';
import { textType } from './text-type.js';

/**
 * An upload's driver state (S3: the multipart UploadId, part ETags, the tail's key) and the token
 * of the write that produced it, kept with the offset so that any instance can continue the
 * upload, and so commit knows whether an in-memory hash belongs to the write the row records.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  await db.schema.alterTable('upload_sessions').addColumn('driver_state', textType(dialect), (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('upload_sessions').addColumn('write_token', textType(dialect), (c) => c.notNull().defaultTo('')).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('upload_sessions').dropColumn('write_token').execute();
  await db.schema.alterTable('upload_sessions').dropColumn('driver_state').execute();
}
