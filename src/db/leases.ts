import type { Db } from './database.js';

/**
 * Named leases with one holder until they expire: work that must run on one instance at a time
 * (the periodic purges) takes the lease first. Taking is one statement, an insert that turns
 * into an update only when the lease has expired or is already the taker's, so two instances
 * can never both hold it; a holder that dies simply lets it expire.
 */
export function createLeaseStore(db: Db) {
  return {
    /** True when `holder` holds `name` until now + ttlMs (taken, or renewed). */
    async take(name: string, holder: string, ttlMs: number, now = Date.now()): Promise<boolean> {
      const r = await db
        .insertInto('leases')
        .values({ name, holder, expires_at: now + ttlMs })
        .onConflict((oc) =>
          oc
            .column('name')
            .doUpdateSet({ holder, expires_at: now + ttlMs })
            .where((eb) => eb.or([eb('leases.expires_at', '<=', now), eb('leases.holder', '=', holder)])),
        )
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
    },

    /** Gives the lease up early (a clean stop), if `holder` still holds it. */
    async release(name: string, holder: string): Promise<void> {
      await db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
    },

    async holderOf(name: string, now = Date.now()): Promise<string | null> {
      const row = await db.selectFrom('leases').select('holder').where('name', '=', name).where('expires_at', '>', now).executeTakeFirst();
      return row?.holder ?? null;
    },
  };
}

export type LeaseStore = ReturnType<typeof createLeaseStore>;
