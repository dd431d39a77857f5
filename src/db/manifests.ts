import { projectQueue, transaction } from './transaction.js';
import { accessoriesOf } from './accessories.js';
import type { Insertable } from 'kysely';
import type { Db } from './database.js';
import { listedByIndex } from './index-children.js';
import type { ManifestsTable } from './schema.js';
import { removeManifests } from './manifest-removal.js';
import { recordDeletes, recordPush } from './artifact-events.js';
import { chargeManifest, rethrowRecordingExceeded } from './quota-ledger.js';
import { dropIfEmpty, ensureRepositoryRow } from './repositories.js';
import { missingDigests, prepared, transactionWithUndo } from './sql-helpers.js';
import { setTag } from './tag-writes.js';

/**
 * Inserts a manifest row unless the repository holds the digest already (the same digest twice
 * is one row); its id, and whether this call created it (only a new row is charged to quota).
 */
export async function insertManifestRow(tx: Db, row: Insertable<ManifestsTable>): Promise<{ id: number; isNew: boolean }> {
  // A new row answers with its id; a digest the repository holds returns nothing and is read.
  const inserted = await tx
    .insertInto('manifests')
    .values(row)
    .onConflict((oc) => oc.columns(['repository_id', 'digest']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { id: inserted.id, isNew: true };
  const { id } = await tx
    .selectFrom('manifests')
    .select('id')
    .where('repository_id', '=', row.repository_id)
    .where('digest', '=', row.digest)
    .executeTakeFirstOrThrow();
  return { id, isNew: false };
}

/** Records what a manifest references, in batches under the bound-parameter limit. */
export async function insertReferences(tx: Db, manifestId: number, refs: Array<{ digest: string; kind: 'blob' | 'manifest' }>): Promise<void> {
  for (let i = 0; i < refs.length; i += 300) {
    await tx
      .insertInto('manifest_references')
      .values(refs.slice(i, i + 300).map((r) => ({ manifest_id: manifestId, digest: r.digest, kind: r.kind })))
      .onConflict((oc) => oc.columns(['manifest_id', 'digest', 'kind']).doNothing())
      .execute();
  }
}

export type ManifestDelete =
  | { kind: 'deleted'; repositoryGone: boolean }
  | { kind: 'no-repository' }
  | { kind: 'unknown' }
  /** Indexes of the repository that still list the manifest (a few). */
  | { kind: 'listed'; by: string[] };

/**
 * Manifests in the repository that reference `digest`: as a child ('manifest', from an index) or
 * as config/layer ('blob'). A few are enough to explain a refused delete.
 */
export async function referencingIn(tx: Db, repositoryId: number, digest: string, kind: 'blob' | 'manifest'): Promise<string[]> {
  const rows = await tx
    .selectFrom('manifest_references as ref')
    .innerJoin('manifests as m', 'm.id', 'ref.manifest_id')
    .select('m.digest')
    .where('m.repository_id', '=', repositoryId)
    .where('ref.kind', '=', kind)
    .where('ref.digest', '=', digest)
    .limit(10)
    .execute();
  return rows.map((r) => r.digest);
}

export interface StoredManifest {
  id: number;
  digest: string;
  mediaType: string;
  content: Buffer;
}

export interface ReferrerRow {
  digest: string;
  mediaType: string;
  size: number;
  artifactType: string | null;
  annotations: string | null;
}

export interface ManifestRecord {
  digest: string;
  mediaType: string;
  artifactType: string | null;
  subjectDigest: string | null;
  annotations: string | null;
  content: Buffer;
  blobDigests: string[];
  manifestDigests: string[];
  /** What Harbor shows of the artifact; computed by the service before the transaction. */
  artifact?: {
    configMediaType: string | null;
    kind: string;
    totalSize: number;
    extraAttrs: string | null;
  };
}

/** Digests an index in the repository lists (none for an image manifest). */
export async function childrenOf(tx: Db, repositoryId: number, digest: string): Promise<string[]> {
  const rows = await tx
    .selectFrom('manifest_references as ref')
    .innerJoin('manifests as m', 'm.id', 'ref.manifest_id')
    .select('ref.digest')
    .where('m.repository_id', '=', repositoryId)
    .where('m.digest', '=', digest)
    .where('ref.kind', '=', 'manifest')
    .execute();
  return rows.map((r) => r.digest);
}

/** Deletes, depth first, the manifests among `digests` that no tag and no index keeps. */
export async function deleteOrphans(tx: Db, repositoryId: number, digests: string[], depth = 0): Promise<void> {
  if (depth > 8) return;
  for (const digest of digests) {
    const kept = await tx
      .selectFrom('manifests as m')
      .select('m.id')
      .where('m.repository_id', '=', repositoryId)
      .where('m.digest', '=', digest)
      .where((eb) =>
        eb.or([
          eb.exists(eb.selectFrom('tags as t').select('t.name').whereRef('t.manifest_id', '=', 'm.id')),
          listedByIndex(eb, repositoryId),
        ]),
      )
      .executeTakeFirst();
    if (kept) continue;
    const grandchildren = await childrenOf(tx, repositoryId, digest);
    const row = await tx.selectFrom('manifests').select('id').where('repository_id', '=', repositoryId).where('digest', '=', digest).executeTakeFirst();
    if (!row) continue;
    // A child's own signatures and SBOMs go with it, as in Harbor.
    const accessories = await accessoriesOf(tx, repositoryId, digest);
    for (const a of accessories) grandchildren.push(...(await childrenOf(tx, repositoryId, a.digest)));
    await removeManifests(tx, repositoryId, [row.id, ...accessories.map((a) => a.id)]);
    await deleteOrphans(tx, repositoryId, grandchildren, depth + 1);
  }
}

export function createManifestStore(db: Db) {
  type Row = { id: number; digest: string; media_type: string; content: Buffer };
  // The two reads every pull makes, built once (see `prepared`).
  const byDigestQuery = prepared(db, (q, repository: string, digest: string) =>
    q
      .selectFrom('manifests as m')
      .innerJoin('repositories as r', 'r.id', 'm.repository_id')
      .select(['m.id', 'm.digest', 'm.media_type', 'm.content'])
      .where('r.name', '=', repository)
      .where('m.digest', '=', digest),
  );
  const byTagQuery = prepared(db, (q, repository: string, tag: string) =>
    q
      .selectFrom('tags as t')
      .innerJoin('repositories as r', 'r.id', 't.repository_id')
      .innerJoin('manifests as m', 'm.id', 't.manifest_id')
      .select(['m.id', 'm.digest', 'm.media_type', 'm.content'])
      .where('r.name', '=', repository)
      .where('t.name', '=', tag),
  );

  const toStored = (row: Row | undefined) =>
    row ? { id: row.id, digest: row.digest, mediaType: row.media_type, content: row.content } : null;

  return {
    async byDigest(repository: string, digest: string): Promise<StoredManifest | null> {
      return toStored((await byDigestQuery(db, repository, digest))[0]);
    },

    async byTag(repository: string, tag: string): Promise<StoredManifest | null> {
      return toStored((await byTagQuery(db, repository, tag))[0]);
    },

    /**
     * Stores a manifest (idempotently: the same digest twice is one row) and points `tag` at it,
     * after `check` has confirmed, inside the same transaction, that everything it references exists.
     */
    async put(
      repository: string,
      record: ManifestRecord,
      tag: string | null,
      check: (tx: Db, repositoryId: number) => Promise<void>,
      now = Date.now(),
    ): Promise<void> {
      await transaction(db, async (tx) => {
        const { id: repositoryId, projectId } = await ensureRepositoryRow(tx, repository, now);
        await check(tx, repositoryId);
        const { id, isNew } = await insertManifestRow(tx, {
          repository_id: repositoryId,
          digest: record.digest,
          media_type: record.mediaType,
          artifact_type: record.artifactType,
          subject_digest: record.subjectDigest,
          annotations: record.annotations,
          size: record.content.length,
          content: record.content,
          created_at: now,
          pushed_at: now,
          config_media_type: record.artifact?.configMediaType ?? null,
          artifact_kind: record.artifact?.kind ?? 'UNKNOWN',
          total_size: record.artifact?.totalSize ?? record.content.length,
          extra_attrs: record.artifact?.extraAttrs ?? null,
        });
        const refs = [
          ...new Set(record.blobDigests.map((d) => `blob ${d}`)),
          ...new Set(record.manifestDigests.map((d) => `manifest ${d}`)),
        ].map((k) => {
          const [kind, digest] = k.split(' ') as ['blob' | 'manifest', string];
          return { digest, kind };
        });
        await insertReferences(tx, id, refs);
        if (isNew) await chargeManifest(tx, repositoryId, id, now, tag, projectId);
        else await tx.updateTable('manifests').set({ pushed_at: now }).where('id', '=', id).execute();
        if (tag !== null) await setTag(tx, repositoryId, tag, id, now);
        await recordPush(tx, repositoryId, repository, record.digest, record.mediaType, tag, now);
        await tx.updateTable('repositories').set({ updated_at: now }).where('id', '=', repositoryId).execute();
      }, { queue: projectQueue(repository) }).catch(rethrowRecordingExceeded(db));
    },

    /** Digests among `digests` that the repository holds no manifest for. */
    missingInRepository(tx: Db, repositoryId: number, digests: string[]): Promise<string[]> {
      return missingDigests(tx, 'manifests', repositoryId, digests);
    },

    /**
     * Deletes a manifest (and its tags) unless an index in the repository lists it, in one
     * transaction with the check, so an index pushed concurrently either finds it gone (and is
     * refused) or makes this delete refuse. As in Harbor, an index takes along the children that
     * nothing else keeps (no tag, no other index), and the repository goes with its last manifest.
     */
    async deleteUnlisted(repository: string, digest: string): Promise<ManifestDelete> {
      return transactionWithUndo<ManifestDelete>(db, async (tx, undo) => {
        const repo = await tx.selectFrom('repositories').select('id').where('name', '=', repository).executeTakeFirst();
        if (!repo) return { kind: 'no-repository' };
        const children = await childrenOf(tx, repo.id, digest);
        const row = await tx.selectFrom('manifests').select('id').where('repository_id', '=', repo.id).where('digest', '=', digest).executeTakeFirst();
        if (!row) return { kind: 'unknown' };
        await recordDeletes(tx, repo.id, [row.id]);
        await removeManifests(tx, repo.id, [row.id]);
        const parents = await referencingIn(tx, repo.id, digest, 'manifest');
        if (parents.length > 0) undo({ kind: 'listed', by: parents });
        // As in Harbor, its signatures, SBOMs and attestations go with it.
        const accessories = await accessoriesOf(tx, repo.id, digest);
        for (const a of accessories) children.push(...(await childrenOf(tx, repo.id, a.digest)));
        await removeManifests(tx, repo.id, accessories.map((a) => a.id));
        await deleteOrphans(tx, repo.id, children);
        return { kind: 'deleted', repositoryGone: await dropIfEmpty(tx, repo.id) };
      });
    },

    async referrers(repository: string, subject: string, artifactType?: string): Promise<ReferrerRow[]> {
      let q = db
        .selectFrom('manifests as m')
        .innerJoin('repositories as r', 'r.id', 'm.repository_id')
        .select(['m.digest', 'm.media_type', 'm.size', 'm.artifact_type', 'm.annotations'])
        .where('r.name', '=', repository)
        .where('m.subject_digest', '=', subject)
        .orderBy('m.created_at')
        .orderBy('m.digest');
      if (artifactType !== undefined) q = q.where('m.artifact_type', '=', artifactType);
      const rows = await q.execute();
      return rows.map((r) => ({
        digest: r.digest,
        mediaType: r.media_type,
        size: Number(r.size),
        artifactType: r.artifact_type,
        annotations: r.annotations,
      }));
    },
  };
}

export type ManifestMetadataStore = ReturnType<typeof createManifestStore>;
