import type { Db } from './database.js';

/**
 * Id of the repository, creating it on first use. Only ever called inside the transaction that
 * commits the repository's first blob link or manifest, so a refused push leaves no repository.
 */
export async function ensureRepository(tx: Db, name: string, now = Date.now()): Promise<number> {
  await tx
    .insertInto('repositories')
    .values({ name, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await tx.selectFrom('repositories').select('id').where('name', '=', name).executeTakeFirstOrThrow();
  return row.id;
}

export function createRepositoryStore(db: Db) {
  return {
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
  };
}

export type RepositoryStore = ReturnType<typeof createRepositoryStore>;
