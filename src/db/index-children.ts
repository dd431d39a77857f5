import type { ExpressionBuilder } from 'kysely';
import type { Database, ManifestsTable } from './schema.js';

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
