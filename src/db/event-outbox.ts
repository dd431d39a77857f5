import type { Db } from './database.js';

/**
 * Appends a domain event (Harbor's event type names: QUOTA_WARNING, QUOTA_EXCEED, ...) to the
 * outbox, in the caller's transaction where there is one, so the event exists exactly when the
 * change that caused it does. Webhooks consume the outbox later.
 */
export async function writeEvent(tx: Db, type: string, projectId: number | null, payload: Record<string, unknown>, now = Date.now()): Promise<void> {
  await tx.insertInto('event_outbox').values({ type, project_id: projectId, payload: JSON.stringify(payload), created_at: now }).execute();
}
