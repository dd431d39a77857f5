import type { Kysely } from 'kysely';

/**
 * Harbor's artifact list is ordered by push time (newest first) within a repository: this index
 * serves a page of it without sorting the repository's every manifest.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('manifests_repository_pushed').on('manifests').columns(['repository_id', 'pushed_at', 'id', 'subject_digest', 'artifact_kind', 'digest']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('manifests_repository_pushed').execute();
}
