import { type ExpressionBuilder, sql } from 'kysely';
import type { Db } from './database.js';
import type { Database, JobExecutionRow, JobStatus, JobTaskRow } from './schema.js';
import { transaction, dialectOf } from './transaction.js';

export interface TaskSpec {
  jobType: string;
  params?: Record<string, unknown>;
  maxAttempts?: number;
  extraAttrs?: Record<string, unknown>;
}

export interface ExecutionSpec {
  vendorType: string;
  vendorId?: number;
  trigger: 'MANUAL' | 'SCHEDULE' | 'EVENT';
  extraAttrs?: Record<string, unknown>;
  tasks: TaskSpec[];
  /**
   * At most one Pending or Running execution of this vendor type (GC): checked in the insert's
   * transaction, so of two enqueues at once, on any instances, one throws ExecutionActive.
   */
  exclusive?: boolean;
}

/** An exclusive execution was asked for while one of its vendor type is still Pending or Running. */
export class ExecutionActive extends Error {
  constructor(readonly active: { id: number; status: JobStatus }) {
    super(`execution ${active.id} is ${active.status}`);
    this.name = 'ExecutionActive';
  }
}

/** How a claimed task ended, as its worker reports it. */
export type TaskOutcome =
  | { status: 'Success' | 'Error' | 'Stopped'; message?: string }
  | { status: 'Retry'; message: string; runAfter: number };

/** A task's identity as its worker holds it: a report from an older claim changes nothing. */
export interface TaskClaim {
  id: number;
  holder: string;
  attempt: number;
}

export const finalStatuses: readonly JobStatus[] = ['Stopped', 'Error', 'Success'];

/** The task row as `claim` holds it: a write by an older claim (its lease ran out) matches nothing. */
function heldBy(claim: TaskClaim) {
  return (eb: ExpressionBuilder<Database, 'job_tasks'>) => eb.and({ id: claim.id, lease_holder: claim.holder, attempts: claim.attempt, status: 'Running' });
}

/**
 * The job service's queue and its history, in the metadata database. A task is claimed by one
 * statement that moves it to Running under a lease (on PostgreSQL through FOR UPDATE SKIP LOCKED,
 * so workers on several instances never wait on or take each other's rows; SQLite has one writer).
 * Every later write of the worker names its claim (holder and attempt), so a worker that lost its
 * lease — it stalled, and the task was given to another — can no longer change the task.
 */
export function createJobStore(db: Db) {
  /** An execution's status from its tasks, as Harbor derives it. */
  async function refreshExecution(tx: Db, executionId: number, now: number): Promise<void> {
    const counts = await tx
      .selectFrom('job_tasks')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('execution_id', '=', executionId)
      .groupBy('status')
      .execute();
    const n = (s: JobStatus) => Number(counts.find((c) => c.status === s)?.n ?? 0);
    const status: JobStatus =
      n('Running') > 0 ? 'Running' : n('Pending') > 0 ? (n('Success') + n('Error') + n('Stopped') > 0 ? 'Running' : 'Pending') : n('Error') > 0 ? 'Error' : n('Stopped') > 0 ? 'Stopped' : 'Success';
    const final = finalStatuses.includes(status);
    await tx
      .updateTable('job_executions')
      .set({ status, update_time: now, end_time: final ? now : null })
      .where('id', '=', executionId)
      // A final execution stays as it ended (its end time too): tasks never leave a final state.
      .where('status', 'not in', finalStatuses)
      .execute();
  }

  /** Pending tasks (of an execution, or one task) stop now; running ones are asked to. */
  async function stopTasks(by: 'id' | 'execution_id', value: number, executionId: number, now: number): Promise<void> {
    await transaction(db, async (tx) => {
      await tx
        .updateTable('job_tasks')
        .set({ status: 'Stopped', status_message: 'stopped before it ran', stop_requested: 1, update_time: now, end_time: now })
        .where(by, '=', value)
        .where('status', '=', 'Pending')
        .execute();
      await tx.updateTable('job_tasks').set({ stop_requested: 1, update_time: now }).where(by, '=', value).where('status', '=', 'Running').execute();
      await refreshExecution(tx, executionId, now);
    });
  }

  /** The claim's statement (see `claim`), on `runner`; `alone`: only while none of the type runs. */
  async function claimIn(runner: Db, jobType: string, limit: number, holder: string, leaseMs: number, now: number, alone: boolean): Promise<JobTaskRow[]> {
    const skipLocked = dialectOf(db) === 'postgres' ? sql`for update skip locked` : sql``;
    const onlyOne = alone ? sql`and not exists (select 1 from job_tasks r where r.job_type = ${jobType} and r.status = 'Running')` : sql``;
    const claimed = await sql<JobTaskRow>`
      update job_tasks
      set status = 'Running', lease_holder = ${holder}, lease_until = ${now + leaseMs}, attempts = attempts + 1,
          start_time = coalesce(start_time, ${now}), update_time = ${now}
      where id in (
        select id from job_tasks
        where status = 'Pending' and job_type = ${jobType} and run_after <= ${now} and stop_requested = 0
          and not exists (select 1 from job_queues q where q.job_type = ${jobType} and q.paused = 1)
          ${onlyOne}
        order by run_after, id
        limit ${limit}
        ${skipLocked}
      )
      returning *`.execute(runner);
    const rows = claimed.rows;
    for (const e of new Set(rows.map((r) => r.execution_id))) await refreshExecution(runner, e, now);
    return rows;
  }

  return {
    refreshExecution,

    /** Creates an execution and its tasks in one transaction (the caller's, when given). */
    async enqueue(spec: ExecutionSpec, now = Date.now(), runner: Db = db): Promise<number> {
      return transaction(runner, async (tx) => {
        // SQLite has one writer; on PostgreSQL SERIALIZABLE fails one of two enqueues that both
        // read "none active" (it runs again and finds the other's).
        if (spec.exclusive) {
          const active = await tx
            .selectFrom('job_executions')
            .select(['id', 'status'])
            .where('vendor_type', '=', spec.vendorType)
            .where('status', 'in', ['Pending', 'Running'])
            .orderBy('id')
            .limit(1)
            .executeTakeFirst();
          if (active) throw new ExecutionActive(active);
        }
        const exec = await tx
          .insertInto('job_executions')
          .values({
            vendor_type: spec.vendorType,
            vendor_id: spec.vendorId ?? 0,
            status: spec.tasks.length === 0 ? 'Success' : 'Pending',
            trigger: spec.trigger,
            extra_attrs: JSON.stringify(spec.extraAttrs ?? {}),
            start_time: now,
            update_time: now,
            end_time: spec.tasks.length === 0 ? now : null,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        for (const t of spec.tasks) {
          await tx
            .insertInto('job_tasks')
            .values({
              execution_id: exec.id,
              job_type: t.jobType,
              params: JSON.stringify(t.params ?? {}),
              status: 'Pending',
              max_attempts: t.maxAttempts ?? 1,
              run_after: now,
              extra_attrs: JSON.stringify(t.extraAttrs ?? {}),
              creation_time: now,
              update_time: now,
            })
            .execute();
        }
        return exec.id;
      });
    },

    /**
     * Moves up to `limit` due pending tasks of `jobType` to Running under `holder`'s lease and
     * returns them (attempts already counted). Paused queues give nothing.
     */
    async claim(jobType: string, limit: number, holder: string, leaseMs: number, now: number, opts: { alone?: boolean } = {}): Promise<JobTaskRow[]> {
      if (limit <= 0) return [];
      if (opts.alone) {
        // One task of the type at a time on every instance: the check and the claim in one
        // transaction (SERIALIZABLE on PostgreSQL fails one of two claims that both saw none).
        return transaction(db, (tx) => claimIn(tx, jobType, 1, holder, leaseMs, now, true));
      }
      return claimIn(db, jobType, limit, holder, leaseMs, now, false);
    },

    /**
     * Renews a claim's lease and records its progress. Null when the claim is no longer this
     * worker's (its lease ran out and the task went elsewhere, or it ended): the worker must stop.
     */
    async heartbeat(claim: TaskClaim, leaseMs: number, now: number, progress?: { done: number; total: number }): Promise<{ stopRequested: boolean } | null> {
      const row = await db
        .updateTable('job_tasks')
        .set({ lease_until: now + leaseMs, update_time: now, ...(progress ? { progress_done: progress.done, progress_total: progress.total } : {}) })
        .where(heldBy(claim))
        .returning('stop_requested')
        .executeTakeFirst();
      return row ? { stopRequested: row.stop_requested === 1 } : null;
    },

    /** Records how a claim ended; false when the claim was no longer this worker's. */
    async finish(claim: TaskClaim, outcome: TaskOutcome, now: number, attrs?: Record<string, unknown>, progress?: { done: number; total: number }): Promise<boolean> {
      return transaction(db, async (tx) => {
        const retry = outcome.status === 'Retry';
        const r = await tx
          .updateTable('job_tasks')
          .set({
            status: retry ? 'Pending' : outcome.status,
            status_message: outcome.message ?? '',
            lease_holder: null,
            lease_until: null,
            update_time: now,
            end_time: retry ? null : now,
            ...(retry ? { run_after: outcome.runAfter } : {}),
            ...(attrs ? { extra_attrs: JSON.stringify(attrs) } : {}),
            ...(progress ? { progress_done: progress.done, progress_total: progress.total } : {}),
          })
          .where(heldBy(claim))
          .returning('execution_id')
          .executeTakeFirst();
        if (!r) return false;
        await refreshExecution(tx, r.execution_id, now);
        return true;
      });
    },

    /**
     * A clean shutdown hands a running task back as it was before this claim: the attempt did not
     * fail, so it is not counted, and another worker (or this one, restarted) takes it at once.
     */
    async release(claim: TaskClaim, now: number): Promise<void> {
      await transaction(db, async (tx) => {
        const r = await tx
          .updateTable('job_tasks')
          .set({ status: 'Pending', lease_holder: null, lease_until: null, attempts: claim.attempt - 1, run_after: now, update_time: now })
          .where(heldBy(claim))
          .returning('execution_id')
          .executeTakeFirst();
        if (r) await refreshExecution(tx, r.execution_id, now);
      });
    },

    /**
     * Tasks whose worker stopped renewing its lease (the process died, or hangs): retried when
     * attempts remain, else failed. Never run twice at once: the old claim's writes no longer
     * match, and its lease had expired before the task was handed on.
     */
    async recoverExpired(now: number): Promise<number> {
      return transaction(db, async (tx) => {
        const lost = await tx
          .selectFrom('job_tasks')
          .select(['id', 'execution_id', 'attempts', 'max_attempts', 'stop_requested'])
          .where('status', '=', 'Running')
          .where('lease_until', '<', now)
          .execute();
        for (const t of lost) {
          const again = t.stop_requested === 0 && t.attempts < t.max_attempts;
          await tx
            .updateTable('job_tasks')
            .set({
              status: again ? 'Pending' : t.stop_requested === 1 ? 'Stopped' : 'Error',
              status_message: again ? 'its worker was lost; run again' : 'its worker was lost',
              lease_holder: null,
              lease_until: null,
              run_after: now,
              update_time: now,
              end_time: again ? null : now,
            })
            .where('id', '=', t.id)
            .where('status', '=', 'Running')
            .execute();
        }
        for (const e of new Set(lost.map((t) => t.execution_id))) await refreshExecution(tx, e, now);
        return lost.length;
      });
    },

    /**
     * Asks an execution to stop: pending tasks stop at once, running ones when their worker next
     * renews its lease. False when there is no such execution.
     */
    async requestStop(executionId: number, now = Date.now()): Promise<boolean> {
      const exec = await db.selectFrom('job_executions').select('id').where('id', '=', executionId).executeTakeFirst();
      if (!exec) return false;
      await stopTasks('execution_id', executionId, executionId, now);
      return true;
    },

    /** Stops one task (Harbor's stop of a job by its id). */
    async requestTaskStop(taskId: number, now = Date.now()): Promise<boolean> {
      const task = await db.selectFrom('job_tasks').select('execution_id').where('id', '=', taskId).executeTakeFirst();
      if (!task) return false;
      await stopTasks('id', taskId, task.execution_id, now);
      return true;
    },

    /**
     * Keeps the newest `keep` final executions of a vendor type and deletes older ones with their
     * tasks and logs (Harbor's execution sweep): periodic work must not grow the history forever.
     */
    async pruneExecutions(vendorType: string, keep: number): Promise<number> {
      const cutoff = await db
        .selectFrom('job_executions')
        .select('id')
        .where('vendor_type', '=', vendorType)
        .orderBy('id', 'desc')
        .offset(keep)
        .limit(1)
        .executeTakeFirst();
      if (!cutoff) return 0;
      return transaction(db, async (tx) => {
        const old = tx.selectFrom('job_executions').select('id').where('vendor_type', '=', vendorType).where('id', '<=', cutoff.id).where('status', 'in', finalStatuses);
        await tx.deleteFrom('job_task_logs').where('task_id', 'in', tx.selectFrom('job_tasks').select('id').where('execution_id', 'in', old)).execute();
        await tx.deleteFrom('job_tasks').where('execution_id', 'in', old).execute();
        const r = await tx.deleteFrom('job_executions').where('id', 'in', old).executeTakeFirst();
        return Number(r.numDeletedRows);
      });
    },

    async appendLog(taskId: number, lines: Array<{ at: number; line: string }>): Promise<void> {
      for (let i = 0; i < lines.length; i += 200) {
        await db.insertInto('job_task_logs').values(lines.slice(i, i + 200).map((l) => ({ task_id: taskId, at: l.at, line: l.line }))).execute();
      }
    },

    /** A task's log lines, oldest first, each prefixed with its time as Harbor's job logs are. */
    async logText(taskId: number): Promise<string> {
      const rows = await db.selectFrom('job_task_logs').select(['at', 'line']).where('task_id', '=', taskId).orderBy('id').execute();
      return rows.map((r) => `${new Date(r.at).toISOString()} ${r.line}\n`).join('');
    },

    /**
     * Merges `values` into an execution's extra_attrs (Harbor's check-in: GC's freed_space,
     * purged_blobs and purged_manifests end up there, which its history shows as job_parameters).
     */
    async mergeExecutionAttrs(id: number, values: Record<string, unknown>, now = Date.now()): Promise<void> {
      await transaction(db, async (tx) => {
        const row = await tx.selectFrom('job_executions').select('extra_attrs').where('id', '=', id).executeTakeFirst();
        if (!row) return;
        let attrs: Record<string, unknown> = {};
        try {
          const v = JSON.parse(row.extra_attrs) as unknown;
          if (v && typeof v === 'object' && !Array.isArray(v)) attrs = v as Record<string, unknown>;
        } catch {
          // not an object: replaced
        }
        await tx.updateTable('job_executions').set({ extra_attrs: JSON.stringify({ ...attrs, ...values }), update_time: now }).where('id', '=', id).execute();
      });
    },

    async execution(id: number): Promise<JobExecutionRow | undefined> {
      return db.selectFrom('job_executions').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async executions(filter: { vendorType: string; vendorId?: number }, page: { limit: number; offset: number }): Promise<{ rows: JobExecutionRow[]; total: number }> {
      let q = db.selectFrom('job_executions').where('vendor_type', '=', filter.vendorType);
      if (filter.vendorId !== undefined) q = q.where('vendor_id', '=', filter.vendorId);
      const [rows, total] = await Promise.all([
        q.selectAll().orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { rows, total: Number(total.n) };
    },

    async task(id: number): Promise<JobTaskRow | undefined> {
      return db.selectFrom('job_tasks').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async tasks(executionId: number, page: { limit: number; offset: number }): Promise<{ rows: JobTaskRow[]; total: number }> {
      const q = db.selectFrom('job_tasks').where('execution_id', '=', executionId);
      const [rows, total] = await Promise.all([
        q.selectAll().orderBy('id').limit(page.limit).offset(page.offset).execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { rows, total: Number(total.n) };
    },

    /** Task counts by status for each execution given (Harbor's execution metrics). */
    async taskCounts(executionIds: number[]): Promise<Map<number, Partial<Record<JobStatus, number>>>> {
      const out = new Map<number, Partial<Record<JobStatus, number>>>();
      if (executionIds.length === 0) return out;
      const rows = await db
        .selectFrom('job_tasks')
        .select(['execution_id', 'status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('execution_id', 'in', executionIds)
        .groupBy(['execution_id', 'status'])
        .execute();
      for (const r of rows) {
        const m = out.get(r.execution_id) ?? {};
        m[r.status] = Number(r.n);
        out.set(r.execution_id, m);
      }
      return out;
    },

    /** Items done and to do, summed over each execution's tasks. */
    async progress(executionIds: number[]): Promise<Map<number, { done: number; total: number }>> {
      const out = new Map<number, { done: number; total: number }>();
      if (executionIds.length === 0) return out;
      const rows = await db
        .selectFrom('job_tasks')
        .select(['execution_id', (eb) => eb.fn.sum<number>('progress_done').as('done'), (eb) => eb.fn.sum<number>('progress_total').as('total')])
        .where('execution_id', 'in', executionIds)
        .groupBy('execution_id')
        .execute();
      for (const r of rows) out.set(Number(r.execution_id), { done: Number(r.done ?? 0), total: Number(r.total ?? 0) });
      return out;
    },

    /** Stops every pending task of a job type (or of every type): Harbor's "stop and clean" of a queue. */
    async stopPending(jobType: string | null, now = Date.now()): Promise<number> {
      return transaction(db, async (tx) => {
        let q = tx.selectFrom('job_tasks').select(['id', 'execution_id']).where('status', '=', 'Pending');
        if (jobType !== null) q = q.where('job_type', '=', jobType);
        const pending = await q.execute();
        for (let i = 0; i < pending.length; i += 500) {
          await tx
            .updateTable('job_tasks')
            .set({ status: 'Stopped', status_message: 'stopped in its queue', stop_requested: 1, update_time: now, end_time: now })
            .where('id', 'in', pending.slice(i, i + 500).map((p) => p.id))
            .where('status', '=', 'Pending')
            .execute();
        }
        for (const e of new Set(pending.map((p) => p.execution_id))) await refreshExecution(tx, e, now);
        return pending.length;
      });
    },

    async isPaused(jobType: string): Promise<boolean> {
      const row = await db.selectFrom('job_queues').select('paused').where('job_type', '=', jobType).executeTakeFirst();
      return row?.paused === 1;
    },

    async setPaused(jobType: string, paused: boolean, now = Date.now()): Promise<void> {
      await db
        .insertInto('job_queues')
        .values({ job_type: jobType, paused: paused ? 1 : 0, update_time: now })
        .onConflict((oc) => oc.column('job_type').doUpdateSet({ paused: paused ? 1 : 0, update_time: now }))
        .execute();
    },

    /** Per job type: pending tasks, the age of the oldest one, and whether the queue is paused. */
    async queues(now = Date.now()): Promise<Array<{ jobType: string; count: number; latencySeconds: number; paused: boolean }>> {
      const [pending, paused] = await Promise.all([
        db
          .selectFrom('job_tasks')
          .select(['job_type', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.min('creation_time').as('oldest')])
          .where('status', '=', 'Pending')
          .groupBy('job_type')
          .execute(),
        db.selectFrom('job_queues').select(['job_type', 'paused']).execute(),
      ]);
      const types = new Set([...pending.map((p) => p.job_type), ...paused.map((p) => p.job_type)]);
      return [...types].sort().map((t) => {
        const p = pending.find((x) => x.job_type === t);
        return {
          jobType: t,
          count: Number(p?.n ?? 0),
          latencySeconds: p ? Math.max(0, Math.floor((now - Number(p.oldest)) / 1000)) : 0,
          paused: paused.some((x) => x.job_type === t && x.paused === 1),
        };
      });
    },

    /** Tasks running now, with their holder (the workers of the job service dashboard). */
    async running(): Promise<JobTaskRow[]> {
      return db.selectFrom('job_tasks').selectAll().where('status', '=', 'Running').orderBy('id').execute();
    },

    async registerPool(pool: { id: string; host: string; pid: number; concurrency: number }, now: number): Promise<void> {
      await db
        .insertInto('job_pools')
        .values({ ...pool, started_at: now, heartbeat_at: now })
        .onConflict((oc) => oc.column('id').doUpdateSet({ heartbeat_at: now, concurrency: pool.concurrency }))
        .execute();
    },

    /** Renews a pool's heartbeat and forgets pools silent for longer than `staleMs`. */
    async heartbeatPool(id: string, now: number, staleMs: number): Promise<void> {
      await db.updateTable('job_pools').set({ heartbeat_at: now }).where('id', '=', id).execute();
      await db.deleteFrom('job_pools').where('heartbeat_at', '<', now - staleMs).execute();
    },

    async removePool(id: string): Promise<void> {
      await db.deleteFrom('job_pools').where('id', '=', id).execute();
    },

    async pools() {
      return db.selectFrom('job_pools').selectAll().orderBy('started_at').execute();
    },
  };
}

export type JobStore = ReturnType<typeof createJobStore>;
