import type { Db } from './database.js';

export function createRepositoryStore(db: Db) {
  return {
    /** Id of the repository, creating it on first use. */
    async ensure(name: string, now = Date.now()): Promise<number> {
      await db
        .insertInto('repositories')
        .values({ name, created_at: now, updated_at: now })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      const row = await db.selectFrom('repositories').select('id').where('name', '=', name).executeTakeFirstOrThrow();
      return row.id;
    },

    async findId(name: string): Promise<number | null> {
      const row = await db.selectFrom('repositories').select('id').where('name', '=', name).executeTakeFirst();
      return row?.id ?? null;
    },

    /** Names in lexical order after `last`, at most `limit` of them. */
    async listNames(limit: number, last?: string): Promise<string[]> {
      let q = db.selectFrom('repositories').select('name').orderBy('name').limit(limit);
      if (last !== undefined) q = q.where('name', '>', last);
      return (await q.execute()).map((r) => r.name);
    },

    async touch(id: number, now = Date.now()): Promise<void> {
      await db.updateTable('repositories').set({ updated_at: now }).where('id', '=', id).execute();
    },
  };
}

export type RepositoryStore = ReturnType<typeof createRepositoryStore>;
