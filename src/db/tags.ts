import { transaction } from './transaction.js';
import type { Db } from './database.js';
import { removeTag } from './tag-writes.js';

export function createTagStore(db: Db) {
  return {
    /** Tag names in lexical order after `last`; at most `limit`. */
    async list(repositoryId: number, limit: number, last?: string): Promise<string[]> {
      let q = db
        .selectFrom('tags')
        .select('name')
        .where('repository_id', '=', repositoryId)
        .orderBy('name')
        .limit(limit);
      if (last !== undefined) q = q.where('name', '>', last);
      return (await q.execute()).map((r) => r.name);
    },

    async delete(repositoryId: number, tag: string): Promise<boolean> {
      return transaction(db, (tx) => removeTag(tx, repositoryId, tag));
    },
  };
}

export type TagStore = ReturnType<typeof createTagStore>;
