import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { flagName, loadConfig } from '../config/load.js';
import { configKeys } from '../config/schema.js';
import { openSqlite, type DatabaseHandle } from '../db/database.js';
import { openPostgres } from '../db/postgres.js';
import { lockDataDir } from '../platform/data-dir-lock.js';
import { redactUrl } from '../platform/startup-problem.js';
import { BackupRefusal } from '../services/backup/backup.js';
import { migrateDatabase } from '../services/backup/migrate.js';
import { stderrProgress } from './progress.js';

export const migrateUsage = `Usage: haven migrate --to postgres://user:password@host:5432/db [options]

Moves an embedded installation's metadata (the SQLite haven.db of the data directory) into an
empty PostgreSQL database, table by table. Stop haven serve first: the data directory is locked
while the move runs. An interrupted move resumes where it stopped when run again with the same
--to. At the end every table's row count and an order-free digest of all its rows are compared
between the two databases. Then start haven serve with database.url set to the same URL
(HAVEN_DATABASE_URL) and the same data directory, which keeps the blobs. haven.db is left as it
was: it is the way back until the new setup has proven itself.

Options:
  --to <url>         the PostgreSQL database to fill (empty, or an interrupted move's)
  --storage-to s3    not available yet: blobs stay in the data directory's storage/
  --data-dir <dir>   the installation's data directory (as for serve; default ./data)
  --config <file>    read dataDir (and the rest) from this haven.yml, as serve does
  --help, -h         show this help
`;

class UsageError extends Error {}

async function openTarget(url: string): Promise<DatabaseHandle> {
  const handle = openPostgres(url, { poolSize: 2 });
  try {
    await sql`select 1`.execute(handle.db);
    return handle;
  } catch (err) {
    await handle.close().catch(() => {});
    throw new BackupRefusal(`--to: cannot use PostgreSQL at ${redactUrl(url)}: ${(err as Error).message}`);
  }
}

async function run(argv: string[]): Promise<void> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    to: { type: 'string' },
    'storage-to': { type: 'string' },
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  };
  for (const k of configKeys) options[flagName(k)] ??= { type: 'string' };
  const { values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  const v = values as Record<string, string | boolean | undefined>;
  if (v.help) {
    process.stdout.write(migrateUsage);
    return;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const to = typeof v.to === 'string' ? v.to : '';
  if (!/^postgres(ql)?:\/\/\S+$/.test(to)) throw new UsageError('--to must be a postgres:// URL, e.g. postgres://haven:secret@db:5432/haven');
  if (v['storage-to'] !== undefined) {
    throw new BackupRefusal('--storage-to s3 is not available yet; run without it: the blobs stay in the data directory, which serve keeps using');
  }
  const flags: Record<string, string | undefined> = {};
  for (const k of configKeys) {
    const value = v[flagName(k)];
    if (typeof value === 'string') flags[flagName(k)] = value;
  }
  const config = loadConfig({ ...(typeof v.config === 'string' ? { file: v.config } : {}), flags });
  if (config.database.url !== '') throw new BackupRefusal(`this installation already runs on PostgreSQL (database.url ${redactUrl(config.database.url)}); haven migrate moves an embedded one`);
  const dataDir = resolve(config.dataDir);
  const dbFile = join(dataDir, 'haven.db');
  if (!existsSync(dbFile)) throw new BackupRefusal(`no Haven database at ${dbFile}; pass the installation's --data-dir (or --config)`);

  // Nothing may write to the source meanwhile: a running serve holds this lock, and is refused.
  const lock = await lockDataDir(dataDir);
  try {
    const source = openSqlite(dbFile);
    try {
      const target = await openTarget(to);
      try {
        const started = Date.now();
        const s = await migrateDatabase({ source, target, progress: stderrProgress() });
        process.stdout.write(
          `moved ${s.rows} rows in ${s.tables} tables to ${redactUrl(to)}${s.resumed.length ? ` (resumed: ${s.resumed.length} tables were already there)` : ''}, ` +
            `verified by row counts and digests, in ${((Date.now() - started) / 1000).toFixed(1)}s\n` +
            `next: start haven serve with database.url (HAVEN_DATABASE_URL) set to that URL and --data-dir ${dataDir}\n`,
        );
      } finally {
        await target.close();
      }
    } finally {
      await source.close();
    }
  } finally {
    lock.release();
  }
}

/** `haven migrate ...`: exit 2 for usage errors, 1 for refusals. */
export async function migrateCommand(argv: string[]): Promise<void> {
  try {
    await run(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`haven migrate: ${err.message}\n\n${migrateUsage}`);
      process.exitCode = 2;
    } else if (err instanceof BackupRefusal) {
      process.stderr.write(`\nhaven migrate: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      throw err;
    }
  }
}
