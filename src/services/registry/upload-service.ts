import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { AppError } from '../../platform/errors.js';
import { parseDigest } from '../../platform/digest.js';
import type { ByteRange } from '../../platform/byte-range.js';
import { projectOf, validateRepositoryName } from '../../domain/oci/names.js';
import type { KeyedLocks } from '../../platform/keyed-lock.js';
import type { QuotaStore } from '../../db/quotas.js';
import type { UploadSessionRow } from '../../db/schema.js';
import type { CanRead, RegistryDeps } from './deps.js';
import type { SpaceGuard } from './space-guard.js';
import { newUpload, type UploadProgress } from '../../content/blob-content.js';
import { BlobDeletingError } from '../../db/blobs.js';

export type UploadStart =
  | { kind: 'created'; digest: string }
  | { kind: 'session'; id: string; offset: number };

/** One lock per upload, shared by every request on it and by the purge. */
const lockKey = (id: string) => `upload:${id}`;

const uploadIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What a request holding an upload's lock needs of it: a signal that also ends when the lock is lost, and a check. */
interface Held {
  signal(request?: AbortSignal): AbortSignal | undefined;
  assert(): void;
}

export function createUploadService(
  deps: Pick<RegistryDeps, 'blobs' | 'uploads' | 'content' | 'log'> & { locks: KeyedLocks; space: SpaceGuard; quotas?: Pick<QuotaStore, 'checkBlob'> },
  opts: { automaticMount?: boolean; gcMarkTimeoutMs?: number; gcWaitMs?: number } = {},
) {
  const automaticMount = opts.automaticMount ?? true;
  const markTimeout = opts.gcMarkTimeoutMs ?? 600_000;
  const gcWait = opts.gcWaitMs ?? 30_000;
  const { blobs, uploads, content, log, locks, space } = deps;
  /** Harbor's pre-check at blob completion and mount: a blob the project lacks must fit its quota. */
  const checkQuota = (repository: string, digest: string, size: number) => deps.quotas?.checkBlob(projectOf(repository), repository, digest, size);

  async function session(repository: string, id: string) {
    const s = uploadIdPattern.test(id) ? await uploads.get(id) : null;
    if (!s || s.repository !== repository) throw new AppError('BLOB_UPLOAD_UNKNOWN', `upload ${id.slice(0, 64)} not found`);
    return s;
  }

  function rangeMismatch(offset: number, message: string): AppError {
    return new AppError('BLOB_UPLOAD_INVALID', message, {
      status: 416,
      headers: { Range: `0-${Math.max(offset - 1, 0)}` },
    });
  }

  /**
   * Runs `work` holding the upload's lock, from before its session is read until its write,
   * verification and commit are over. A second request on the same upload meanwhile is refused:
   * it could otherwise keep a handle on the file that is about to become a shared blob.
   */
  async function exclusive<T>(repository: string, id: string, work: (s: UploadSessionRow, held: Held) => Promise<T>): Promise<T> {
    const release = await locks.tryAcquire(lockKey(id));
    if (!release) {
      const s = await session(repository, id);
      throw rangeMismatch(s.offset, 'another request is writing to this upload');
    }
    const lost = release.lost;
    const held: Held = {
      signal: (signal) => (lost === undefined ? signal : signal === undefined ? lost : AbortSignal.any([signal, lost])),
      assert() {
        // Another instance may hold the upload now: nothing this request wrote may count.
        if (lost?.aborted) throw new AppError('UNAVAILABLE', 'the upload lock could not be kept (shared state unavailable); send the chunk again', { headers: { 'Retry-After': '1' } });
      },
    };
    try {
      return await work(await session(repository, id), held);
    } finally {
      await release();
    }
  }

  /**
   * Before an upload's bytes become blob `digest`: garbage collection must not be deleting it (its
   * sweep would delete these bytes too). Waits while a sweep holds it, then claims it, which
   * restarts its window. (See blobs.claim and db/gc.ts.)
   */
  async function claimBlob(digest: string): Promise<void> {
    const deadline = Date.now() + gcWait;
    while ((await blobs.claim(digest, Date.now() - markTimeout)) === 'deleting') {
      if (Date.now() > deadline) throw gcBusy(digest);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Links a committed blob; a sweep that marked it meanwhile (a window shorter than the push) makes the client push it again. */
  async function link(repository: string, digest: string, size: number, endingUpload?: string): Promise<void> {
    try {
      await blobs.recordAndLink(repository, digest, size, Date.now(), endingUpload);
    } catch (err) {
      if (err instanceof BlobDeletingError) throw gcBusy(digest);
      throw err;
    }
  }

  /** Finds a repository the caller can read that holds the blob, for a cross-repository mount. */
  async function mountSource(digest: string, from: string | undefined, canRead: CanRead): Promise<string | null> {
    if (from === undefined && !automaticMount) return null;
    const candidates = from !== undefined ? [from] : await blobs.repositoriesHolding(digest);
    for (const repo of candidates) {
      if ((await blobs.sizeInRepository(repo, digest)) !== null && (await canRead(repo))) return repo;
    }
    return null;
  }

  return {
    async start(
      repository: string,
      opts: { digest?: string; body?: Readable | null; mount?: string; from?: string; canRead: CanRead; signal?: AbortSignal },
    ): Promise<UploadStart> {
      if (opts.mount !== undefined) {
        parseDigest(opts.mount);
        if (opts.from !== undefined) validateRepositoryName(opts.from);
        const source = await mountSource(opts.mount, opts.from, opts.canRead);
        if (source !== null) {
          const size = await blobs.sizeInRepository(source, opts.mount);
          if (size !== null) {
            await checkQuota(repository, opts.mount, size);
            try {
              await blobs.recordAndLink(repository, opts.mount, size);
              return { kind: 'created', digest: opts.mount };
            } catch (err) {
              // Garbage collection is deleting it: as if absent, the client uploads it (below).
              if (!(err instanceof BlobDeletingError)) throw err;
            }
          }
        }
      }
      await space.assertRoom();
      if (opts.digest !== undefined) {
        // Monolithic upload: no session row, and an id nobody else knows, so no lock is needed;
        // an orphaned temp file is swept by the purge.
        parseDigest(opts.digest);
        const id = randomUUID();
        let written: UploadProgress | null = null;
        try {
          written = await content.write(id, opts.body ?? emptyBody(), newUpload, opts.signal, opts.digest);
          await checkQuota(repository, opts.digest, written.size);
          await claimBlob(opts.digest);
          await content.commit(id, opts.digest, written);
          await link(repository, opts.digest, written.size);
        } catch (err) {
          await content.discard(id, written).catch(() => {});
          throw err;
        }
        return { kind: 'created', digest: opts.digest };
      }
      const id = randomUUID();
      await uploads.create(id, repository);
      return { kind: 'session', id, offset: 0 };
    },

    async status(repository: string, id: string): Promise<number> {
      return (await session(repository, id)).offset;
    },

    async patch(repository: string, id: string, body: Readable, range: ByteRange | null, signal?: AbortSignal): Promise<number> {
      return exclusive(repository, id, async (s, held) => {
        if (range && range.start !== s.offset) {
          throw rangeMismatch(s.offset, `chunk starts at ${range.start}, upload is at ${s.offset}`);
        }
        await space.assertRoom();
        const to = await content.write(id, body, progressOf(s), held.signal(signal));
        if (range && to.size !== range.end + 1) {
          throw rangeMismatch(s.offset, `Content-Range ${range.start}-${range.end} does not match the ${to.size - s.offset} bytes sent`);
        }
        held.assert();
        if (!(await uploads.advance(id, s.offset, { offset: to.size, state: to.state, token: to.token }))) {
          throw rangeMismatch(s.offset, 'upload changed concurrently');
        }
        await content.settle(id, to).catch((err: unknown) => log.warn({ err, upload: id }, 'could not drop an upload\'s stale parts'));
        return to.size;
      });
    },

    async finish(
      repository: string,
      id: string,
      digest: string,
      body: Readable | null,
      range: ByteRange | null,
      signal?: AbortSignal,
    ): Promise<string> {
      parseDigest(digest);
      return exclusive(repository, id, async (s, held) => {
        if (body && range && range.start !== s.offset) {
          throw rangeMismatch(s.offset, `chunk starts at ${range.start}, upload is at ${s.offset}`);
        }
        if (body) await space.assertRoom();
        // Only acknowledged bytes are committed: the driver commits exactly the state's size, so
        // whatever a refused or cut-off chunk left past the offset is never part of the blob.
        const written = body ? await content.write(id, body, progressOf(s), held.signal(signal)) : progressOf(s);
        const size = written.size;
        try {
          await checkQuota(repository, digest, size);
          held.assert();
          await claimBlob(digest);
          held.assert();
          await content.commit(id, digest, written);
        } catch (err) {
          // A refused blob (bad digest, over quota) leaves nothing behind: no file, no session.
          if (err instanceof AppError && (err.code === 'DIGEST_INVALID' || err.code === 'DENIED')) {
            await content.discard(id, written).catch(() => {});
            await uploads.delete(id);
          }
          throw err;
        }
        try {
          await link(repository, digest, size, id);
        } catch (err) {
          await uploads.delete(id);
          throw err;
        }
        return digest;
      });
    },

    async cancel(repository: string, id: string): Promise<void> {
      await exclusive(repository, id, async (s) => {
        // Bytes first: on a full disk the row delete may fail, and the purge retries it later.
        await content.discard(id, progressOf(s));
        await uploads.delete(id);
      });
    },

    /**
     * Removes upload sessions idle for longer than `maxAgeMs`, and upload files that have no
     * session (a monolithic push cut off by a crash) once they are that old too.
     */
    async purge(maxAgeMs: number, now = Date.now()): Promise<number> {
      let purged = 0;
      for (const id of await uploads.idleSince(now - maxAgeMs)) {
        const release = await locks.tryAcquire(lockKey(id));
        if (!release) continue;
        try {
          // Bytes first, so a purge on a full disk frees space even if the row delete fails.
          const s = await uploads.get(id);
          await content.discard(id, s ? progressOf(s) : null);
          await uploads.delete(id);
          purged++;
        } catch (err) {
          log.warn({ err, upload: id }, 'could not purge upload');
        } finally {
          await release();
        }
      }
      for await (const f of content.uploadFiles()) {
        if (f.modified < now - maxAgeMs && !(await uploads.get(f.id))) {
          await content.discard(f.id);
          purged++;
        }
      }
      if (purged > 0) log.info({ purged }, 'purged stale uploads');
      return purged;
    },
  };
}

function gcBusy(digest: string): AppError {
  return new AppError('UNAVAILABLE', `blob ${digest} is being deleted by garbage collection; push it again`, { headers: { 'Retry-After': '5' } });
}

/** The upload's durable progress as its row records it. */
function progressOf(s: UploadSessionRow): UploadProgress {
  return { size: s.offset, state: s.driver_state, token: s.write_token };
}

function emptyBody(): Readable {
  return Readable.from([]);
}

export type UploadService = ReturnType<typeof createUploadService>;
