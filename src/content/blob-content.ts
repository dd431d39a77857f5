import { createHash, type Hash } from 'node:crypto';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createMemoryCache } from '../platform/cache.js';
import { AppError } from '../platform/errors.js';
import { DigestingStream, parseDigest } from '../platform/digest.js';
import type { ByteRange } from '../platform/byte-range.js';
import { NotFoundError, type BlobDriver } from '../storage/blob-driver.js';

/** Cap on remembered hash states; past it the oldest upload simply re-reads its file at commit. */
const maxHashStates = 10_000;

export function blobPath(digest: string): string {
  const { algorithm, hex } = parseDigest(digest);
  return `blobs/${algorithm}/${hex.slice(0, 2)}/${hex}`;
}

export function uploadPath(id: string): string {
  return `uploads/${id}`;
}

/**
 * Blob bytes over a driver: content-addressed storage, upload files, and the verification that
 * turns an upload into a blob. Digests are computed while bytes stream in; the sha256 state of an
 * in-progress upload is kept between chunks in this process, and re-derived from the upload file
 * when it is missing (after a restart, or on another instance).
 */
export function createBlobContent(driver: BlobDriver) {
  const hashes = createMemoryCache<string, { offset: number; hash: Hash }>({ max: maxHashStates });

  function remember(id: string, offset: number, hash: Hash): void {
    hashes.set(id, { offset, hash });
  }

  /** Hashes exactly bytes [0, size) of a stored object; a file of another length never verifies. */
  async function hashStored(path: string, algorithm: string, size: number): Promise<string | null> {
    if ((await driver.stat(path))?.size !== size) return null;
    const h = createHash(algorithm);
    const stream = await driver.read(path, { start: 0, end: size - 1 });
    let seen = 0;
    for await (const chunk of stream) {
      seen += (chunk as Buffer).length;
      h.update(chunk as Buffer);
    }
    return seen === size ? h.digest('hex') : null;
  }

  return {
    driver,

    /** Size of the blob's bytes in storage, or null (the database may know a blob the store lost). */
    async storedSize(digest: string): Promise<number | null> {
      return (await driver.stat(blobPath(digest)))?.size ?? null;
    },

    /**
     * Sends exactly bytes `range` of a blob into `dest` without ending it: the caller names the
     * range from the recorded size, so a damaged file can never make a response longer or shorter
     * than its Content-Length (a short file rejects mid-way; the caller cuts the connection).
     * Missing bytes reject before anything is written, so the caller can still answer an error.
     */
    async send(digest: string, dest: Writable, range: ByteRange): Promise<void> {
      try {
        if (driver.copyTo) return await driver.copyTo(blobPath(digest), dest, range);
        const stream = await driver.read(blobPath(digest), range);
        await pipeline(stream, dest, { end: false });
      } catch (err) {
        if (err instanceof NotFoundError) throw new AppError('BLOB_UNKNOWN', `blob ${digest} is missing from storage`);
        throw err;
      }
    },

    /**
     * The whole of a small blob (a config), or null when it is missing or larger than `max`
     * bytes: never used for layers, so nothing large is ever buffered.
     */
    async readSmall(digest: string, size: number, max: number): Promise<Buffer | null> {
      if (size > max) return null;
      if (size === 0) return Buffer.alloc(0);
      try {
        const stream = await driver.read(blobPath(digest), { start: 0, end: size - 1 });
        const chunks: Buffer[] = [];
        let seen = 0;
        for await (const chunk of stream) {
          seen += (chunk as Buffer).length;
          if (seen > size) return null;
          chunks.push(chunk as Buffer);
        }
        return seen === size ? Buffer.concat(chunks) : null;
      } catch (err) {
        if (err instanceof NotFoundError) return null;
        throw err;
      }
    },

    /** Writes `source` into the upload at `offset`; resolves with the new durable offset. */
    async write(id: string, source: Readable, offset: number, signal?: AbortSignal): Promise<number> {
      const state = hashes.get(id);
      hashes.delete(id);
      const hash = state?.offset === offset ? state.hash : offset === 0 ? createHash('sha256') : undefined;
      if (!hash) {
        const written = await driver.write(uploadPath(id), source, { offset, ...(signal ? { signal } : {}) });
        return offset + written;
      }
      const tap = new DigestingStream('sha256', hash, offset);
      const [, written] = await Promise.all([
        pipeline(source, tap),
        driver.write(uploadPath(id), tap, { offset, ...(signal ? { signal } : {}) }),
      ]);
      remember(id, offset + written, hash);
      return offset + written;
    },

    /**
     * Verifies that the upload's `size` bytes hash to `digest` and makes them the blob. On a
     * mismatch nothing becomes visible and DIGEST_INVALID is thrown.
     */
    async commit(id: string, digest: string, size: number): Promise<void> {
      const { algorithm, hex } = parseDigest(digest);
      const state = hashes.get(id);
      hashes.delete(id);
      // The remembered hash covers exactly the bytes this process wrote, and the caller holds the
      // upload's lock from that write through the move, so they are the bytes that get committed.
      const actual =
        algorithm === 'sha256' && state?.offset === size
          ? state.hash.digest('hex')
          : size === 0
            ? createHash(algorithm).digest('hex')
            : await hashStored(uploadPath(id), algorithm, size);
      if (actual !== hex) {
        throw new AppError('DIGEST_INVALID', `uploaded content does not match digest ${digest}`, {
          detail: { expected: digest, actual: actual === null ? `size differs from ${size}` : `${algorithm}:${actual}` },
        });
      }
      if ((await driver.stat(blobPath(digest)))?.size === size) {
        // Already stored: a committed blob is never replaced, so nothing holding or serving it
        // can be affected by this push. (A damaged file, of another size, is replaced below.)
        await driver.delete(uploadPath(id));
        return;
      }
      if (size === 0) {
        // An empty upload may never have touched the driver; make the empty blob explicitly.
        await driver.write(uploadPath(id), Readable.from([]));
      }
      await driver.move(uploadPath(id), blobPath(digest));
    },

    async discard(id: string): Promise<void> {
      hashes.delete(id);
      await driver.delete(uploadPath(id));
    },

    /** Upload files with their last write time, for the purge of abandoned uploads. */
    async *uploadFiles(): AsyncIterable<{ id: string; modified: number }> {
      for await (const o of driver.list('uploads')) yield { id: o.path.slice('uploads/'.length), modified: o.modified };
    },
  };
}

export type BlobContent = ReturnType<typeof createBlobContent>;
