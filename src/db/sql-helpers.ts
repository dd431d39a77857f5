import { transaction } from './transaction.js';
import { type Compilable, CompiledQuery, type OrderByItemBuilder, sql } from 'kysely';
import type { Db } from './database.js';

/**
 * Harbor's fuzzy match (`~`, its `__icontains`): case-insensitive on every dialect. SQLite's LIKE
 * ignores ASCII case and PostgreSQL's does not, so both sides are lowered and LIKE compares them.
 */
export function likeEscaped(column: string, pattern: string) {
  return sql<boolean>`lower(${sql.ref(column)}) like lower(${pattern}) escape '\\'`;
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
    return await transaction(db, (tx) =>
      work(tx, (result) => {
        throw new RolledBack(result);
      }),
    );
  } catch (err) {
    if (err instanceof RolledBack) return err.result as T;
    throw err;
  }
}

/**
 * The SQL of every `prepared` query: a finite set, so the PostgreSQL pool may keep each as a
 * named server-side statement per connection (parsed and planned once, not on every call).
 */
const hotStatements = new Set<string>();
export const isHotStatement = (sql: string) => hotStatements.has(sql);

const placeholder = (i: number) => `\u0000haven-arg-${i}\u0000`;

/**
 * A query whose builder runs once: its SQL is compiled with placeholder values and kept, and
 * each call binds its own arguments to it. On the hottest paths (a manifest GET) building the
 * query took longer than SQLite running it. `build` must use every argument as a bound value
 * (never as an identifier or in a LIKE pattern), as the builders here do.
 */
export function prepared<A extends unknown[], R>(db: Db, build: (db: Db, ...args: A) => Compilable<R>): (runner: Db, ...args: A) => Promise<R[]> {
  const compiled = build(db, ...(Array.from({ length: build.length - 1 }, (_, i) => placeholder(i)) as A)).compile();
  hotStatements.add(compiled.sql);
  const slots = compiled.parameters.map((p) => (typeof p === 'string' && p.startsWith('\u0000haven-arg-') ? Number(p.slice(11, -1)) : -1));
  return async (runner, ...args) => {
    const parameters = compiled.parameters.map((p, i) => (slots[i]! >= 0 ? args[slots[i]!] : p));
    return (await runner.executeQuery<R>(CompiledQuery.raw(compiled.sql, parameters))).rows;
  };
}

/**
 * An ORDER BY direction with NULLs where SQLite puts them (the smallest value: first ascending,
 * last descending), so pages sorted by a nullable column (pull time) match on PostgreSQL, whose
 * default is the opposite.
 */
export function nullsAsSmallest(desc: boolean) {
  return (ob: OrderByItemBuilder) => (desc ? ob.desc().nullsLast() : ob.asc().nullsFirst());
}
