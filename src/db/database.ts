import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { redactUrl, StartupProblem } from '../platform/startup-problem.js';
import { createMemoryCache } from '../platform/cache.js';
import type { SqlDialect } from './dialect.js';
import { migrationProvider } from './migrations/index.js';
import { openPostgres } from './postgres.js';
import { registerDialect } from './transaction.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  dialect: SqlDialect;
  /** The SQLite file, for readers on other threads (none for PostgreSQL or in memory). */
  file?: string;
  close(): Promise<void>;
}

export function openSqlite(file: string): DatabaseHandle {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  // WAL lets readers run beside the one writer; FULL makes every acknowledged commit durable
  // even across power loss, which is the promise we make to registry clients.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  registerDialect(db, 'sqlite');
  return { db, dialect: 'sqlite', ...(file !== ':memory:' ? { file } : {}), close: () => db.destroy() };
}

/**
 * The metadata database: PostgreSQL when `url` is a postgres:// URL (several instances share
 * it), else the embedded SQLite file in the data dir.
 */
export async function openDatabase(config: { url: string; poolSize: number }, dataDir: string): Promise<DatabaseHandle> {
  if (config.url === '') return openSqlite(join(dataDir, 'haven.db'));
  const handle = openPostgres(config.url, { poolSize: config.poolSize });
  try {
    await sql`select 1`.execute(handle.db);
  } catch (err) {
    await handle.close().catch(() => {});
    throw new StartupProblem('database.url', `cannot use PostgreSQL at ${redactUrl(config.url)}: ${(err as Error).message}`);
  }
  return handle;
}

/**
 * Kysely prepares every query afresh; for SQLite, preparing a join costs more than running it.
 * Statements are reusable, so keep the most recent ones by SQL text.
 */
function withStatementCache(sqlite: SQLite.Database, max = 500) {
  const cache = createMemoryCache<string, SQLite.Statement>({ max });
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = sqlite.prepare(sql);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}

export async function migrateToLatest(handle: DatabaseHandle): Promise<void> {
  const migrator = new Migrator({ db: handle.db, provider: migrationProvider(handle.dialect) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
}
