import { nullsAsSmallest } from './sql-helpers.js';
import { sql, type Expression, type SqlBool } from 'kysely';
import { conditions, type ArtifactFilter, type ArtifactSortColumn, type Eb } from './artifact-filters.js';
import type { Db } from './database.js';
import { immutableAmong } from './tag-protection.js';

/** A manifest row as Harbor's artifact, with its repository. */
export interface ArtifactRow {
  id: number;
  repositoryId: number;
  repositoryName: string;
  projectId: number;
  digest: string;
  manifestMediaType: string;
  /** Only the explicit artifactType or the config's media type (the referrers API's). */
  artifactType: string | null;
  mediaType: string;
  kind: string;
  size: number;
  annotations: string | null;
  extraAttrs: string | null;
  pushedAt: number;
  pulledAt: number | null;
  subjectDigest: string | null;
  /** Bytes of the manifest, for indexes only (their references), else null. */
  indexContent: Buffer | null;
}

export interface TagRow {
  id: number;
  repositoryId: number;
  artifactId: number;
  name: string;
  pushedAt: number;
  pulledAt: number | null;
}

export interface LabelRow {
  artifactId: number;
  id: number;
  name: string;
  description: string;
  color: string;
  scope: 'g' | 'p';
  projectId: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A manifest that is an accessory of another artifact of the repository. */
export interface AccessoryRow {
  /** The accessory's own manifest id (also the accessory's id: one subject per manifest). */
  artifactId: number;
  subjectDigest: string;
  digest: string;
  size: number;
  artifactType: string | null;
  mediaType: string;
  kind: string;
  /** Set when found by cosign's tag convention. */
  viaTag: string | null;
  createdAt: number;
  /** The manifest bytes (accessories are small), for the nydus check on layers. */
  content: Buffer;
}

const indexTypes = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];

type RawArtifact = {
  id: number;
  repository_id: number;
  repository_name: string;
  project_id: number | null;
  digest: string;
  media_type: string;
  artifact_type: string | null;
  config_media_type: string | null;
  artifact_kind: string;
  total_size: number;
  annotations: string | null;
  extra_attrs: string | null;
  pushed_at: number;
  pulled_at: number | null;
  subject_digest: string | null;
  index_content: Buffer | null;
};

const toArtifact = (r: RawArtifact): ArtifactRow => ({
  id: r.id,
  repositoryId: r.repository_id,
  repositoryName: r.repository_name,
  projectId: r.project_id ?? 0,
  digest: r.digest,
  manifestMediaType: r.media_type,
  artifactType: r.artifact_type,
  mediaType: r.config_media_type ?? r.media_type,
  kind: r.artifact_kind,
  size: Number(r.total_size),
  annotations: r.annotations,
  extraAttrs: r.extra_attrs,
  pushedAt: Number(r.pushed_at),
  pulledAt: r.pulled_at === null ? null : Number(r.pulled_at),
  subjectDigest: r.subject_digest,
  indexContent: r.index_content,
});

export type { ArtifactFilter, ArtifactSortColumn } from './artifact-filters.js';

/**
 * Sort columns that may hold NULL, which Harbor orders as the smallest value. The others are
 * ordered plainly, so the repository's (pushed_at, id) index gives the order with no sort: a
 * NULLS clause on a NOT NULL column made PostgreSQL sort all 10,000 wide rows for one page.
 */
const nullable = new Set<ArtifactSortColumn>(['pulled_at', 'config_media_type']);

/** Reads of Harbor's artifact model; every list is one query, and so is each of its parts. */
export function createArtifactStore(db: Db) {
  const select = () =>
    db
      .selectFrom('manifests as m')
      .innerJoin('repositories as r', 'r.id', 'm.repository_id')
      .select([
        'm.id',
        'm.repository_id',
        'r.name as repository_name',
        'r.project_id',
        'm.digest',
        'm.media_type',
        'm.artifact_type',
        'm.config_media_type',
        'm.artifact_kind',
        'm.total_size',
        'm.annotations',
        'm.extra_attrs',
        'm.pushed_at',
        'm.pulled_at',
        'm.subject_digest',
        sql<Buffer | null>`case when m.media_type in (${sql.join(indexTypes)}) then m.content end`.as('index_content'),
      ]);

  /** Past the last page the window has no row to carry the total: counted on its own. */
  const countWhere = async (where: (eb: Eb) => Expression<SqlBool>) => {
    const row = await db.selectFrom('manifests as m').select((eb) => eb.fn.countAll<number>().as('n')).where(where).executeTakeFirstOrThrow();
    return Number(row.n);
  };

  return {
    /** The repository's id, only if it belongs to the project (a name from another project is null). */
    async repositoryIn(projectId: number, name: string): Promise<number | null> {
      const row = await db.selectFrom('repositories').select('id').where('name', '=', name).where('project_id', '=', projectId).executeTakeFirst();
      return row?.id ?? null;
    },

    async list(
      repositoryId: number,
      filter: ArtifactFilter,
      sort: Array<{ column: ArtifactSortColumn; desc: boolean }>,
      page: { offset: number; limit: number },
    ): Promise<{ items: ArtifactRow[]; total: number }> {
      const where = (eb: Eb) => eb.and([eb('m.repository_id', '=', repositoryId), ...conditions(eb, filter, repositoryId)]);
      // The page's ids and the total in one pass over narrow rows (the columns the conditions and
      // the order need are all in manifests_repository_pushed); the wide rows only for the page.
      let ids = db.selectFrom('manifests as m').select(['m.id', sql<number>`count(*) over ()`.as('total')]).where(where);
      for (const s of sort) ids = ids.orderBy(`m.${s.column}`, nullable.has(s.column) ? nullsAsSmallest(s.desc) : s.desc ? 'desc' : 'asc');
      if (!sort.some((s) => s.column === 'id')) ids = ids.orderBy('m.id', 'desc');
      const picked = await ids.limit(page.limit).offset(page.offset).execute();
      if (picked.length === 0) return { items: [], total: page.offset === 0 ? 0 : await countWhere(where) };
      const rows = await select().where('m.id', 'in', picked.map((p) => p.id)).execute();
      const byId = new Map(rows.map((r) => [r.id, r]));
      // A row deleted between the two statements simply drops out of the page.
      const items = picked.flatMap((p) => {
        const r = byId.get(p.id);
        return r ? [toArtifact(r)] : [];
      });
      return { items, total: Number(picked[0]!.total) };
    },

    async byDigest(repositoryId: number, digest: string): Promise<ArtifactRow | null> {
      const row = await select().where('m.repository_id', '=', repositoryId).where('m.digest', '=', digest).executeTakeFirst();
      return row ? toArtifact(row) : null;
    },

    async byTag(repositoryId: number, tag: string): Promise<ArtifactRow | null> {
      const row = await select()
        .innerJoin('tags as t', 't.manifest_id', 'm.id')
        .where('t.repository_id', '=', repositoryId)
        .where('t.name', '=', tag)
        .executeTakeFirst();
      return row ? toArtifact(row) : null;
    },

    /** Tags of these artifacts, newest push first (Harbor's default tag order). */
    async tagsOf(artifactIds: number[]): Promise<TagRow[]> {
      if (artifactIds.length === 0) return [];
      const rows = await db
        .selectFrom('tags')
        .select(['id', 'repository_id', 'manifest_id', 'name', 'updated_at', 'pulled_at'])
        .where('manifest_id', 'in', artifactIds)
        .orderBy('updated_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        repositoryId: r.repository_id,
        artifactId: r.manifest_id,
        name: r.name,
        pushedAt: Number(r.updated_at),
        pulledAt: r.pulled_at === null ? null : Number(r.pulled_at),
      }));
    },

    async labelsOf(artifactIds: number[]): Promise<LabelRow[]> {
      if (artifactIds.length === 0) return [];
      const rows = await db
        .selectFrom('artifact_labels as al')
        .innerJoin('labels as l', 'l.id', 'al.label_id')
        .select(['al.manifest_id', 'l.id', 'l.name', 'l.description', 'l.color', 'l.scope', 'l.project_id', 'l.created_at', 'l.updated_at'])
        .where('al.manifest_id', 'in', artifactIds)
        .orderBy('al.created_at')
        .orderBy('l.id')
        .execute();
      return rows.map((r) => ({
        artifactId: r.manifest_id,
        id: r.id,
        name: r.name,
        description: r.description,
        color: r.color,
        scope: r.scope,
        projectId: r.project_id,
        createdAt: Number(r.created_at),
        updatedAt: Number(r.updated_at),
      }));
    },

    /** Of these tags of the repository, those an enabled immutable rule protects. */
    immutableAmong(repositoryId: number, tags: string[]): Promise<Set<string>> {
      return immutableAmong(db, repositoryId, tags);
    },

    /** Ids of the repository's manifests among `digests` (an index's children). */
    async idsOf(repositoryId: number, digests: string[]): Promise<Map<string, number>> {
      if (digests.length === 0) return new Map();
      const rows = await db.selectFrom('manifests').select(['id', 'digest']).where('repository_id', '=', repositoryId).where('digest', 'in', digests).execute();
      return new Map(rows.map((r) => [r.digest, r.id]));
    },

    /** Indexes of the repository listing any of `digests`: [child digest, parent id, parent digest]. */
    async parentsOf(repositoryId: number, digests: string[]): Promise<Array<{ child: string; id: number; digest: string }>> {
      if (digests.length === 0) return [];
      // CROSS JOIN keeps SQLite's loop order: references by digest first, then each parent by key.
      const rows = await db
        .selectFrom('manifest_references as ref')
        .crossJoin('manifests as p')
        .select(['ref.digest as child', 'p.id', 'p.digest'])
        .whereRef('p.id', '=', 'ref.manifest_id')
        .where('p.repository_id', '=', repositoryId)
        .where('ref.kind', '=', 'manifest')
        .where('ref.digest', 'in', digests)
        .execute();
      return rows;
    },

    /** Total sizes of a repository's manifests among `digests`, by repository name (used at push). */
    async childSizes(repository: string, digests: string[]): Promise<Map<string, number>> {
      if (digests.length === 0) return new Map();
      const rows = await db
        .selectFrom('manifests as m')
        .innerJoin('repositories as r', 'r.id', 'm.repository_id')
        .select(['m.digest', 'm.total_size'])
        .where('r.name', '=', repository)
        .where('m.digest', 'in', digests)
        .execute();
      return new Map(rows.map((r) => [r.digest, Number(r.total_size)]));
    },

    /**
     * Accessories of the artifacts `subjects` (digests) in the repository: manifests whose subject
     * is one of them, and manifests under cosign-convention tags naming one of them (`cosignTags`,
     * tag name -> subject digest). Two queries, whatever the number of subjects.
     */
    async accessoriesOf(repositoryId: number, subjects: string[], cosignTags: Map<string, string>): Promise<AccessoryRow[]> {
      if (subjects.length === 0) return [];
      const cols = ['m.id', 'm.digest', 'm.total_size', 'm.artifact_type', 'm.config_media_type', 'm.media_type', 'm.artifact_kind', 'm.created_at', 'm.content'] as const;
      const bySubject = await db
        .selectFrom('manifests as m')
        .select([...cols, 'm.subject_digest'])
        .where('m.repository_id', '=', repositoryId)
        .where('m.subject_digest', 'in', subjects)
        .execute();
      const byTag =
        cosignTags.size === 0
          ? []
          : await db
              .selectFrom('tags as t')
              .innerJoin('manifests as m', 'm.id', 't.manifest_id')
              .select([...cols, 't.name as tag'])
              .where('t.repository_id', '=', repositoryId)
              .where('t.name', 'in', [...cosignTags.keys()])
              .execute();
      const out: AccessoryRow[] = [];
      const seen = new Set<string>();
      const push = (r: (typeof bySubject)[number] | (typeof byTag)[number], subject: string, viaTag: string | null) => {
        const key = `${r.id} ${subject}`;
        if (seen.has(key)) return;
        seen.add(key);
        out.push({
          artifactId: r.id,
          subjectDigest: subject,
          digest: r.digest,
          size: Number(r.total_size),
          artifactType: r.artifact_type,
          mediaType: r.config_media_type ?? r.media_type,
          kind: r.artifact_kind,
          viaTag,
          createdAt: Number(r.created_at),
          content: r.content,
        });
      };
      for (const r of bySubject) push(r, r.subject_digest as string, null);
      for (const r of byTag) push(r, cosignTags.get(r.tag) as string, r.tag);
      return out;
    },
  };
}

export type ArtifactStore = ReturnType<typeof createArtifactStore>;
