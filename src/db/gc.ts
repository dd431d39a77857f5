import { sql } from 'kysely';
import type { Db } from './database.js';
import { blobsFreedByDeleting } from './gc-untagged-plan.js';
import type { SqliteReader } from './sqlite-reader.js';
import { transaction } from './transaction.js';

/** A blob row the sweep holds: its digest and recorded size. */
export interface GcBlob {
  digest: string;
  size: number;
}

/** An untagged artifact garbage collection may delete (delete_untagged). */
export interface GcArtifact {
  id: number;
  /** Its project (for the audit record of its delete); null only for pre-0004 orphans. */
  projectId: number | null;
  repositoryId: number;
  repository: string;
  digest: string;
  size: number;
}

const num = (v: unknown) => Number(v ?? 0);

/**
 * Garbage collection's reads and writes, marked from the database only: a blob is garbage when no
 * manifest references it, nobody stored or linked it within the window, and no sweep holds it.
 * (Manifests live in the database, so an index's children, accessories and uploads never name a
 * blob row: uploads in progress hold their bytes under uploads/, and become blobs at commit, which
 * claims the row first; see blobs.claim.)
 */
export function createGcStore(db: Db, opts: { reader?: () => SqliteReader } = {}) {
  /** The candidate condition, on `blobs as b` (or `blobs` itself: SQLite's UPDATE … RETURNING takes no alias), re-checked by the mark. */
  const unreferenced = (cutoff: number, b = sql.raw('b')) => sql<boolean>`${b}.deleting_since is null and ${b}.created_at < ${cutoff}
    and not exists (select 1 from manifest_references ref where ref.digest = ${b}.digest and ref.kind = 'blob')`;

  return {
    /** How many blob rows there are (the sweep's progress total). */
    async rowCount(): Promise<number> {
      return num((await db.selectFrom('blobs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    },

    /**
     * The next `limit` blob rows after `after` in digest order (keyset paging), and which of them
     * are garbage. Bounded pages, because SQLite runs in the server's thread: one statement over a
     * million rows would stall every request for seconds.
     */
    async scan(after: string, cutoff: number, limit: number): Promise<{ scanned: number; last: string | null; garbage: GcBlob[] }> {
      type ScanRow = { digest: string; size: number; garbage: number | boolean };
      const query = sql<ScanRow>`
        select b.digest as digest, b.size as size, case when ${unreferenced(cutoff)} then 1 else 0 end as garbage
        from blobs b where b.digest > ${after} order by b.digest limit ${limit}`;
      // On SQLite the pages are read on their own thread (sqlite-reader.ts), off the server's.
      const rows = opts.reader ? await opts.reader().all<ScanRow>(query.compile(db)) : (await query.execute(db)).rows;
      return {
        scanned: rows.length,
        last: rows.length > 0 ? rows[rows.length - 1]!.digest : null,
        garbage: rows.filter((r) => Number(r.garbage) === 1).map((r) => ({ digest: r.digest, size: num(r.size) })),
      };
    },

    /**
     * The optimistic lock: marks those of `digests` that are STILL garbage with `stamp` and removes
     * their repository links, in one transaction, so a manifest PUT either committed its reference
     * first (and the blob is not marked) or finds the link gone in its own transaction (and is
     * refused: the client uploads the blob again). On PostgreSQL SERIALIZABLE makes one of the two
     * retry. Returns the marked blobs.
     */
    async mark(digests: string[], cutoff: number, stamp: number): Promise<GcBlob[]> {
      if (digests.length === 0) return [];
      return transaction(db, async (tx) => {
        const { rows } = await sql<{ digest: string; size: number }>`
          update blobs set deleting_since = ${stamp}
          where digest in (${sql.join(digests)}) and ${unreferenced(cutoff, sql.raw('blobs'))}
          returning digest, size`.execute(tx);
        const marked = rows.map((r) => ({ digest: r.digest, size: num(r.size) }));
        if (marked.length > 0) await tx.deleteFrom('repository_blobs').where('digest', 'in', marked.map((m) => m.digest)).execute();
        return marked;
      });
    },

    /**
     * Storage objects with no row: marks them with a row of their own (deleting from the start), so a
     * push committing the same digest meanwhile waits for the sweep as it would for any marked blob.
     * Returns the digests this call inserted (a row that exists is not an orphan).
     */
    async markOrphans(objects: GcBlob[], stamp: number): Promise<GcBlob[]> {
      if (objects.length === 0) return [];
      return transaction(db, async (tx) => {
        const rows = await tx
          .insertInto('blobs')
          .values(objects.map((o) => ({ digest: o.digest, size: o.size, created_at: stamp, deleting_since: stamp })))
          .onConflict((oc) => oc.column('digest').doNothing())
          .returning(['digest', 'size'])
          .execute();
        return rows.map((r) => ({ digest: r.digest, size: num(r.size) }));
      });
    },

    /** Which of `digests` have a row. */
    async existing(digests: string[]): Promise<Set<string>> {
      if (digests.length === 0) return new Set();
      const rows = await db.selectFrom('blobs').select('digest').where('digest', 'in', digests).execute();
      return new Set(rows.map((r) => r.digest));
    },

    /** The sweep is done with these blobs' bytes: their rows go, if still held by this mark. */
    async finish(digests: string[], stamp: number): Promise<number> {
      if (digests.length === 0) return 0;
      const r = await db.deleteFrom('blobs').where('digest', 'in', digests).where('deleting_since', '=', stamp).executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    /** Gives marked blobs back (a stopped sweep that did not delete their bytes). */
    async unmark(digests: string[], stamp: number): Promise<void> {
      if (digests.length === 0) return;
      await db.updateTable('blobs').set({ deleting_since: null }).where('digest', 'in', digests).where('deleting_since', '=', stamp).execute();
    },

    /** Marks an earlier sweep left (it died mid-batch): their bytes may be gone, their rows not yet. */
    async leftMarked(before: number, limit: number): Promise<Array<GcBlob & { stamp: number }>> {
      const rows = await db
        .selectFrom('blobs')
        .select(['digest', 'size', 'deleting_since'])
        .where('deleting_since', 'is not', null)
        .where('deleting_since', '<', before)
        .orderBy('digest')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ digest: r.digest, size: num(r.size), stamp: num(r.deleting_since) }));
    },

    /** Takes over marks older than `before` (their sweep died): re-stamped, so they are this sweep's now. */
    async retake(digests: string[], before: number, stamp: number): Promise<GcBlob[]> {
      if (digests.length === 0) return [];
      const rows = await db
        .updateTable('blobs')
        .set({ deleting_since: stamp })
        .where('digest', 'in', digests)
        .where('deleting_since', '<', before)
        .returning(['digest', 'size'])
        .execute();
      return rows.map((r) => ({ digest: r.digest, size: num(r.size) }));
    },

    /**
     * Untagged artifacts older than the window that no index of their repository lists and that are
     * no accessory (no subject; cosign's are tagged), after id `after`.
     */
    async untagged(after: number, cutoff: number, limit: number): Promise<GcArtifact[]> {
      const { rows } = await sql<{ id: number; project_id: number | null; repository_id: number; repository: string; digest: string; size: number }>`
        select m.id as id, r.project_id as project_id, r.id as repository_id, r.name as repository, m.digest as digest, m.total_size as size
        from manifests m join repositories r on r.id = m.repository_id
        where m.id > ${after} and m.pushed_at < ${cutoff} and m.created_at < ${cutoff} and m.subject_digest is null
          and not exists (select 1 from tags t where t.manifest_id = m.id)
          and not exists (select 1 from manifest_references ref join manifests parent on parent.id = ref.manifest_id
            where ref.kind = 'manifest' and ref.digest = m.digest and parent.repository_id = m.repository_id)
        order by m.id limit ${limit}`.execute(db);
      return rows.map((r) => ({ id: num(r.id), projectId: r.project_id === null ? null : num(r.project_id), repositoryId: num(r.repository_id), repository: r.repository, digest: r.digest, size: num(r.size) }));
    },

    /** A dry run's view of delete_untagged: the blobs deleting these artifacts would free (see gc-untagged-plan.ts). */
    freedByDeleting(roots: GcArtifact[], cutoff: number): Promise<GcBlob[]> {
      return blobsFreedByDeleting(db, roots, cutoff);
    },
  };
}

export type GcStore = ReturnType<typeof createGcStore>;
