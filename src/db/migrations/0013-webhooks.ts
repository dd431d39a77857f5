import type { Kysely } from 'kysely';
import type { SqlDialect } from '../dialect.js';
import { textType } from './text-type.js';

/**
 * Webhooks (issue 11, section 4): a project's policies (Harbor's notification_policy: name
 * unique per project, event types and targets as JSON, the targets' auth headers sealed when
 * secrets.key is set), and the outbox consumer's cursor: the id of the last event turned into
 * deliveries, advanced in the transaction that queues them, so an event is planned exactly once
 * however many instances consume.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  const bigId = dialect === 'postgres' ? 'bigserial' : 'integer';
  const pk = (c: any) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey());
  const text = (type = 'text') => textType(dialect, type);

  await db.schema
    .createTable('webhook_policies')
    .addColumn('id', bigId, pk)
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('name', text('varchar(256)'), (c) => c.notNull())
    .addColumn('description', text(), (c) => c.notNull().defaultTo(''))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('event_types', text(), (c) => c.notNull())
    .addColumn('targets', text(), (c) => c.notNull())
    .addColumn('creator', text('varchar(256)'), (c) => c.notNull().defaultTo(''))
    .addColumn('creation_time', 'bigint', (c) => c.notNull())
    .addColumn('update_time', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('webhook_policies_project_name', ['project_id', 'name'])
    .execute();

  await db.schema
    .createTable('webhook_cursor')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('last_event_id', 'bigint', (c) => c.notNull())
    .addColumn('update_time', 'bigint', (c) => c.notNull())
    .execute();
}

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webhook_cursor').execute();
  await db.schema.dropTable('webhook_policies').execute();
}
