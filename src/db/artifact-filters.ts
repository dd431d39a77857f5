import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Database } from './schema.js';
import { escapeLike, likeEscaped } from './sql-helpers.js';

/**
 * The WHERE of Harbor's artifact list: what it never lists (accessories; untagged index children
 * unless base=*) and the q filters, every value a bound parameter.
 */

/** Filters of an artifact list, already parsed and checked by the service. */
export interface ArtifactFilter {
  /** Harbor's `base=*`: index children without tags are listed too. */
  all?: boolean;
  tags?: { kind: 'any' } | { kind: 'none' } | { kind: 'exact'; name: string } | { kind: 'like'; pattern: string };
  kinds?: string[];
  digests?: string[];
  digestLike?: string;
  mediaTypes?: string[];
  manifestMediaTypes?: string[];
  artifactTypes?: string[];
  /** Every one of these label ids (Harbor's intersection). */
  labelIds?: number[];
  pushedAt?: { min: number | null; max: number | null };
  pulledAt?: { min: number | null; max: number | null };
}

export type ArtifactSortColumn = 'id' | 'pushed_at' | 'pulled_at' | 'total_size' | 'digest' | 'artifact_kind' | 'config_media_type';

export type Eb = ExpressionBuilder<Database & { m: Database['manifests'] }, 'm'>;

/**
 * An accessory is hidden from Harbor's top-level list: a manifest with a subject, or a
 * signature/SBOM under a cosign-convention tag (sha256-<64 hex>.sig|.att|.sbom).
 */
function notAccessory(eb: Eb): Expression<SqlBool> {
  return eb.and([
    eb('m.subject_digest', 'is', null),
    eb.or([
      eb('m.artifact_kind', 'not in', ['SIGNATURE', 'SBOM']),
      eb.not(
        eb.exists(
          eb
            .selectFrom('tags as ct')
            .select('ct.id')
            .whereRef('ct.manifest_id', '=', 'm.id')
            .where(sql<SqlBool>`length(ct.name) between 75 and 76`)
            .where((e) => e.or([e('ct.name', 'like', 'sha256-%.sig'), e('ct.name', 'like', 'sha256-%.att'), e('ct.name', 'like', 'sha256-%.sbom')])),
        ),
      ),
    ]),
  ]);
}

/** Harbor's base filter: tagged, or not a child of an index of the repository. */
function listedBase(eb: Eb, repositoryId: number): Expression<SqlBool> {
  // A tag settles it: the repository's tagged ids are gathered once (PostgreSQL hashes them; a
  // correlated EXISTS was hashed over every tag in the registry). Only untagged rows need the
  // digest lookup.
  return eb.or([
    eb('m.id', 'in', eb.selectFrom('tags as bt').select('bt.manifest_id').where('bt.repository_id', '=', repositoryId)),
    eb.not(
      eb.exists(
        // Nested, not joined: a join lets the planner walk the repository's manifests for
        // every row (quadratic); this is one digest-index lookup and a key lookup per parent.
        eb
          .selectFrom('manifest_references as br')
          .select('br.manifest_id')
          .whereRef('br.digest', '=', 'm.digest')
          .where('br.kind', '=', sql.lit('manifest'))
          .where((e) => e.exists(e.selectFrom('manifests as bp').select('bp.id').whereRef('bp.id', '=', 'br.manifest_id').whereRef('bp.repository_id', '=', 'm.repository_id'))),
      ),
    ),
  ]);
}


/** The conditions of a list of the repository's artifacts (`m.repository_id` = repositoryId). */
export function conditions(eb: Eb, f: ArtifactFilter, repositoryId: number): Expression<SqlBool>[] {
  const out: Expression<SqlBool>[] = [notAccessory(eb)];
  if (!f.all) out.push(listedBase(eb, repositoryId));
  const tagExists = (name?: { op: '=' | 'like'; value: string }) => {
    let q = eb.selectFrom('tags as ft').select('ft.id').whereRef('ft.manifest_id', '=', 'm.id');
    if (name?.op === '=') q = q.where('ft.name', '=', name.value);
    if (name?.op === 'like') q = q.where(likeEscaped('ft.name', `%${escapeLike(name.value)}%`));
    return eb.exists(q);
  };
  if (f.tags?.kind === 'any') out.push(tagExists());
  if (f.tags?.kind === 'none') out.push(eb.not(tagExists()));
  if (f.tags?.kind === 'exact') out.push(tagExists({ op: '=', value: f.tags.name }));
  if (f.tags?.kind === 'like') out.push(tagExists({ op: 'like', value: f.tags.pattern }));
  if (f.kinds) out.push(eb('m.artifact_kind', 'in', f.kinds));
  if (f.digests) out.push(eb('m.digest', 'in', f.digests));
  if (f.digestLike !== undefined) out.push(likeEscaped('m.digest', `%${escapeLike(f.digestLike)}%`));
  if (f.mediaTypes) out.push(eb('m.config_media_type', 'in', f.mediaTypes));
  if (f.manifestMediaTypes) out.push(eb('m.media_type', 'in', f.manifestMediaTypes));
  if (f.artifactTypes) out.push(eb('m.artifact_type', 'in', f.artifactTypes));
  for (const id of f.labelIds ?? []) {
    out.push(eb.exists(eb.selectFrom('artifact_labels as fl').select('fl.label_id').whereRef('fl.manifest_id', '=', 'm.id').where('fl.label_id', '=', id)));
  }
  for (const [col, range] of [['m.pushed_at', f.pushedAt], ['m.pulled_at', f.pulledAt]] as const) {
    if (range?.min != null) out.push(eb(col, '>=', range.min));
    if (range?.max != null) out.push(eb(col, '<=', range.max));
  }
  return out;
}

