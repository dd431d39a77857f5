import { transaction } from './transaction.js';
import type { Db } from './database.js';
import { type PullEvent, writePullEvents } from './pull-events.js';

/** Pulls of one manifest since the last flush: how many, the last time, and by which tags. */
export interface ManifestPulls {
  manifestId: number;
  count: number;
  at: number;
  /** Tag name -> time of its last pull. */
  tags: Map<string, number>;
  /** The PULL_ARTIFACT events of these pulls, one per operator and reference (pull-events.ts). */
  events?: Map<string, PullEvent>;
}

/** Manifests per transaction: each write holds SQLite's one writer only briefly. */
const chunk = 500;

/**
 * Writes pulls: manifests.pulled_at, tags.pulled_at and repositories.pull_count (+n, summed per
 * repository), in short transactions of at most `chunk` manifests, so pushes never queue behind
 * a large flush. Rows deleted since the pull are simply not updated.
 */
export function createPullStatsStore(db: Db) {
  return {
    async write(batch: ManifestPulls[]): Promise<void> {
      for (let i = 0; i < batch.length; i += chunk) {
        const part = batch.slice(i, i + chunk);
        await transaction(db, async (tx) => {
          const owners = await tx.selectFrom('manifests').select(['id', 'repository_id']).where('id', 'in', part.map((p) => p.manifestId)).execute();
          const repositoryOf = new Map(owners.map((o) => [o.id, o.repository_id]));
          const perRepository = new Map<number, number>();
          for (const p of part) {
            const repositoryId = repositoryOf.get(p.manifestId);
            if (repositoryId === undefined) continue;
            perRepository.set(repositoryId, (perRepository.get(repositoryId) ?? 0) + p.count);
            await tx.updateTable('manifests').set({ pulled_at: p.at }).where('id', '=', p.manifestId).execute();
            for (const [tag, at] of p.tags) {
              await tx.updateTable('tags').set({ pulled_at: at }).where('manifest_id', '=', p.manifestId).where('name', '=', tag).execute();
            }
          }
          // In id order, so concurrent flushers (several instances) lock rows in one order.
          for (const [repositoryId, n] of [...perRepository].sort((x, y) => x[0] - y[0])) {
            await tx.updateTable('repositories').set((eb) => ({ pull_count: eb('pull_count', '+', n) })).where('id', '=', repositoryId).execute();
          }
          await writePullEvents(tx, part);
        });
      }
    },
  };
}

export type PullStatsStore = ReturnType<typeof createPullStatsStore>;
