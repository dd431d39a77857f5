import type { Db } from './database.js';

/**
 * Appends a domain event (Harbor's event type names: QUOTA_WARNING, QUOTA_EXCEED, ...) to the
 * outbox, in the caller's transaction where there is one, so the event exists exactly when the
 * change that caused it does. Webhooks consume the outbox later.
 */
export async function writeEvent(tx: Db, type: string, projectId: number | null, payload: Record<string, unknown>, now = Date.now()): Promise<void> {
  await tx.insertInto('event_outbox').values({ type, project_id: projectId, payload: JSON.stringify(payload), created_at: now }).execute();
}

/**
 * How far every consumer of the outbox has read: the lowest cursor of them (webhooks' cursor
 * now; replication and scanning add theirs here). 0 while a consumer has never run, so nothing
 * is consumed and nothing may be pruned.
 */
export async function consumedUpTo(db: Db): Promise<number> {
  const webhooks = await db.selectFrom('webhook_cursor').select('last_event_id').where('id', '=', 1).executeTakeFirst();
  return Number(webhooks?.last_event_id ?? 0);
}

export interface OutboxPruneOptions {
  /** Events created before this (ms since the epoch) may go; younger ones stay for later consumers. */
  before: number;
  /** Rows read and deleted per statement: short statements, never one delete of millions. */
  batch?: number;
  signal?: AbortSignal;
}

/**
 * Deletes the outbox events every consumer has passed that are older than `before`, in pages of
 * `batch` by id (the primary key: each page is a range read from the oldest id on). Ids grow with
 * time, so the first page whose newest event is too young ends the walk; an event a little out of
 * order (two instances' clocks) is skipped now and taken once old enough. Returns the count.
 */
export async function pruneOutbox(db: Db, opts: OutboxPruneOptions): Promise<{ deleted: number; cursor: number }> {
  const batch = opts.batch ?? 1000;
  const cursor = await consumedUpTo(db);
  let after = 0;
  let deleted = 0;
  for (;;) {
    opts.signal?.throwIfAborted();
    const page = await db.selectFrom('event_outbox').select(['id', 'created_at']).where('id', '>', after).where('id', '<=', cursor).orderBy('id').limit(batch).execute();
    if (page.length === 0) break;
    const old = page.filter((r) => Number(r.created_at) < opts.before).map((r) => r.id);
    if (old.length > 0) {
      const r = await db.deleteFrom('event_outbox').where('id', 'in', old).where('id', '<=', cursor).executeTakeFirst();
      deleted += Number(r.numDeletedRows);
    }
    const last = page.at(-1)!;
    if (page.length < batch || Number(last.created_at) >= opts.before) break;
    after = last.id;
  }
  return { deleted, cursor };
}
