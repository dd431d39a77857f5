import type { Db } from './database.js';

export function createSessionStore(db: Db) {
  return {
    async create(idHash: string, userId: number, now = Date.now()): Promise<void> {
      await db.insertInto('sessions').values({ id_hash: idHash, user_id: userId, created_at: now, last_seen: now }).execute();
    },

    async find(idHash: string): Promise<{ userId: number; createdAt: number; lastSeen: number } | null> {
      const r = await db.selectFrom('sessions').select(['user_id', 'created_at', 'last_seen']).where('id_hash', '=', idHash).executeTakeFirst();
      return r ? { userId: r.user_id, createdAt: Number(r.created_at), lastSeen: Number(r.last_seen) } : null;
    },

    async touch(idHash: string, now = Date.now()): Promise<void> {
      await db.updateTable('sessions').set({ last_seen: now }).where('id_hash', '=', idHash).execute();
    },

    async delete(idHash: string): Promise<void> {
      await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    },

    /** Ends every session of a user (password changed, user deleted or demoted). */
    async deleteForUser(userId: number): Promise<void> {
      await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
    },

    async purgeIdleSince(before: number): Promise<number> {
      const r = await db.deleteFrom('sessions').where('last_seen', '<', before).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
