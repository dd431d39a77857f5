import type { Kysely } from 'kysely';
import type { SqlDialect } from '../dialect.js';
import { textType } from './text-type.js';

/**
 * Tag retention (issue 11): one policy per project (Harbor's retention_policy, with the policy
 * JSON as its API carries it and the trigger's cron beside it). Executions, tasks and logs are
 * the job service's (vendor RETENTION, vendor_id = policy id, one task per repository).
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  const bigId = dialect === 'postgres' ? 'bigserial' : 'integer';
  const pk = (c: any) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey());
  const text = (type = 'text') => textType(dialect, type);

  await db.schema
    .createTable('retention_policies')
    .addColumn('id', bigId, pk)
    .addColumn('project_id', 'bigint', (c) => c.notNull().unique().references('projects.id').onDelete('cascade'))
    .addColumn('policy', text(), (c) => c.notNull())
    .addColumn('cron', text('varchar(128)'), (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('retention_policies').execute();
}
