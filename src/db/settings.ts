import { transaction } from './transaction.js';
import type { Db } from './database.js';

/** System settings as a small key/value table (Harbor's "configurations"). */
export function createSettingStore(db: Db) {
  return {
    async all(): Promise<Record<string, string>> {
      const rows = await db.selectFrom('settings').selectAll().execute();
      return Object.fromEntries(rows.map((r) => [r.key, r.value]));
    },

    async set(values: Record<string, string>): Promise<void> {
      await transaction(db, async (tx) => {
        for (const [key, value] of Object.entries(values)) {
          await tx
            .insertInto('settings')
            .values({ key, value })
            .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
            .execute();
        }
      });
    },
  };
}

export type SettingStore = ReturnType<typeof createSettingStore>;
