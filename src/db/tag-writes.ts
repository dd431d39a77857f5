import type { Db } from './database.js';
import { checkTagsRemovable, checkTagWrite } from './tag-protection.js';
import { recordTagDelete } from './artifact-events.js';

/** Points a tag at a manifest (creating or moving it): the one place tags are written. */
export async function setTag(tx: Db, repositoryId: number, tag: string, manifestId: number, now: number): Promise<void> {
  await checkTagWrite(tx, repositoryId, tag, manifestId);
  await tx
    .insertInto('tags')
    .values({ repository_id: repositoryId, name: tag, manifest_id: manifestId, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(['repository_id', 'name']).doUpdateSet({ manifest_id: manifestId, updated_at: now }))
    .execute();
}

/** Deletes a tag unless it is protected; false when there was no such tag. */
export async function removeTag(tx: Db, repositoryId: number, tag: string): Promise<boolean> {
  await checkTagsRemovable(tx, repositoryId, [tag]);
  await recordTagDelete(tx, repositoryId, tag);
  const r = await tx.deleteFrom('tags').where('repository_id', '=', repositoryId).where('name', '=', tag).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/**
 * Creates a tag that must not exist yet (Harbor's createTag never moves one): the unique key is
 * the check, so of two concurrent creates one wins and the other is told, on any database.
 */
export async function addTag(tx: Db, repositoryId: number, tag: string, manifestId: number, now: number): Promise<boolean> {
  const r = await tx
    .insertInto('tags')
    .values({ repository_id: repositoryId, name: tag, manifest_id: manifestId, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(['repository_id', 'name']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}
