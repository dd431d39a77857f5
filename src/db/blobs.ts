import { transaction } from './transaction.js';
import type { Db } from './database.js';
import { ensureRepository } from './repositories.js';
import { referencingIn } from './manifests.js';
import { missingDigests, prepared, transactionWithUndo } from './sql-helpers.js';

export type BlobUnlink =
  | { kind: 'unlinked' }
  | { kind: 'no-repository' }
  | { kind: 'not-linked' }
  /** Manifests of the repository that still reference the blob (a few). */
  | { kind: 'referenced'; by: string[] };

/** The blob is being deleted by garbage collection: push it again. */
export class BlobDeletingError extends Error {
  constructor(readonly digest: string) {
    super(`blob ${digest} is being deleted by garbage collection`);
    this.name = 'BlobDeletingError';
  }
}

export function createBlobStore(db: Db) {
  // Every blob HEAD and GET asks it.
  const sizeInRepositoryQuery = prepared(db, (q, repository: string, digest: string) =>
    q
      .selectFrom('repository_blobs as rb')
      .innerJoin('repositories as r', 'r.id', 'rb.repository_id')
      .innerJoin('blobs as b', 'b.digest', 'rb.digest')
      .select('b.size')
      .where('r.name', '=', repository)
      .where('rb.digest', '=', digest),
  );
  // A blob PUT's statements, each a round trip to PostgreSQL: parsed and planned once per connection.
  const upsertUnmarkedQuery = prepared(db, (q, digest: string, size: number, now: number) =>
    q
      .insertInto('blobs')
      .values({ digest, size, created_at: now })
      .onConflict((oc) => oc.column('digest').doUpdateSet({ created_at: now }).where('blobs.deleting_since', 'is', null))
      .returning('digest'),
  );
  const repositoryIdQuery = prepared(db, (q, name: string) => q.selectFrom('repositories').select('id').where('name', '=', name));
  const linkQuery = prepared(db, (q, repositoryId: number, digest: string, now: number) =>
    q
      .insertInto('repository_blobs')
      .values({ repository_id: repositoryId, digest, created_at: now })
      .onConflict((oc) => oc.columns(['repository_id', 'digest']).doNothing()),
  );
  const endSessionQuery = prepared(db, (q, id: string) => q.deleteFrom('upload_sessions').where('id', '=', id));
  const markQuery = prepared(db, (q, digest: string) => q.selectFrom('blobs').select('deleting_since').where('digest', '=', digest));
  return {
    /**
     * Records a committed blob and links it into a repository (created if new), in one transaction.
     * Refreshes the blob's time, so garbage collection's window starts again. Refused with
     * BlobDeletingError when garbage collection has marked the blob: then nothing is linked, and
     * the caller treats the blob as absent (see claim).
     */
    async recordAndLink(repository: string, digest: string, size: number, now = Date.now(), endingUpload?: string): Promise<void> {
      await transaction(db, async (tx) => {
        // The mark check and the refresh in one statement: a marked row is left as it is and
        // returns nothing.
        const [kept] = await upsertUnmarkedQuery(tx, digest, size, now);
        if (!kept) throw new BlobDeletingError(digest);
        const [repo] = await repositoryIdQuery(tx, repository);
        const repositoryId = repo?.id ?? (await ensureRepository(tx, repository, now));
        await linkQuery(tx, repositoryId, digest, now);
        // The upload session this blob completes ends in the same commit: one write, not two.
        if (endingUpload !== undefined) await endSessionQuery(tx, endingUpload);
      });
    },

    /**
     * Called before an upload's bytes become the blob's: refreshes an existing row's time so garbage
     * collection (which only marks blobs older than its window) leaves it alone until it is linked.
     * 'deleting' when a sweep holds it: its bytes are about to go, so they must not be replaced now;
     * the caller waits and claims again. A mark older than `staleBefore` belongs to a sweep that
     * died: the blob is taken back (its bytes may be gone; the commit writes them again).
     */
    async claim(digest: string, staleBefore: number, now = Date.now()): Promise<'ok' | 'deleting'> {
      // A read first: a new blob (the common push) has no row, and needs no write.
      const [row] = await markQuery(db, digest);
      if (!row) return 'ok';
      if (row.deleting_since != null && row.deleting_since >= staleBefore) return 'deleting';
      const r = await db
        .updateTable('blobs')
        .set({ created_at: now, deleting_since: null })
        .where('digest', '=', digest)
        .where((eb) => eb.or([eb('deleting_since', 'is', null), eb('deleting_since', '<', staleBefore)]))
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) > 0) return 'ok';
      // Marked (or gone) in between: ask again.
      const again = await db.selectFrom('blobs').select('deleting_since').where('digest', '=', digest).executeTakeFirst();
      return again && again.deleting_since != null ? 'deleting' : 'ok';
    },

    /** Size of a blob the repository may serve, or null. */
    async sizeInRepository(repository: string, digest: string): Promise<number | null> {
      const [row] = await sizeInRepositoryQuery(db, repository, digest);
      return row ? Number(row.size) : null;
    },

    /** The recorded size of a blob, whatever repositories link it (garbage collection asks). */
    async size(digest: string): Promise<number | null> {
      const row = await db.selectFrom('blobs').select('size').where('digest', '=', digest).executeTakeFirst();
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

    /**
     * Unlinks a blob from a repository unless one of its manifests references it, in one
     * transaction, so a manifest pushed concurrently either sees the link gone (and is refused)
     * or makes this delete refuse.
     */
    async unlinkUnreferenced(repository: string, digest: string): Promise<BlobUnlink> {
      return transactionWithUndo<BlobUnlink>(db, async (tx, undo) => {
        const repo = await tx.selectFrom('repositories').select('id').where('name', '=', repository).executeTakeFirst();
        if (!repo) return { kind: 'no-repository' };
        const r = await tx.deleteFrom('repository_blobs').where('repository_id', '=', repo.id).where('digest', '=', digest).executeTakeFirst();
        if (Number(r.numDeletedRows) === 0) return { kind: 'not-linked' };
        const users = await referencingIn(tx, repo.id, digest, 'blob');
        if (users.length > 0) undo({ kind: 'referenced', by: users });
        return { kind: 'unlinked' };
      });
    },

    /** Digests among `digests` that the repository does not hold (`tx`: inside a caller's transaction). */
    missingInRepository(repositoryId: number, digests: string[], tx: Db = db): Promise<string[]> {
      return missingDigests(tx, 'repository_blobs', repositoryId, digests);
    },
  };
}

export type BlobMetadataStore = ReturnType<typeof createBlobStore>;
