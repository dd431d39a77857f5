import type { Kysely } from 'kysely';
import type { SqlDialect } from '../dialect.js';
import { textType } from './text-type.js';

/**
 * The job service's durable state, in Harbor's model: an execution (one run of GC, of a retention
 * policy, of a webhook delivery ...) made of tasks, each a unit a worker claims with a lease and
 * renews by heartbeat; task logs as lines; schedules with their next firing time, which instances
 * advance by compare-and-set so exactly one fires each; paused queues; and each instance's worker
 * pool with its heartbeat, for the job service dashboard.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  const bigId = dialect === 'postgres' ? 'bigserial' : 'integer';
  const pk = (c: any) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey());
  const text = (type = 'text') => textType(dialect, type);

  await db.schema
    .createTable('job_executions')
    .addColumn('id', bigId, pk)
    .addColumn('vendor_type', text('varchar(64)'), (c) => c.notNull())
    .addColumn('vendor_id', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('status', text('varchar(16)'), (c) => c.notNull())
    .addColumn('status_message', text(), (c) => c.notNull().defaultTo(''))
    .addColumn('trigger', text('varchar(16)'), (c) => c.notNull())
    .addColumn('extra_attrs', text(), (c) => c.notNull().defaultTo('{}'))
    .addColumn('start_time', 'bigint', (c) => c.notNull())
    .addColumn('update_time', 'bigint', (c) => c.notNull())
    .addColumn('end_time', 'bigint')
    .execute();
  await db.schema.createIndex('job_executions_vendor').on('job_executions').columns(['vendor_type', 'vendor_id', 'id']).execute();

  await db.schema
    .createTable('job_tasks')
    .addColumn('id', bigId, pk)
    .addColumn('execution_id', 'bigint', (c) => c.notNull().references('job_executions.id').onDelete('cascade'))
    .addColumn('job_type', text('varchar(64)'), (c) => c.notNull())
    .addColumn('params', text(), (c) => c.notNull().defaultTo('{}'))
    .addColumn('status', text('varchar(16)'), (c) => c.notNull())
    .addColumn('status_message', text(), (c) => c.notNull().defaultTo(''))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('run_after', 'bigint', (c) => c.notNull())
    .addColumn('lease_holder', text('varchar(128)'))
    .addColumn('lease_until', 'bigint')
    .addColumn('stop_requested', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('progress_done', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('progress_total', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('extra_attrs', text(), (c) => c.notNull().defaultTo('{}'))
    .addColumn('creation_time', 'bigint', (c) => c.notNull())
    .addColumn('start_time', 'bigint')
    .addColumn('update_time', 'bigint', (c) => c.notNull())
    .addColumn('end_time', 'bigint')
    .execute();
  // The claim: the oldest due pending task of the types a worker runs.
  await db.schema.createIndex('job_tasks_claim').on('job_tasks').columns(['status', 'job_type', 'run_after', 'id']).execute();
  await db.schema.createIndex('job_tasks_execution').on('job_tasks').columns(['execution_id', 'id']).execute();

  await db.schema
    .createTable('job_task_logs')
    .addColumn('id', bigId, pk)
    .addColumn('task_id', 'bigint', (c) => c.notNull().references('job_tasks.id').onDelete('cascade'))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('line', text(), (c) => c.notNull())
    .execute();
  await db.schema.createIndex('job_task_logs_task').on('job_task_logs').columns(['task_id', 'id']).execute();

  await db.schema
    .createTable('job_schedules')
    .addColumn('id', bigId, pk)
    .addColumn('vendor_type', text('varchar(64)'), (c) => c.notNull())
    .addColumn('vendor_id', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('cron_type', text('varchar(16)'), (c) => c.notNull())
    .addColumn('cron', text('varchar(128)'), (c) => c.notNull())
    .addColumn('params', text(), (c) => c.notNull().defaultTo('{}'))
    .addColumn('next_fire', 'bigint', (c) => c.notNull())
    .addColumn('creation_time', 'bigint', (c) => c.notNull())
    .addColumn('update_time', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('job_schedules_vendor', ['vendor_type', 'vendor_id'])
    .execute();
  await db.schema.createIndex('job_schedules_due').on('job_schedules').columns(['next_fire']).execute();

  await db.schema
    .createTable('job_queues')
    .addColumn('job_type', text('varchar(64)'), (c) => c.primaryKey())
    .addColumn('paused', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('update_time', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('job_pools')
    .addColumn('id', text('varchar(128)'), (c) => c.primaryKey())
    .addColumn('host', text('varchar(255)'), (c) => c.notNull())
    .addColumn('pid', 'integer', (c) => c.notNull())
    .addColumn('concurrency', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['job_pools', 'job_queues', 'job_schedules', 'job_task_logs', 'job_tasks', 'job_executions']) await db.schema.dropTable(t).execute();
}
