import { copyFile, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatabaseHandle } from '../../db/database.js';
import { appliedMigrations, countRows, dataTables, inSnapshot, readSequences, tableRows, type AnyDb } from '../../db/snapshot.js';
import type { Progress } from '../../platform/progress.js';
import { placeBlobs, type PlaceMode } from './blob-files.js';
import {
  blobManifestFile,
  dataDirFiles,
  encodeRow,
  filesDir,
  formatName,
  formatVersion,
  headerFile,
  metadataDir,
  parseBlobEntry,
  type BackupHeader,
} from './format.js';
import { LineWriter, readLines } from './jsonl.js';

/** A refusal the user can act on (bad target, missing source): one line, no stack. */
export class BackupRefusal extends Error {}

/**
 * Tables whose rows describe work in flight rather than data: an upload session's bytes are not
 * in the backup, so its row would be a dangling promise (clients restart such uploads), and a
 * job lease names an instance of the old installation.
 */
export const transientTables = new Set(['upload_sessions', 'leases']);

export interface BackupOptions {
  database: DatabaseHandle;
  /** Root of the filesystem blob storage, whose blobs are copied; null for storage kept elsewhere. */
  storageRoot: string | null;
  storageName: string;
  /** The data dir whose key files are carried (null: none, e.g. keys configured elsewhere). */
  dataDir: string | null;
  target: string;
  mode: PlaceMode;
  progress: Progress;
  havenVersion: string;
}

/** Refuses a target that holds anything: a backup never mixes with other files. */
export async function emptyOrAbsent(dir: string, what: string): Promise<'absent' | 'empty'> {
  try {
    const entries = await readdir(dir);
    if (entries.length > 0) throw new BackupRefusal(`${what} ${dir} is not empty; give a new or empty directory`);
    return 'empty';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'absent';
    if (code === 'ENOTDIR') throw new BackupRefusal(`${what} ${dir} is a file, not a directory`);
    throw err;
  }
}

/**
 * Writes a consistent backup of a live installation into `target`. The metadata is read in one
 * snapshot transaction (writers carry on meanwhile); the blobs the snapshot knows are linked or
 * copied afterwards, which is safe because a committed blob file is never changed, and nothing
 * removes blob files yet (a garbage collector must spare blobs a running backup still copies). A
 * blob committed after the snapshot is simply not needed. backup.json is written last, so an
 * interrupted backup is never mistaken for a complete one.
 */
export async function createBackup(opts: BackupOptions): Promise<BackupHeader> {
  const { target, progress } = opts;
  const existed = (await emptyOrAbsent(target, 'backup directory')) === 'empty';
  // Password hashes, robot secrets' hashes and the signing key: for the owner's eyes only.
  await mkdir(target, { recursive: true, mode: 0o700 });
  await mkdir(join(target, metadataDir), { mode: 0o700 });
  try {
    const snapshot = await inSnapshot(opts.database, (tx) => dumpMetadata(tx, opts));
    const blobs = { ...snapshot.blobs, copied: opts.storageRoot !== null };
    if (opts.storageRoot !== null) {
      progress.phase('blobs', blobs.bytes, { bytes: true });
      const entries = (async function* () {
        for await (const line of readLines(join(target, blobManifestFile))) yield parseBlobEntry(line);
      })();
      // blobPath() starts with blobs/: the backup's blobs/ is laid out exactly like storage/blobs/.
      await placeBlobs(opts.storageRoot, target, entries, opts.mode, progress);
      progress.done();
    }
    const files = opts.dataDir === null ? [] : await copyDataDirFiles(opts.dataDir, join(target, filesDir));
    const header: BackupHeader = {
      format: formatName,
      version: formatVersion,
      havenVersion: opts.havenVersion,
      createdAt: new Date(snapshot.at).toISOString(),
      source: { dialect: opts.database.dialect, storage: opts.storageName },
      migrations: snapshot.migrations,
      tables: snapshot.tables,
      sequences: snapshot.sequences,
      blobs,
      files,
    };
    await writeDurably(join(target, headerFile), `${JSON.stringify(header, null, 2)}\n`);
    return header;
  } catch (err) {
    // Nothing half-made stays behind to be taken for a backup.
    if (existed) for (const e of await readdir(target)) await rm(join(target, e), { recursive: true, force: true });
    else await rm(target, { recursive: true, force: true });
    throw err;
  }
}

async function dumpMetadata(tx: AnyDb, opts: BackupOptions) {
  const { dialect } = opts.database;
  const at = Date.now();
  const migrations = await appliedMigrations(tx);
  if (migrations.length === 0) throw new BackupRefusal('the database has no schema yet; start haven serve on it once');
  const names = (await dataTables(tx, dialect)).filter((t) => !transientTables.has(t));
  const counts = new Map<string, number>();
  for (const t of names) counts.set(t, await countRows(tx, t));
  const sequences = await readSequences(tx, dialect);
  opts.progress.phase('metadata rows', [...counts.values()].reduce((a, b) => a + b, 0));
  const tables: BackupHeader['tables'] = [];
  for (const name of names) {
    const w = await LineWriter.create(join(opts.target, metadataDir, `${name}.jsonl`));
    try {
      for await (const rows of tableRows(tx, dialect, name)) {
        for (const row of rows) await w.write(encodeRow(row));
        opts.progress.advance(rows.length);
      }
    } catch (err) {
      await w.abandon();
      throw err;
    }
    const rows = w.lines;
    tables.push({ name, rows, sha256: await w.close() });
  }
  opts.progress.done();

  const w = await LineWriter.create(join(opts.target, blobManifestFile));
  let bytes = 0;
  try {
    for await (const rows of tableRows(tx, dialect, 'blobs')) {
      for (const r of rows) {
        const size = Number(r.size);
        bytes += size;
        await w.write(JSON.stringify({ digest: r.digest, size }));
      }
    }
  } catch (err) {
    await w.abandon();
    throw err;
  }
  const count = w.lines;
  return { at, migrations, tables, sequences, blobs: { count, bytes, sha256: await w.close() } };
}

async function copyDataDirFiles(dataDir: string, dest: string): Promise<string[]> {
  const copied: string[] = [];
  for (const name of dataDirFiles) {
    try {
      await mkdir(dest, { recursive: true, mode: 0o700 });
      await copyFile(join(dataDir, name), join(dest, name));
      copied.push(name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return copied;
}

/** Writes a small file under a temporary name, fsyncs it and renames it into place. */
export async function writeDurably(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp`;
  const h = await open(tmp, 'w', 0o600);
  try {
    await h.writeFile(text);
    await h.sync();
  } finally {
    await h.close();
  }
  await rename(tmp, file);
}
