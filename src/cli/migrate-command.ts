import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { envName, flagName, loadConfig } from '../config/load.js';
import { configKeys, type HavenConfig } from '../config/schema.js';
import type { AnyDb } from '../db/snapshot.js';
import { openSqlite, type DatabaseHandle } from '../db/database.js';
import { openPostgres } from '../db/postgres.js';
import { lockDataDir } from '../platform/data-dir-lock.js';
import { redactUrl } from '../platform/startup-problem.js';
import { BackupRefusal } from '../services/backup/backup.js';
import { migrateDatabase } from '../services/backup/migrate.js';
import { formatSize } from '../platform/size.js';
import { migrateBlobs, type BlobsSummary } from '../services/backup/migrate-blobs.js';
import { createFilesystemDriver } from '../storage/filesystem-driver.js';
import { openS3Storage, StorageStartError } from '../storage/storage-factory.js';
import { stderrProgress } from './progress.js';

export const migrateUsage = `Usage: haven migrate --to postgres://user:password@host:5432/db [--storage-to s3] [options]
       haven migrate --storage-to s3 [options]

Moves an embedded installation (the SQLite haven.db and the blobs in storage/ of the data
directory) to PostgreSQL, to an S3 bucket, or both. Stop haven serve first: the data directory is
locked while the move runs. An interrupted move resumes where it stopped when run again with the
same options. haven.db and storage/ are left as they were: they are the way back until the new
setup has proven itself.

--to copies the metadata into an empty PostgreSQL database, table by table; at the end every
table's row count and an order-free digest of all its rows are compared between the two.

--storage-to s3 copies every blob the database records into the bucket of the storage.s3.*
settings (config file, HAVEN_STORAGE_S3_* or --storage-s3-* flags, as serve reads them), which is
checked first (reachable, bucket there, writable). A blob already in the bucket with its size is
not copied again; at the end every blob is read back from the bucket and its sha256 checked. A
damaged one is named, removed from the bucket, and copied again by the next run. Uploads in
flight do not move: their clients start them again. Without --to the metadata stays in haven.db
(and its uploads in flight are forgotten).

Then start haven serve with the same data directory and: database.url (HAVEN_DATABASE_URL) set
to the --to URL; with --storage-to s3, storage.driver s3 (HAVEN_STORAGE_DRIVER=s3) and the same
storage.s3.* settings.

Options:
  --to <url>         the PostgreSQL database to fill (empty, or an interrupted move's)
  --storage-to s3    also move the blobs to the S3 bucket of storage.s3.*
  --data-dir <dir>   the installation's data directory (as for serve; default ./data)
  --config <file>    read dataDir and storage.s3.* (and the rest) from this haven.yml, as serve does
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
  const storageTo = v['storage-to'];
  if (v.to === undefined && storageTo === undefined) throw new UsageError('give --to postgres://... (the metadata), --storage-to s3 (the blobs), or both');
  if (v.to !== undefined && !/^postgres(ql)?:\/\/\S+$/.test(to)) throw new UsageError('--to must be a postgres:// URL, e.g. postgres://haven:secret@db:5432/haven');
  if (storageTo !== undefined && storageTo !== 's3') throw new UsageError(`--storage-to takes s3, not ${JSON.stringify(storageTo)}`);
  const flags: Record<string, string | undefined> = {};
  for (const k of configKeys) {
    const value = v[flagName(k)];
    if (typeof value === 'string') flags[flagName(k)] = value;
  }
  const config = loadConfig({ ...(typeof v.config === 'string' ? { file: v.config } : {}), flags });
  if (config.database.url !== '') throw new BackupRefusal(`this installation already runs on PostgreSQL (database.url ${redactUrl(config.database.url)}); haven migrate moves an embedded one`);
  if (storageTo !== undefined) checkS3Settings(config);
  const dataDir = resolve(config.dataDir);
  const dbFile = join(dataDir, 'haven.db');
  if (!existsSync(dbFile)) throw new BackupRefusal(`no Haven database at ${dbFile}; pass the installation's --data-dir (or --config)`);

  // Nothing may write to the source meanwhile: a running serve holds this lock, and is refused.
  const lock = await lockDataDir(dataDir);
  const closers: Array<() => Promise<void> | void> = [() => lock.release()];
  try {
    const source = openSqlite(dbFile);
    closers.unshift(() => source.close());
    // Every target is checked before anything is written to any of them.
    const target = to ? await openTarget(to) : null;
    if (target) closers.unshift(() => target.close());
    const bucket = storageTo ? await openBucket(config) : null;
    if (bucket) closers.unshift(() => bucket.driver.context.client.destroy());
    const started = Date.now();
    const progress = stderrProgress();
    const blobs = bucket
      ? () =>
          migrateBlobs({
            source: source.db as AnyDb,
            from: createFilesystemDriver(join(dataDir, 'storage')),
            to: bucket.driver,
            toName: bucket.name,
            partSize: config.storage.s3.partSize,
            progress,
          })
      : null;
    const lines: string[] = [];
    const blobLine = (b: BlobsSummary) =>
      `copied ${b.blobs - b.skipped} blobs to the ${bucket!.name}${b.skipped ? ` (resumed: ${b.skipped} were already there)` : ''}; ` +
      `${b.blobs} blobs (${formatSize(b.bytes)}) verified by size and sha256`;
    if (target) {
      let b: BlobsSummary | null = null;
      const s = await migrateDatabase({
        source,
        target,
        progress,
        ...(blobs ? { skipTables: ['upload_sessions'], beforeRows: async () => void (b = await blobs()) } : {}),
      });
      if (b) lines.push(blobLine(b));
      lines.push(
        `moved ${s.rows} rows in ${s.tables} tables to ${redactUrl(to)}${s.resumed.length ? ` (resumed: ${s.resumed.length} tables were already there)` : ''}, ` +
          `verified by row counts and digests, in ${((Date.now() - started) / 1000).toFixed(1)}s`,
      );
    } else {
      lines.push(blobLine(await blobs!()));
      // Their bytes stay in storage/uploads, where the S3 driver cannot continue them.
      const dropped = await (source.db as AnyDb).deleteFrom('upload_sessions').executeTakeFirst();
      if (Number(dropped.numDeletedRows) > 0) lines.push(`forgot ${dropped.numDeletedRows} uploads in flight (their clients start them again)`);
    }
    const next = [`--data-dir ${dataDir}`];
    if (target) next.push('database.url (HAVEN_DATABASE_URL) set to that URL');
    if (bucket) next.push('storage.driver s3 (HAVEN_STORAGE_DRIVER=s3) and the same storage.s3.* settings');
    lines.push(`next: start haven serve with ${next.join(', ')}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    for (const close of closers) await close();
  }
}

/** The storage.s3.* settings --storage-to s3 needs, named as the user would set them. */
function checkS3Settings(config: HavenConfig): void {
  if (config.storage.driver === 's3') throw new BackupRefusal('this installation already keeps its blobs in S3 (storage.driver s3); haven migrate moves blobs from the data directory');
  for (const k of ['bucket', 'accessKey', 'secretKey'] as const) {
    if (config.storage.s3[k] === '') {
      const key = `storage.s3.${k}`;
      throw new BackupRefusal(`${key}: is required with --storage-to s3 (config file, ${envName(key)} or --${flagName(key)})`);
    }
  }
}

/** The bucket, after serve's start-up checks: a problem is one line naming the setting. */
async function openBucket(config: HavenConfig) {
  const s = config.storage.s3;
  try {
    const driver = await openS3Storage(s);
    return { driver, name: `S3 bucket ${s.bucket} at ${s.endpoint || 'AWS'}` };
  } catch (err) {
    if (err instanceof StorageStartError) throw new BackupRefusal(err.message);
    throw err;
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
