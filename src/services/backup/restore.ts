import { chmod, copyFile, mkdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { migrateToLatest, type DatabaseHandle } from '../../db/database.js';
import { countRows, dropEverything, insertRows, isEmptyDatabase, knownMigrations, loadOrder, migrateTo, restoreSequences, type AnyDb, type Row } from '../../db/snapshot.js';
import type { Progress } from '../../platform/progress.js';
import { BackupRefusal, emptyOrAbsent, transientTables } from './backup.js';
import { checkBlob, placeBlobs, type PlaceMode } from './blob-files.js';
import { blobManifestFile, decodeRow, filesDir, headerFile, headerSchema, metadataDir, parseBlobEntry, type BackupHeader } from './format.js';
import { fileSha256, readLines } from './jsonl.js';

/** Reads and checks a backup's header; every problem is a refusal naming the directory. */
export async function readBackup(dir: string): Promise<BackupHeader> {
  const s = await stat(dir).catch(() => null);
  if (!s) throw new BackupRefusal(`backup directory ${dir} does not exist`);
  if (!s.isDirectory()) throw new BackupRefusal(`backup directory ${dir} is a file, not a directory`);
  let text: string;
  try {
    text = await readFile(join(dir, headerFile), 'utf8');
  } catch {
    throw new BackupRefusal(`${dir} is not a complete Haven backup (no ${headerFile}; an interrupted backup has none)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BackupRefusal(`${join(dir, headerFile)} is not valid JSON (damaged)`);
  }
  const parsed = headerSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BackupRefusal(`${join(dir, headerFile)} is not a Haven backup header this version reads: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Every metadata file and the blob manifest must hash to what the header recorded. */
export async function checkMetadataFiles(dir: string, header: BackupHeader): Promise<void> {
  const files = [
    ...header.tables.map((t) => ({ file: join(dir, metadataDir, `${t.name}.jsonl`), sha256: t.sha256 })),
    { file: join(dir, blobManifestFile), sha256: header.blobs.sha256 },
  ];
  for (const { file, sha256 } of files) {
    const actual = await fileSha256(file).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new BackupRefusal(`${file} is missing from the backup`);
      throw err;
    });
    if (actual !== sha256) throw new BackupRefusal(`${file} does not match the checksum in ${headerFile} (damaged)`);
  }
}

/** The backup's schema must be one this build can build and then migrate onwards. */
export async function checkMigrations(header: BackupHeader, dialect: DatabaseHandle['dialect']): Promise<void> {
  const known = await knownMigrations(dialect);
  header.migrations.forEach((m, i) => {
    if (known[i] !== m) throw new BackupRefusal(`the backup's schema (migration ${m}) is not one this Haven knows; restore it with Haven ${header.havenVersion} or newer`);
  });
}

/**
 * Loads the backup's rows into an empty database: first exactly the backup's schema, then the
 * rows in foreign-key order in one transaction, then the id sequences, then a count check, and
 * only then the migrations that came after the backup. Resolves with the rows loaded.
 */
export async function loadDatabase(dir: string, header: BackupHeader, database: DatabaseHandle, progress: Progress): Promise<number> {
  await migrateTo(database, header.migrations[header.migrations.length - 1]!);
  const db = database.db as AnyDb;
  const order = await loadOrder(db, database.dialect);
  const inBackup = new Map(header.tables.map((t) => [t.name, t]));
  for (const name of inBackup.keys()) if (!order.includes(name)) throw new BackupRefusal(`the backup holds table ${name}, which its schema does not have (damaged header)`);
  const total = header.tables.reduce((a, t) => a + t.rows, 0);
  progress.phase('metadata rows', total);
  await db.transaction().execute(async (tx) => {
    for (const name of order) {
      const entry = inBackup.get(name);
      if (!entry) {
        if (!transientTables.has(name)) throw new BackupRefusal(`the backup lacks table ${name} (damaged header)`);
        continue;
      }
      let batch: Row[] = [];
      for await (const line of readLines(join(dir, metadataDir, `${name}.jsonl`))) {
        batch.push(decodeRow(line));
        if (batch.length >= 1000) {
          await insertRows(tx, name, batch);
          progress.advance(batch.length);
          batch = [];
        }
      }
      await insertRows(tx, name, batch);
      progress.advance(batch.length);
      const n = await countRows(tx, name);
      if (n !== entry.rows) throw new BackupRefusal(`table ${name}: loaded ${n} rows, the backup recorded ${entry.rows}`);
    }
    await restoreSequences(tx, database.dialect, header.sequences);
  });
  progress.done();
  await migrateToLatest(database);
  return total;
}

export interface RestoreOptions {
  source: string;
  dataDir: string;
  mode: PlaceMode;
  progress: Progress;
  /** Opens the database a restored data dir uses (SQLite: `<dir>/haven.db`; or PostgreSQL). */
  openDatabase(dataDir: string): DatabaseHandle | Promise<DatabaseHandle>;
}

export interface RestoreSummary {
  header: BackupHeader;
  rows: number;
  blobs: { linked: number; copied: number };
}

/**
 * Restores a backup into a new data dir. Everything is built in a sibling staging directory and
 * renamed into place at the very end: a damaged blob or row leaves the target as it was.
 */
export async function restoreBackup(opts: RestoreOptions): Promise<RestoreSummary> {
  const source = resolve(opts.source);
  const target = resolve(opts.dataDir);
  const header = await readBackup(source);
  await emptyOrAbsent(target, 'data directory');
  await checkMetadataFiles(source, header);
  const staging = join(dirname(target), `.${basename(target)}.restoring-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  // A database outside the data dir (PostgreSQL) outlives the staging dir: undone explicitly.
  let loadedOutside = false;
  try {
    let blobs = { linked: 0, copied: 0 };
    let rows: number;
    const database = await opts.openDatabase(staging);
    let touched = false;
    try {
      await checkMigrations(header, database.dialect);
      // A database outside the data dir (PostgreSQL) must be as new as the data dir is.
      if (!(await isEmptyDatabase(database.db as AnyDb, database.dialect))) {
        throw new BackupRefusal('the target database is not empty; give an empty database (restore never writes over data)');
      }
      if (header.blobs.copied) {
        opts.progress.phase('blobs', header.blobs.bytes, { bytes: true });
        const entries = (async function* () {
          for await (const line of readLines(join(source, blobManifestFile))) yield parseBlobEntry(line);
        })();
        blobs = await placeBlobs(source, join(staging, 'storage'), entries, opts.mode, opts.progress);
        opts.progress.done();
      }
      touched = true;
      rows = await loadDatabase(source, header, database, opts.progress);
      loadedOutside = database.dialect !== 'sqlite';
    } catch (err) {
      // The load is one transaction, but the schema before it is not: leave the database empty.
      if (touched) await dropEverything(database.db as AnyDb, database.dialect).catch(() => {});
      throw err;
    } finally {
      await database.close();
    }
    for (const name of header.files) {
      await copyFile(join(source, filesDir, name), join(staging, name)).catch((err: NodeJS.ErrnoException) => {
        throw err.code === 'ENOENT' ? new BackupRefusal(`the backup lacks ${filesDir}/${name}, which ${headerFile} lists (damaged)`) : err;
      });
      await chmod(join(staging, name), 0o600);
    }
    // rename(2) replaces an empty directory but not a missing parent.
    await mkdir(dirname(target), { recursive: true });
    await rmdir(target).catch(() => {});
    await rename(staging, target);
    return { header, rows, blobs };
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    if (loadedOutside) {
      const database = await opts.openDatabase(staging);
      await dropEverything(database.db as AnyDb, database.dialect).finally(() => database.close());
    }
    throw err;
  }
}

/**
 * Checks a backup without restoring it: the header, every metadata file's checksum, every row
 * readable and counted, and every blob's digest. Throws what restore would refuse.
 */
export async function checkBackup(dir: string, progress: Progress): Promise<{ header: BackupHeader; rows: number }> {
  const source = resolve(dir);
  const header = await readBackup(source);
  await checkMetadataFiles(source, header);
  const total = header.tables.reduce((a, t) => a + t.rows, 0);
  progress.phase('metadata rows', total);
  for (const t of header.tables) {
    let n = 0;
    for await (const line of readLines(join(source, metadataDir, `${t.name}.jsonl`))) {
      decodeRow(line);
      n++;
    }
    if (n !== t.rows) throw new BackupRefusal(`table ${t.name}: ${n} rows in its file, ${headerFile} records ${t.rows}`);
    progress.advance(n);
  }
  progress.done();
  if (header.blobs.copied) {
    progress.phase('blobs', header.blobs.bytes, { bytes: true });
    let count = 0;
    for await (const line of readLines(join(source, blobManifestFile))) {
      const entry = parseBlobEntry(line);
      await checkBlob(source, entry);
      count++;
      progress.advance(entry.size);
    }
    progress.done();
    if (count !== header.blobs.count) throw new BackupRefusal(`${blobManifestFile} lists ${count} blobs, ${headerFile} records ${header.blobs.count}`);
  }
  return { header, rows: total };
}

