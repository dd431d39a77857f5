import type { Db } from './database.js';
import type { UploadSessionRow } from './schema.js';
import { prepared } from './sql-helpers.js';

export function createUploadStore(db: Db) {
  // Every blob push opens and reads a session: named statements on PostgreSQL.
  const createQuery = prepared(db, (q, id: string, repository: string, now: number) =>
    q.insertInto('upload_sessions').values({ id, repository, offset: 0, created_at: now, updated_at: now }),
  );
  const getQuery = prepared(db, (q, id: string) => q.selectFrom('upload_sessions').selectAll().where('id', '=', id));
  return {
    async create(id: string, repository: string, now = Date.now()): Promise<void> {
      await createQuery(db, id, repository, now);
    },

    async get(id: string): Promise<UploadSessionRow | null> {
      const [row] = await getQuery(db, id);
      return row ? { ...row, offset: Number(row.offset) } : null;
    },

    /**
     * Moves the durable offset forward, with the driver state and write token that go with it,
     * only from the offset the writer started at.
     */
    async advance(id: string, from: number, to: number | { offset: number; state: string; token: string }, now = Date.now()): Promise<boolean> {
      const next = typeof to === 'number' ? { offset: to, driver_state: '', write_token: '' } : { offset: to.offset, driver_state: to.state, write_token: to.token };
      const r = await db
        .updateTable('upload_sessions')
        .set({ ...next, updated_at: now })
        .where('id', '=', id)
        .where('offset', '=', from)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async delete(id: string): Promise<boolean> {
      const r = await db.deleteFrom('upload_sessions').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    async idleSince(before: number, limit = 500): Promise<string[]> {
      const rows = await db
        .selectFrom('upload_sessions')
        .select('id')
        .where('updated_at', '<', before)
        .limit(limit)
        .execute();
      return rows.map((r) => r.id);
    },
  };
}

export type UploadStore = ReturnType<typeof createUploadStore>;
