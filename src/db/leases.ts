import { sql } from 'kysely';
import type { Db } from './database.js';
import { dialectOf } from './transaction.js';

/**
 * Named leases with one holder until they expire: work that must run on one instance at a time
 * (the periodic purges) takes the lease first. Taking is one statement, an insert that turns
 * into an update only when the lease has expired or is already the taker's, so two instances
 * can never both hold it; a holder that dies simply lets it expire.
 */
export function createLeaseStore(db: Db) {
  return {
    /**
     * The time leases are compared against: the database's clock on PostgreSQL, so instances
     * whose clocks disagree still agree on when a lease expires; this process's on SQLite (one
     * machine by construction).
     */
    async clock(): Promise<number> {
      if (dialectOf(db) !== 'postgres') return Date.now();
      const r = await sql<{ now: number }>`select (extract(epoch from clock_timestamp()) * 1000)::bigint as now`.execute(db);
      return Number(r.rows[0]!.now);
    },

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

    /** Everything `holder` holds, given up at a clean stop: a restarted instance runs its jobs at once. */
    async releaseAll(holder: string): Promise<void> {
      await db.deleteFrom('leases').where('holder', '=', holder).execute();
    },

    async holderOf(name: string, now = Date.now()): Promise<string | null> {
      const row = await db.selectFrom('leases').select('holder').where('name', '=', name).where('expires_at', '>', now).executeTakeFirst();
      return row?.holder ?? null;
    },
  };
}

export type LeaseStore = ReturnType<typeof createLeaseStore>;
