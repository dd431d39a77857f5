import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { migrateToLatest, type DatabaseHandle } from './database.js';
import type { Database } from './schema.js';
import { registerDialect } from './transaction.js';

/** An in-memory, migrated SQLite database for unit tests, counting the statements it runs. */
export async function openTestDatabase(): Promise<DatabaseHandle & { queries: () => number }> {
  let n = 0;
  const sqlite = new SQLite(':memory:');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: sqlite }),
    log: (e) => {
      if (e.level === 'query') n++;
    },
  });
  registerDialect(db, 'sqlite');
  const handle = { db, dialect: 'sqlite' as const, close: () => db.destroy() };
  await migrateToLatest(handle);
  return { ...handle, queries: () => n };
}
