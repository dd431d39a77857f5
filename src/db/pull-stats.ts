import type { Db } from './database.js';

/** Pulls of one manifest since the last flush: how many, the last time, and by which tags. */
export interface ManifestPulls {
  manifestId: number;
  count: number;
  at: number;
  /** Tag name -> time of its last pull. */
  tags: Map<string, number>;
}

/**
 * Writes a batch of pulls in one transaction: manifests.pulled_at, tags.pulled_at and
 * repositories.pull_count (+n). Rows deleted since the pull are simply not updated.
 */
export function createPullStatsStore(db: Db) {
  return {
    async write(batch: ManifestPulls[]): Promise<void> {
      await db.transaction().execute(async (tx) => {
        for (const p of batch) {
          await tx.updateTable('manifests').set({ pulled_at: p.at }).where('id', '=', p.manifestId).execute();
          await tx
            .updateTable('repositories')
            .set((eb) => ({ pull_count: eb('pull_count', '+', p.count) }))
            .where('id', '=', (eb) => eb.selectFrom('manifests').select('repository_id').where('id', '=', p.manifestId))
            .execute();
          for (const [tag, at] of p.tags) {
            await tx.updateTable('tags').set({ pulled_at: at }).where('manifest_id', '=', p.manifestId).where('name', '=', tag).execute();
          }
        }
      });
    },
  };
}

export type PullStatsStore = ReturnType<typeof createPullStatsStore>;
