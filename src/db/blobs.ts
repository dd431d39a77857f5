import type { Db } from './database.js';
import { ensureRepository } from './repositories.js';
import { missingDigests } from './sql-helpers.js';

export function createBlobStore(db: Db) {
  return {
    /** Records a committed blob and links it into a repository (created if new), in one transaction. */
    async recordAndLink(repository: string, digest: string, size: number, now = Date.now()): Promise<void> {
      await db.transaction().execute(async (tx) => {
        const repositoryId = await ensureRepository(tx, repository, now);
        await tx
          .insertInto('blobs')
          .values({ digest, size, created_at: now })
          .onConflict((oc) => oc.column('digest').doNothing())
          .execute();
        await tx
          .insertInto('repository_blobs')
          .values({ repository_id: repositoryId, digest, created_at: now })
          .onConflict((oc) => oc.columns(['repository_id', 'digest']).doNothing())
          .execute();
      });
    },

    /** Size of a blob the repository may serve, or null. */
    async sizeInRepository(repository: string, digest: string): Promise<number | null> {
      const row = await db
        .selectFrom('repository_blobs as rb')
        .innerJoin('repositories as r', 'r.id', 'rb.repository_id')
        .innerJoin('blobs as b', 'b.digest', 'rb.digest')
        .select('b.size')
        .where('r.name', '=', repository)
        .where('rb.digest', '=', digest)
        .executeTakeFirst();
      return row ? Number(row.size) : null;
    },

    /** Repositories that hold the blob, for mounts that must respect who may read what. */
    async repositoriesHolding(digest: string, limit = 100): Promise<string[]> {
      const rows = await db
        .selectFrom('repository_blobs as rb')
        .innerJoin('repositories as r', 'r.id', 'rb.repository_id')
        .select('r.name')
        .where('rb.digest', '=', digest)
        .orderBy('r.name')
        .limit(limit)
        .execute();
      return rows.map((r) => r.name);
    },

    async unlink(repositoryId: number, digest: string): Promise<boolean> {
      const r = await db
        .deleteFrom('repository_blobs')
        .where('repository_id', '=', repositoryId)
        .where('digest', '=', digest)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    /** Digests among `digests` that the repository does not hold (`tx`: inside a caller's transaction). */
    missingInRepository(repositoryId: number, digests: string[], tx: Db = db): Promise<string[]> {
      return missingDigests(tx, 'repository_blobs', repositoryId, digests);
    },
  };
}

export type BlobMetadataStore = ReturnType<typeof createBlobStore>;
