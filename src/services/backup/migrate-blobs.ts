import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { blobPath } from '../../content/blob-content.js';
import type { AnyDb } from '../../db/snapshot.js';
import type { Progress } from '../../platform/progress.js';
import { emptyUpload, NotFoundError, type BlobDriver } from '../../storage/blob-driver.js';
import { BackupRefusal } from './backup.js';
import type { BlobEntry } from './format.js';

export interface MigrateBlobsOptions {
  /** The installation's database (locked by the caller: nothing writes to it meanwhile). */
  source: AnyDb;
  /** Where the blobs are now (the filesystem driver of the data dir). */
  from: BlobDriver;
  /** Where they go (the S3 driver on storage.s3.*). */
  to: BlobDriver;
  /** How the target is named in messages, e.g. "S3 bucket haven at http://…". */
  toName: string;
  /** Blobs up to this size go in one PutObject (held in memory: one part); larger ones stream. */
  partSize: number;
  progress: Progress;
  /** Blobs copied at once (each with at most one part in flight). */
  parallel?: number;
}

export interface BlobsSummary {
  blobs: number;
  bytes: number;
  /** Blobs an earlier, interrupted run had already put there with the right size. */
  skipped: number;
}

/** Upload ids of this move in the target: content-addressed, so a re-run reuses (and first aborts) them. */
const uploadPrefix = 'migrate-';
const uploadId = (hex: string) => `${uploadPrefix}${hex}`;

/** Every blob the database records, in digest order, a page at a time (never all in memory). */
async function* recordedBlobs(db: AnyDb, page = 1000): AsyncIterable<BlobEntry> {
  let after = '';
  for (;;) {
    const rows = (await db.selectFrom('blobs').select(['digest', 'size']).where('digest', '>', after).orderBy('digest').limit(page).execute()) as Array<{ digest: string; size: number | string }>;
    for (const r of rows) yield { digest: r.digest, size: Number(r.size) };
    if (rows.length < page) return;
    after = rows[rows.length - 1]!.digest;
  }
}

/** Runs `fn` over `items` with at most `parallel` at once; the first failure stops the rest and is thrown. */
async function forEachLimited<T>(items: AsyncIterable<T>, parallel: number, fn: (item: T) => Promise<void>): Promise<void> {
  const running = new Set<Promise<void>>();
  let failure: { err: unknown } | null = null;
  for await (const item of items) {
    if (failure) break;
    const p: Promise<void> = fn(item)
      .catch((err) => {
        failure ??= { err };
      })
      .finally(() => running.delete(p));
    running.add(p);
    if (running.size >= parallel) await Promise.race(running);
  }
  await Promise.all(running);
  if (failure) throw (failure as { err: unknown }).err;
}

/** Hashes what passes by and checks it against the blob's size and digest at the end. */
function digestCheck(entry: BlobEntry) {
  const [algorithm, hex] = entry.digest.split(':') as [string, string];
  const h = createHash(algorithm);
  let seen = 0;
  return {
    hex,
    onBytes(chunk: Buffer) {
      seen += chunk.length;
      h.update(chunk);
    },
    /** Why the bytes seen are not the blob, or null when they are. */
    problem(): string | null {
      if (seen !== entry.size) return `has ${seen} bytes, not ${entry.size}`;
      const actual = h.digest('hex');
      return actual === hex ? null : `does not match its digest (its bytes hash to ${algorithm}:${actual})`;
    },
  };
}

async function openSource(from: BlobDriver, entry: BlobEntry): Promise<Readable> {
  try {
    return await from.read(blobPath(entry.digest));
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new BackupRefusal(`blob ${entry.digest} is recorded in the database but missing from the data directory's storage/ (${blobPath(entry.digest)}); nothing can copy it`);
    }
    throw err;
  }
}

/**
 * Copies one blob unless the target already holds it with its size (content-addressed: a re-run
 * after an interruption skips what is there; the verify phase checks its digest). The source's
 * bytes are hashed on the way, so damage in the data directory is caught before it is copied:
 * a small blob is put only once it hashed right; a large one streams into an upload built at its
 * final key, which becomes visible only when committed after the hash matched.
 */
async function copyBlob(opts: MigrateBlobsOptions, entry: BlobEntry, tick: (bytes: number) => void): Promise<boolean> {
  const path = blobPath(entry.digest);
  if ((await opts.to.stat(path))?.size === entry.size) {
    tick(entry.size);
    return false;
  }
  const check = digestCheck(entry);
  const source = await openSource(opts.from, entry);
  const damaged = (why: string) => new BackupRefusal(`blob ${entry.digest} in the data directory (${path}) ${why}; it was not copied`);
  if (entry.size <= opts.partSize) {
    const chunks: Buffer[] = [];
    let held = 0;
    for await (const c of source) {
      check.onBytes(c as Buffer);
      tick((c as Buffer).length);
      chunks.push(c as Buffer);
      held += (c as Buffer).length;
      // A file longer than its record: no need to hold more to know it is wrong.
      if (held > entry.size) break;
    }
    source.destroy();
    const why = check.problem();
    if (why) throw damaged(why);
    await opts.to.put(path, Buffer.concat(chunks));
    return true;
  }
  const id = uploadId(check.hex);
  const written = await opts.to.uploads.append(id, emptyUpload, source, {
    destination: path,
    final: true,
    onBytes: (c) => {
      check.onBytes(c);
      tick(c.length);
    },
  });
  const why = check.problem();
  if (why) {
    await opts.to.uploads.abort(id, written);
    throw damaged(why);
  }
  await opts.to.uploads.commit(id, written, path);
  return true;
}

/** Streams one blob back from the target and hashes it; a damaged copy is removed so a re-run copies it again. */
async function verifyBlob(opts: MigrateBlobsOptions, entry: BlobEntry, tick: (bytes: number) => void): Promise<void> {
  const path = blobPath(entry.digest);
  const stat = await opts.to.stat(path);
  if (!stat) throw new BackupRefusal(`verify: blob ${entry.digest} is missing from the ${opts.toName} (${path}); run haven migrate again`);
  const check = digestCheck(entry);
  if (stat.size === entry.size) {
    for await (const c of await opts.to.read(path)) {
      check.onBytes(c as Buffer);
      tick((c as Buffer).length);
    }
  }
  const why = stat.size === entry.size ? check.problem() : `has ${stat.size} bytes, not ${entry.size}`;
  if (why === null) return;
  await opts.to.delete(path);
  throw new BackupRefusal(
    `verify: blob ${entry.digest} in the ${opts.toName} (${path}) ${why}; the damaged object was removed: run haven migrate again to copy it again`,
  );
}

/**
 * Copies every blob the database records from one driver to another, resumably, then streams
 * each back from the target and checks its sha256. The only thing left of an interrupted run is
 * an upload of this move in the target, which the next run aborts first.
 */
export async function migrateBlobs(opts: MigrateBlobsOptions): Promise<BlobsSummary> {
  const { progress } = opts;
  const parallel = opts.parallel ?? 4;
  for await (const u of opts.to.uploads.list()) if (u.id.startsWith(uploadPrefix)) await opts.to.uploads.abort(u.id);

  let blobs = 0;
  let bytes = 0;
  for await (const e of recordedBlobs(opts.source)) {
    blobs++;
    bytes += e.size;
  }
  const count = { total: blobs, noun: 'blobs' };
  // Bytes as they stream, so one large blob moves the bar too; a blob counts once it is done.
  const tick = (n: number) => progress.advance(n);
  let skipped = 0;
  progress.phase('blobs', bytes, { bytes: true, count });
  await forEachLimited(recordedBlobs(opts.source), parallel, async (e) => {
    if (!(await copyBlob(opts, e, tick))) skipped++;
    progress.advance(0, 1);
  });
  progress.done();

  progress.phase('verified blobs', bytes, { bytes: true, count });
  await forEachLimited(recordedBlobs(opts.source), parallel, async (e) => {
    await verifyBlob(opts, e, tick);
    progress.advance(0, 1);
  });
  progress.done();
  return { blobs, bytes, skipped };
}
