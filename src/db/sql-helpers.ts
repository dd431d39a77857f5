import { sql } from 'kysely';
import type { Db } from './database.js';

/** `column LIKE pattern ESCAPE '\'`, the same on SQLite and PostgreSQL. */
export function likeEscaped(column: string, pattern: string) {
  return sql<boolean>`${sql.ref(column)} like ${pattern} escape '\\'`;
}

/** LIKE patterns are built from user input: escape the wildcards so they match literally. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}


/**
 * Of `digests`, those a repository lacks in `table` (its blob links or its manifests), asked in
 * batches so a huge index never exceeds the database's bound-parameter limit.
 */
export async function missingDigests(tx: Db, table: 'repository_blobs' | 'manifests', repositoryId: number, digests: string[]): Promise<string[]> {
  const unique = [...new Set(digests)];
  const present = new Set<string>();
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await tx
      .selectFrom(table)
      .select('digest')
      .where('repository_id', '=', repositoryId)
      .where('digest', 'in', unique.slice(i, i + 500))
      .execute();
    for (const r of rows) present.add(r.digest);
  }
  return unique.filter((d) => !present.has(d));
}

class RolledBack<T> extends Error {
  constructor(readonly result: T) {
    super('transaction rolled back');
  }
}

/**
 * One transaction whose `work` may act first and check after: `undo(result)` rolls back what it
 * did and makes `result` the answer. Acting first (deleting the row, say) takes the row's write
 * lock before the check reads, so a concurrent writer cannot slip in between check and act.
 */
export async function transactionWithUndo<T>(db: Db, work: (tx: Db, undo: (result: T) => never) => Promise<T>): Promise<T> {
  try {
    return await db.transaction().execute((tx) =>
      work(tx, (result) => {
        throw new RolledBack(result);
      }),
    );
  } catch (err) {
    if (err instanceof RolledBack) return err.result as T;
    throw err;
  }
}
