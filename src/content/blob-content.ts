import { createHash, randomBytes, type Hash } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createMemoryCache } from '../platform/cache.js';
import { AppError } from '../platform/errors.js';
import { parseDigest } from '../platform/digest.js';
import type { ByteRange } from '../platform/byte-range.js';
import { emptyUpload, NotFoundError, type BlobDriver, type UploadState } from '../storage/blob-driver.js';

/** Cap on remembered hash states; past it the oldest upload simply re-reads its bytes at commit. */
const maxHashStates = 10_000;

/**
 * How long a remote driver's confirmation that a blob is stored whole is believed. Blobs are
 * immutable, and whether a repository holds one is asked of the database on every request; the
 * storage check only catches lost or damaged objects, which a minute's delay does not make worse.
 */
const confirmedSizeTtlMs = 60_000;

export function blobPath(digest: string): string {
  const { algorithm, hex } = parseDigest(digest);
  return `blobs/${algorithm}/${hex.slice(0, 2)}/${hex}`;
}

/**
 * An upload's durable position as the upload_sessions row keeps it: the driver's state plus the
 * token of the write that produced it. The token is random per write, so a sha256 state in this
 * process's memory is trusted only when it came from the very write the row records.
 */
export interface UploadProgress extends UploadState {
  token: string;
}

export const newUpload: UploadProgress = Object.freeze({ ...emptyUpload, token: '' });

/**
 * Blob bytes over a driver: content-addressed storage, uploads, and the verification that turns
 * an upload into a blob. Digests are computed while bytes stream in; the sha256 state of an
 * in-progress upload is kept between chunks in this process. Whenever the row's last write is not
 * this process's (a restart, another instance, an evicted state), commit re-hashes the stored
 * bytes instead.
 */
export function createBlobContent(driver: BlobDriver) {
  const hashes = createMemoryCache<string, { token: string; size: number; hash: Hash }>({ max: maxHashStates });
  // Only for remote drivers: a HEAD on S3 would otherwise cost an object-store round trip each.
  const confirmed = driver.remote ? createMemoryCache<string, number>({ max: 100_000, ttlMs: confirmedSizeTtlMs }) : null;

  /** A check for the driver's commit: the stored bytes must be exactly `size` hashing to `hex`. */
  function verifier(algorithm: string, hex: string, size: number, digest: string) {
    return async (bytes: Readable) => {
      const h = createHash(algorithm);
      let seen = 0;
      for await (const chunk of bytes) {
        seen += (chunk as Buffer).length;
        h.update(chunk as Buffer);
      }
      const actual = h.digest('hex');
      if (seen !== size || actual !== hex) throw digestInvalid(digest, seen !== size ? `size ${seen} differs from ${size}` : `${algorithm}:${actual}`);
    };
  }

  return {
    driver,

    /** Size of the blob's bytes in storage, or null (the database may know a blob the store lost). */
    async storedSize(digest: string): Promise<number | null> {
      const known = confirmed?.get(digest);
      if (known !== undefined) return known;
      const size = (await driver.stat(blobPath(digest)))?.size ?? null;
      if (size !== null) confirmed?.set(digest, size);
      return size;
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
        if (err instanceof NotFoundError) {
          confirmed?.delete(digest);
          throw new AppError('BLOB_UNKNOWN', `blob ${digest} is missing from storage`);
        }
        throw err;
      }
    },

    /**
     * A presigned URL a client may fetch the blob from directly (S3 with storage.s3.redirect), or
     * null when the driver serves through Haven. Valid for 20 minutes, as distribution's.
     */
    async redirectUrl(digest: string): Promise<string | null> {
      return driver.redirectUrl ? driver.redirectUrl(blobPath(digest), 20 * 60) : null;
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

    /**
     * Appends `source` to the upload; resolves with its new durable progress. `digest`, for a
     * monolithic push, says that this is the only write and where it will be committed, so the
     * driver may build the blob in place (verified by the hash of this very write).
     */
    async write(id: string, source: Readable, from: UploadProgress, signal?: AbortSignal, digest?: string): Promise<UploadProgress> {
      const mem = hashes.get(id);
      hashes.delete(id);
      const hash = mem && mem.token === from.token && mem.size === from.size ? mem.hash : from.size === 0 ? createHash('sha256') : undefined;
      if (!hash) return { ...(await driver.uploads.append(id, from, source, { signal })), token: randomToken() };
      const inPlace = digest !== undefined && from.size === 0 && parseDigest(digest).algorithm === 'sha256' ? { destination: blobPath(digest), final: true } : {};
      const to = await driver.uploads.append(id, from, source, { signal, onBytes: (chunk) => hash.update(chunk), ...inPlace });
      // Nothing written: the row keeps its token, and the hash state still matches it.
      const token = to.size === from.size && to.state === from.state && from.token !== '' ? from.token : randomToken();
      hashes.set(id, { token, size: to.size, hash });
      return { ...to, token };
    },

    /** Lets the driver drop what only older states of the upload needed, once `now` is durable. */
    async settle(id: string, now: UploadState): Promise<void> {
      await driver.uploads.settle?.(id, now);
    },

    /**
     * Verifies that the upload's bytes hash to `digest` and makes them the blob. On a mismatch
     * nothing becomes visible and DIGEST_INVALID is thrown.
     */
    async commit(id: string, digest: string, upload: UploadProgress): Promise<void> {
      const { algorithm, hex } = parseDigest(digest);
      const mem = hashes.get(id);
      hashes.delete(id);
      const size = upload.size;
      // The remembered hash covers exactly the bytes of the write the row records, and the caller
      // holds the upload's lock from that write through the commit, so they are the committed bytes.
      const trusted = algorithm === 'sha256' && mem !== undefined && mem.token === upload.token && mem.size === size;
      const actual = trusted ? mem.hash.digest('hex') : size === 0 ? createHash(algorithm).digest('hex') : null;
      if (actual !== null && actual !== hex) throw digestInvalid(digest, `${algorithm}:${actual}`);
      const check = actual === null ? verifier(algorithm, hex, size, digest) : undefined;
      const target = blobPath(digest);
      if ((await driver.stat(target))?.size === size) {
        // Already stored: a committed blob is never replaced, so nothing holding or serving it
        // can be affected by this push. (A damaged file, of another size, is replaced below.)
        // Unverified bytes are still checked, at a scratch address, so a wrong upload is refused.
        if (check) {
          const scratch = `verified/${id}`;
          await driver.uploads.commit(id, upload, scratch, check);
          await driver.delete(scratch);
        } else await driver.uploads.abort(id, upload);
        return;
      }
      await driver.uploads.commit(id, upload, target, check);
    },

    async discard(id: string, upload?: UploadState | null): Promise<void> {
      hashes.delete(id);
      await driver.uploads.abort(id, upload ?? null);
    },

    /** Uploads holding bytes in storage, with their last write time, for the purge. */
    uploadFiles(): AsyncIterable<{ id: string; modified: number }> {
      return driver.uploads.list();
    },
  };
}

function randomToken(): string {
  return randomBytes(12).toString('base64url');
}

function digestInvalid(digest: string, actual: string): AppError {
  return new AppError('DIGEST_INVALID', `uploaded content does not match digest ${digest}`, { detail: { expected: digest, actual } });
}

export type BlobContent = ReturnType<typeof createBlobContent>;
