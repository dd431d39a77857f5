import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { version } from '../app.js';
import { flagName, loadConfig } from '../config/load.js';
import { configKeys, type HavenConfig } from '../config/schema.js';
import { openDatabase, openSqlite } from '../db/database.js';
import { StartupProblem } from '../platform/startup-problem.js';
import { formatSize } from '../platform/size.js';
import { BackupRefusal, createBackup } from '../services/backup/backup.js';
import { BlobCheckError } from '../services/backup/blob-files.js';
import { checkBackup, restoreBackup } from '../services/backup/restore.js';
import { stderrProgress } from './progress.js';

export const backupUsage = `Usage: haven backup <dir> [options]

Writes a consistent backup of the installation into <dir> (new or empty), also while haven serve
runs and pushes continue: the metadata from one snapshot of the database (the data dir's SQLite
file, or the PostgreSQL database of database.url), the list of the blobs
that snapshot knows, those blobs (hard links when <dir> is on the storage's filesystem, else
verified copies), and the data dir's keys. Pushes acknowledged before the snapshot are in it.
Keep backups on another disk than the data: a hard link shares the disk it is on (--copy).

Options:
  --data-dir <dir>   the server's data directory (as for serve; default ./data)
  --config <file>    read dataDir (and the rest) from this haven.yml, as serve does
  --copy             copy every blob, never hard-link
  --help, -h         show this help
  and every option of haven serve (haven serve --help), so a serve command line can be reused
`;

export const restoreUsage = `Usage: haven restore <backup-dir> [options]
       haven restore --check <backup-dir>

Restores a backup made by haven backup into a new (or empty) data directory, verifying every
blob's digest and every metadata file's checksum first-hand. Nothing is left behind when it
fails. Start haven serve on the restored directory afterwards. With --database-url (or
database.url in haven.yml) the metadata goes into that PostgreSQL database, which must be empty;
the data directory still receives the blobs. A backup of either database restores into either.

Options:
  --data-dir <dir>   the data directory to create (as for serve; default ./data)
  --config <file>    read dataDir (and the rest) from this haven.yml, as serve does
  --copy             copy every blob, never hard-link it from the backup
  --check            only verify the backup (checksums, rows, every blob's digest); write nothing
  --help, -h         show this help
  and every option of haven serve (haven serve --help)
`;

class UsageError extends Error {}

interface Parsed {
  dir: string;
  config: HavenConfig;
  copy: boolean;
  check: boolean;
}

function parse(argv: string[], usage: string): Parsed | null {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    config: { type: 'string' },
    copy: { type: 'boolean' },
    check: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  };
  for (const k of configKeys) options[flagName(k)] ??= { type: 'string' };
  const { values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  const v = values as Record<string, string | boolean | undefined>;
  if (v.help) {
    process.stdout.write(usage);
    return null;
  }
  if (positionals.length !== 1) throw new UsageError('give exactly one directory');
  const flags: Record<string, string | undefined> = {};
  for (const k of configKeys) {
    const value = v[flagName(k)];
    if (typeof value === 'string') flags[flagName(k)] = value;
  }
  const config = loadConfig({ ...(typeof v.config === 'string' ? { file: v.config } : {}), flags });
  return { dir: resolve(positionals[0]!), config, copy: v.copy === true, check: v.check === true };
}

/** Runs one of the commands with the same error discipline as `haven user`. */
async function guarded(name: string, usage: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`haven ${name}: ${err.message}\n\n${usage}`);
      process.exitCode = 2;
    } else if (err instanceof BackupRefusal || err instanceof BlobCheckError || err instanceof StartupProblem) {
      process.stderr.write(`\nhaven ${name}: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      throw err;
    }
  }
}

export function backupCommand(argv: string[]): Promise<void> {
  return guarded('backup', backupUsage, async () => {
    const p = parse(argv, backupUsage);
    if (!p) return;
    if (p.check) throw new UsageError('--check is for haven restore (haven restore --check <backup-dir>)');
    const dataDir = resolve(p.config.dataDir);
    const dbFile = join(dataDir, 'haven.db');
    // Never back up (and so create) an empty database in a mistyped directory.
    if (p.config.database.url === '' && !existsSync(dbFile)) throw new BackupRefusal(`no Haven database at ${dbFile}; pass the server's --data-dir (or --config)`);
    const database = await openDatabase({ ...p.config.database, poolSize: 2 }, dataDir);
    try {
      const started = Date.now();
      const header = await createBackup({
        database,
        // On S3 the blobs stay where they are (the object store keeps its own copies): the
        // backup lists them, and a restore onto the same bucket finds them.
        storageRoot: p.config.storage.driver === 's3' ? null : join(dataDir, 'storage'),
        storageName: p.config.storage.driver,
        dataDir,
        target: p.dir,
        mode: p.copy ? 'copy' : 'link-or-copy',
        progress: stderrProgress(),
        havenVersion: version,
      });
      const rows = header.tables.reduce((a, t) => a + t.rows, 0);
      process.stdout.write(
        `backup written to ${p.dir}: ${rows} rows in ${header.tables.length} tables, ${header.blobs.count} blobs (${formatSize(header.blobs.bytes)}), ` +
          `snapshot of ${header.createdAt}, in ${((Date.now() - started) / 1000).toFixed(1)}s\n`,
      );
    } finally {
      await database.close();
    }
  });
}

export function restoreCommand(argv: string[]): Promise<void> {
  return guarded('restore', restoreUsage, async () => {
    const p = parse(argv, restoreUsage);
    if (!p) return;
    const started = Date.now();
    if (p.check) {
      const { header, rows } = await checkBackup(p.dir, stderrProgress());
      process.stdout.write(
        `backup ${p.dir} (snapshot of ${header.createdAt}) is intact: ${rows} rows in ${header.tables.length} tables, ` +
          `${header.blobs.copied ? `${header.blobs.count} blobs verified` : 'blobs kept in the storage, not in the backup'}, in ${((Date.now() - started) / 1000).toFixed(1)}s\n`,
      );
      return;
    }
    const dataDir = resolve(p.config.dataDir);
    const summary = await restoreBackup({
      source: p.dir,
      dataDir,
      mode: p.copy ? 'copy' : 'link-or-copy',
      progress: stderrProgress(),
      // The restored data dir's own SQLite file, or the (empty) PostgreSQL database configured.
      openDatabase: async (dir) => (p.config.database.url === '' ? openSqlite(join(dir, 'haven.db')) : openDatabase({ ...p.config.database, poolSize: 2 }, dir)),
    });
    const { header, rows, blobs } = summary;
    process.stdout.write(
      `restored ${p.dir} (snapshot of ${header.createdAt}) into ${dataDir}: ${rows} rows, ` +
        `${blobs.linked + blobs.copied} blobs verified (${blobs.linked} linked, ${blobs.copied} copied), ` +
        `in ${((Date.now() - started) / 1000).toFixed(1)}s\n`,
    );
  });
}
