import type { ExpressionBuilder } from 'kysely';
import type { Database, ManifestsTable, RepositoriesTable } from './schema.js';

/** Whether manifest `m` is a child of an index in the repository (it goes only with that index). */
export function listedByIndex(eb: ExpressionBuilder<Database & { m: ManifestsTable }, 'm'>, repositoryId: number) {
  return eb.exists(
    eb
      .selectFrom('manifest_references as ref')
      .innerJoin('manifests as parent', 'parent.id', 'ref.manifest_id')
      .select('ref.manifest_id')
      .where('parent.repository_id', '=', repositoryId)
      .where('ref.kind', '=', 'manifest')
      .whereRef('ref.digest', '=', 'm.digest'),
  );
}

/**
 * Whether repository `r` holds an artifact. Blob uploads create the repository row (its blob
 * links need one), but Harbor's repositories exist only from the first artifact: until then, and
 * after a refused push, it is listed, counted and searched nowhere.
 */
export function hasArtifacts(eb: ExpressionBuilder<Database & { r: RepositoriesTable }, 'r'>) {
  return eb.exists(eb.selectFrom('manifests as a').select('a.id').whereRef('a.repository_id', '=', 'r.id'));
}
