import type { Db } from './database.js';
import { releaseManifests } from './quota-ledger.js';
import { checkTagsRemovable } from './tag-protection.js';

/**
 * The one way manifest rows leave the database (a /v2 delete, an index's orphaned children, an
 * artifact or repository delete): their tags must be removable, the quota is released, then the
 * rows go (tags, references and labels cascade). Inside the caller's transaction.
 */
export async function removeManifests(tx: Db, repositoryId: number, manifestIds: number[], now = Date.now()): Promise<void> {
  for (let i = 0; i < manifestIds.length; i += 500) {
    const ids = manifestIds.slice(i, i + 500);
    const tags = await tx.selectFrom('tags').select('name').where('manifest_id', 'in', ids).execute();
    if (tags.length > 0) await checkTagsRemovable(tx, repositoryId, tags.map((t) => t.name));
    await releaseManifests(tx, repositoryId, ids, now);
    await tx.deleteFrom('manifests').where('id', 'in', ids).execute();
  }
}
