import { transaction } from './transaction.js';
import { accessoriesOf } from './accessories.js';
import type { TagRow } from './artifacts.js';
import type { Db } from './database.js';
import { removeManifests } from './manifest-removal.js';
import { recordDeletes } from './artifact-events.js';
import { childrenOf, deleteOrphans, insertManifestRow, insertReferences, referencingIn } from './manifests.js';
import { chargeManifest, rethrowRecordingExceeded } from './quota-ledger.js';
import { dropIfEmpty, ensureRepository } from './repositories.js';
import { escapeLike, likeEscaped, nullsAsSmallest, transactionWithUndo } from './sql-helpers.js';
import { addTag, removeTag, setTag } from './tag-writes.js';

/** An artifact is named by a tag or a digest (Harbor's {reference}). */
export type ArtifactRef = { tag: string } | { digest: string };

export interface ArtifactRow {
  id: number;
  repositoryId: number;
  digest: string;
  mediaType: string;
  configMediaType: string | null;
  kind: string;
  subjectDigest: string | null;
  content: Buffer;
}

export type TagSortColumn = 'name' | 'updated_at' | 'pulled_at' | 'id';

export type ArtifactDelete = { kind: 'deleted'; repositoryGone: boolean } | { kind: 'unknown' } | { kind: 'listed'; by: string[] };
export type TagCreate = 'created' | 'unknown' | 'exists';
export type TagDelete = 'deleted' | 'unknown' | 'no-tag';
export type ArtifactCopy =
  | { kind: 'copied'; digest: string }
  | { kind: 'unknown' }
  /** The source is an accessory (it has a subject): Harbor refuses to copy those on their own. */
  | { kind: 'accessory' };

/** The artifact `ref` names in the repository (by tag or digest), or null. */
export async function findArtifact(tx: Db, repository: string, ref: ArtifactRef): Promise<ArtifactRow | null> {
  let q = tx
    .selectFrom('manifests as m')
    .innerJoin('repositories as r', 'r.id', 'm.repository_id')
    .select(['m.id', 'm.repository_id', 'm.digest', 'm.media_type', 'm.config_media_type', 'm.artifact_kind', 'm.subject_digest', 'm.content'])
    .where('r.name', '=', repository);
  if ('tag' in ref) {
    q = q.where((eb) =>
      eb.exists(eb.selectFrom('tags as t').select('t.id').whereRef('t.manifest_id', '=', 'm.id').where('t.name', '=', ref.tag)),
    );
  } else {
    q = q.where('m.digest', '=', ref.digest);
  }
  const row = await q.executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    repositoryId: row.repository_id,
    digest: row.digest,
    mediaType: row.media_type,
    configMediaType: row.config_media_type,
    kind: row.artifact_kind,
    subjectDigest: row.subject_digest,
    content: row.content,
  };
}

/** Copies one manifest row (with its references and blob links) into a repository; its id there. */
async function copyManifestRow(tx: Db, sourceId: number, targetRepositoryId: number, now: number): Promise<number> {
  const src = await tx.selectFrom('manifests').selectAll().where('id', '=', sourceId).executeTakeFirstOrThrow();
  const { id, isNew } = await insertManifestRow(tx, {
    ...src,
    id: undefined,
    repository_id: targetRepositoryId,
    created_at: now,
    pushed_at: now,
    pulled_at: null,
  });
  if (!isNew) return id;
  const refs = await tx.selectFrom('manifest_references').select(['digest', 'kind']).where('manifest_id', '=', sourceId).execute();
  await insertReferences(tx, id, refs);
  const blobs = refs.filter((r) => r.kind === 'blob').map((r) => ({ repository_id: targetRepositoryId, digest: r.digest, created_at: now }));
  for (let i = 0; i < blobs.length; i += 300) {
    await tx.insertInto('repository_blobs').values(blobs.slice(i, i + 300)).onConflict((oc) => oc.columns(['repository_id', 'digest']).doNothing()).execute();
  }
  await chargeManifest(tx, targetRepositoryId, id, now);
  return id;
}

export function createArtifactWriteStore(db: Db) {
  return {
    find(repository: string, ref: ArtifactRef): Promise<ArtifactRow | null> {
      return findArtifact(db, repository, ref);
    },

    /**
     * Harbor's artifact delete, in one transaction: the artifact with its tags, its accessories
     * (OCI subject and cosign tags), the index children nothing else keeps, and the repository
     * with its last artifact. Refused while an index of the repository lists it.
     */
    async delete(repository: string, ref: ArtifactRef): Promise<ArtifactDelete> {
      return transactionWithUndo<ArtifactDelete>(db, async (tx, undo) => {
        const art = await findArtifact(tx, repository, ref);
        if (!art) return { kind: 'unknown' };
        const parents = await referencingIn(tx, art.repositoryId, art.digest, 'manifest');
        if (parents.length > 0) return { kind: 'listed', by: parents };
        const accessories = await accessoriesOf(tx, art.repositoryId, art.digest);
        const children: string[] = [];
        for (const d of [art.digest, ...accessories.map((a) => a.digest)]) children.push(...(await childrenOf(tx, art.repositoryId, d)));
        await recordDeletes(tx, art.repositoryId, [art.id]);
        await removeManifests(tx, art.repositoryId, [art.id, ...accessories.map((a) => a.id)]);
        await deleteOrphans(tx, art.repositoryId, children);
        // A concurrent index push may have listed it meanwhile: then nothing happened.
        const late = await referencingIn(tx, art.repositoryId, art.digest, 'manifest');
        if (late.length > 0) undo({ kind: 'listed', by: late });
        return { kind: 'deleted', repositoryGone: await dropIfEmpty(tx, art.repositoryId) };
      });
    },

    /** One page of the artifact's tags; null when there is no such artifact. */
    async listTags(
      repository: string,
      ref: ArtifactRef,
      f: { name?: string; nameLike?: string },
      page: { offset: number; limit: number },
      sort: { column: TagSortColumn; desc: boolean },
    ): Promise<{ items: TagRow[]; total: number } | null> {
      const art = await findArtifact(db, repository, ref);
      if (!art) return null;
      let q = db.selectFrom('tags').where('manifest_id', '=', art.id);
      if (f.name !== undefined) q = q.where('name', '=', f.name);
      if (f.nameLike !== undefined) q = q.where(likeEscaped('name', `%${escapeLike(f.nameLike)}%`));
      const [rows, total] = await Promise.all([
        q
          .select(['id', 'repository_id', 'manifest_id', 'name', 'updated_at', 'pulled_at'])
          .orderBy(sort.column, nullsAsSmallest(sort.desc))
          .orderBy('id', sort.desc ? 'desc' : 'asc')
          .offset(page.offset)
          .limit(page.limit)
          .execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return {
        items: rows.map((r) => ({ id: r.id, repositoryId: r.repository_id, artifactId: r.manifest_id, name: r.name, pushedAt: r.updated_at, pulledAt: r.pulled_at })),
        total: Number(total.n),
      };
    },

    /**
     * Harbor's retag: a new tag on the artifact. A tag of that name anywhere in the repository
     * is a conflict (Harbor does not move tags here, so no protected tag can move either); the
     * insert itself is the check (addTag), race-free on any database.
     */
    async createTag(repository: string, ref: ArtifactRef, tag: string, now = Date.now()): Promise<TagCreate> {
      return transaction(db, async (tx) => {
        const art = await findArtifact(tx, repository, ref);
        if (!art) return 'unknown';
        if (!(await addTag(tx, art.repositoryId, tag, art.id, now))) return 'exists';
        await tx.updateTable('repositories').set({ updated_at: now }).where('id', '=', art.repositoryId).execute();
        return 'created';
      });
    },

    /** Deletes a tag of that artifact (a tag of another artifact is not found), through removeTag. */
    async deleteTag(repository: string, ref: ArtifactRef, tag: string): Promise<TagDelete> {
      return transaction(db, async (tx) => {
        const art = await findArtifact(tx, repository, ref);
        if (!art) return 'unknown';
        const row = await tx.selectFrom('tags').select('id').where('manifest_id', '=', art.id).where('name', '=', tag).executeTakeFirst();
        if (!row) return 'no-tag';
        await removeTag(tx, art.repositoryId, tag);
        return 'deleted';
      });
    },

    /**
     * Harbor's copy, in one transaction: the artifact, its index children (recursively) and its
     * accessories, with their blob links and tags, into the target repository (created on first
     * use). New rows are charged to the target's quota; tags go through setTag (immutability).
     */
    async copy(source: string, ref: ArtifactRef, target: string, now = Date.now()): Promise<ArtifactCopy> {
      return transaction(db, async (tx): Promise<ArtifactCopy> => {
        const art = await findArtifact(tx, source, ref);
        if (!art) return { kind: 'unknown' };
        if (art.subjectDigest !== null) return { kind: 'accessory' };
        // A cosign signature or SBOM, an accessory by its tag, is copied only with its subject, as in Harbor.
        if (art.kind === 'SIGNATURE' || art.kind === 'SBOM') {
          const tags = await tx.selectFrom('tags').select('name').where('manifest_id', '=', art.id).execute();
          if (tags.some((t) => /^sha256-[0-9a-f]{64}\.(sig|att|sbom)$/.test(t.name))) return { kind: 'accessory' };
        }
        const targetId = await ensureRepository(tx, target, now);
        const copied = new Map<number, number>();
        const copyTree = async (id: number, digest: string, depth: number): Promise<void> => {
          if (copied.has(id) || depth > 8) return;
          for (const child of await childrenOf(tx, art.repositoryId, digest)) {
            const row = await tx.selectFrom('manifests').select('id').where('repository_id', '=', art.repositoryId).where('digest', '=', child).executeTakeFirst();
            if (row) await copyTree(row.id, child, depth + 1);
          }
          copied.set(id, await copyManifestRow(tx, id, targetId, now));
          // Its signatures and SBOMs come along, at every level, as in Harbor's copyDeeply.
          for (const a of await accessoriesOf(tx, art.repositoryId, digest)) await copyTree(a.id, a.digest, depth + 1);
        };
        await copyTree(art.id, art.digest, 0);
        const sourceIds = [...copied.keys()];
        for (let i = 0; i < sourceIds.length; i += 500) {
          const tags = await tx.selectFrom('tags').select(['name', 'manifest_id']).where('manifest_id', 'in', sourceIds.slice(i, i + 500)).execute();
          for (const t of tags) await setTag(tx, targetId, t.name, copied.get(t.manifest_id) as number, now);
        }
        await tx.updateTable('repositories').set({ updated_at: now }).where('id', '=', targetId).execute();
        return { kind: 'copied', digest: art.digest };
      }).catch(rethrowRecordingExceeded(db));
    },
  };
}

export type ArtifactWriteStore = ReturnType<typeof createArtifactWriteStore>;
