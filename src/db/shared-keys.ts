import type { Db } from './database.js';

/**
 * Keys every instance on the database uses (token signing, CSRF). The first instance to ask
 * makes a key; instances starting together race on the primary key, and the loser's insert does
 * nothing, so all of them read back the one that won.
 */
export function createSharedKeyStore(db: Db) {
  return {
    async getOrCreate(name: string, make: () => string | Promise<string>, now = Date.now()): Promise<string> {
      const existing = await db.selectFrom('shared_keys').select('value').where('name', '=', name).executeTakeFirst();
      if (existing) return existing.value;
      await db
        .insertInto('shared_keys')
        .values({ name, value: await make(), created_at: now })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      const row = await db.selectFrom('shared_keys').select('value').where('name', '=', name).executeTakeFirstOrThrow();
      return row.value;
    },
  };
}

export type SharedKeyStore = ReturnType<typeof createSharedKeyStore>;
