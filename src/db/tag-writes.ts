import type { Db } from './database.js';
import { checkTagsRemovable, checkTagWrite } from './tag-protection.js';

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
  const r = await tx.deleteFrom('tags').where('repository_id', '=', repositoryId).where('name', '=', tag).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
