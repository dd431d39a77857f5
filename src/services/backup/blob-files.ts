import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { blobPath } from '../../content/blob-content.js';
import type { Progress } from '../../platform/progress.js';
import type { BlobEntry } from './format.js';

/** A blob whose bytes are missing or do not match its digest: names the blob and the file. */
export class BlobCheckError extends Error {
  constructor(
    readonly digest: string,
    readonly file: string,
    why: string,
  ) {
    super(`blob ${digest} (${file}) ${why}`);
    this.name = 'BlobCheckError';
  }
}

export type PlaceMode = 'link-or-copy' | 'copy';

/** Where a blob lives under a root laid out like storage/ (and a backup's blobs/). */
export const blobFile = (root: string, digest: string) => `${root}/${blobPath(digest)}`;

const chunk = 1 << 20;

/** Hashes a whole file; the size must be `size` exactly. */
async function verifyFile(file: string, entry: BlobEntry, algorithm: string, hex: string): Promise<void> {
  const h = createHash(algorithm);
  let seen = 0;
  try {
    for await (const c of createReadStream(file, { highWaterMark: chunk })) {
      seen += (c as Buffer).length;
      h.update(c as Buffer);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobCheckError(entry.digest, file, 'is missing');
    throw err;
  }
  if (seen !== entry.size) throw new BlobCheckError(entry.digest, file, `has ${seen} bytes, not ${entry.size}`);
  if (h.digest('hex') !== hex) throw new BlobCheckError(entry.digest, file, 'does not match its digest (damaged)');
}

/** Copies while hashing (one read of the source), fsyncs, and only then gives the copy its name. */
async function copyVerified(src: string, dst: string, entry: BlobEntry, algorithm: string, hex: string): Promise<void> {
  const tmp = `${dst}.partial`;
  const out = await open(tmp, 'w', 0o644);
  const h = createHash(algorithm);
  let seen = 0;
  try {
    try {
      for await (const c of createReadStream(src, { highWaterMark: chunk })) {
        const b = c as Buffer;
        seen += b.length;
        h.update(b);
        await out.write(b);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobCheckError(entry.digest, src, 'is missing');
      throw err;
    }
    if (seen !== entry.size) throw new BlobCheckError(entry.digest, src, `has ${seen} bytes, not ${entry.size}`);
    if (h.digest('hex') !== hex) throw new BlobCheckError(entry.digest, src, 'does not match its digest (damaged)');
    await out.sync();
  } catch (err) {
    await out.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await out.close();
  await rename(tmp, dst);
}

/** Errors of link(2) that mean "this filesystem pair cannot share an inode": copy instead. */
const cannotLink = new Set(['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP', 'EACCES']);

/**
 * Puts the blob `entry` from under `srcRoot` at the same place under `dstRoot`, verified. A hard
 * link where allowed (blobs are immutable: a committed blob file is never rewritten in place, so
 * sharing its inode is safe), else a copy. Returns whether it was linked.
 */
export async function placeBlob(srcRoot: string, dstRoot: string, entry: BlobEntry, mode: PlaceMode): Promise<boolean> {
  const [algorithm, hex] = entry.digest.split(':') as [string, string];
  const src = blobFile(srcRoot, entry.digest);
  const dst = blobFile(dstRoot, entry.digest);
  await mkdir(dirname(dst), { recursive: true });
  if (mode === 'link-or-copy') {
    let linked = false;
    try {
      await link(src, dst);
      linked = true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (code === 'ENOENT') throw new BlobCheckError(entry.digest, src, 'is missing');
      if (!cannotLink.has(code)) throw err;
    }
    if (linked) {
      try {
        await verifyFile(dst, entry, algorithm, hex);
      } catch (err) {
        await rm(dst, { force: true });
        if (err instanceof BlobCheckError) throw new BlobCheckError(entry.digest, src, err.message.slice(err.message.indexOf(') ') + 2));
        throw err;
      }
      return true;
    }
  }
  await copyVerified(src, dst, entry, algorithm, hex);
  return false;
}

/** Places every blob, a few at a time; the first failure stops the rest and is thrown. */
export async function placeBlobs(
  srcRoot: string,
  dstRoot: string,
  entries: AsyncIterable<BlobEntry> | Iterable<BlobEntry>,
  mode: PlaceMode,
  progress: Progress,
  parallel = 4,
): Promise<{ linked: number; copied: number }> {
  const counts = { linked: 0, copied: 0 };
  const running = new Set<Promise<void>>();
  let failure: unknown = null;
  for await (const entry of entries) {
    if (failure) break;
    const p: Promise<void> = placeBlob(srcRoot, dstRoot, entry, mode)
      .then(
        (linked) => {
          counts[linked ? 'linked' : 'copied']++;
          progress.advance(entry.size);
        },
        (err) => {
          failure ??= err;
        },
      )
      .finally(() => running.delete(p));
    running.add(p);
    if (running.size >= parallel) await Promise.race(running);
  }
  await Promise.all(running);
  if (failure) throw failure;
  return counts;
}

/** Hashes one blob of a tree laid out like storage/ against its entry, placing nothing. */
export async function checkBlob(root: string, entry: BlobEntry): Promise<void> {
  const [algorithm, hex] = entry.digest.split(':') as [string, string];
  await verifyFile(blobFile(root, entry.digest), entry, algorithm, hex);
}
