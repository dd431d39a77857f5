import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { AppError } from '../../platform/errors.js';
import { parseDigest } from '../../platform/digest.js';
import type { ByteRange } from '../../storage/blob-driver.js';
import { validateRepositoryName } from '../../domain/oci/names.js';
import type { CanRead, RegistryDeps } from './deps.js';

export type UploadStart =
  | { kind: 'created'; digest: string }
  | { kind: 'session'; id: string; offset: number };

const uploadIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function createUploadService(
  deps: Pick<RegistryDeps, 'blobs' | 'repositories' | 'uploads' | 'content' | 'log'>,
  opts: { automaticMount?: boolean } = {},
) {
  const automaticMount = opts.automaticMount ?? true;
  const { blobs, repositories, uploads, content, log } = deps;
  /** Sessions with a request writing to them right now (this process). */
  const busy = new Set<string>();

  async function link(repository: string, digest: string, size: number): Promise<void> {
    const id = await repositories.ensure(repository);
    await blobs.recordAndLink(id, digest, size);
  }

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

  /** Finds a repository the caller can read that holds the blob, for a cross-repository mount. */
  async function mountSource(digest: string, from: string | undefined, canRead: CanRead): Promise<string | null> {
    if (from === undefined && !automaticMount) return null;
    const candidates = from !== undefined ? [from] : await blobs.repositoriesHolding(digest);
    for (const repo of candidates) {
      if ((await blobs.sizeInRepository(repo, digest)) !== null && (await canRead(repo))) return repo;
    }
    return null;
  }

  async function writeExclusive(id: string, body: Readable, offset: number, signal?: AbortSignal): Promise<number> {
    if (busy.has(id)) throw rangeMismatch(offset, 'another request is writing to this upload');
    busy.add(id);
    try {
      return await content.write(id, body, offset, signal);
    } finally {
      busy.delete(id);
    }
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
            await link(repository, opts.mount, size);
            return { kind: 'created', digest: opts.mount };
          }
        }
      }
      if (opts.digest !== undefined) {
        // Monolithic upload: no session row; an orphaned temp file is swept by the purge.
        parseDigest(opts.digest);
        const id = randomUUID();
        try {
          const size = await content.write(id, opts.body ?? emptyBody(), 0, opts.signal);
          await content.commit(id, opts.digest, size);
          await link(repository, opts.digest, size);
        } catch (err) {
          await content.discard(id).catch(() => {});
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
      const s = await session(repository, id);
      if (range && range.start !== s.offset) {
        throw rangeMismatch(s.offset, `chunk starts at ${range.start}, upload is at ${s.offset}`);
      }
      const end = await writeExclusive(id, body, s.offset, signal);
      if (range && end !== range.end + 1) {
        throw rangeMismatch(s.offset, `Content-Range ${range.start}-${range.end} does not match the ${end - s.offset} bytes sent`);
      }
      if (!(await uploads.advance(id, s.offset, end))) throw rangeMismatch(s.offset, 'upload changed concurrently');
      return end;
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
      const s = await session(repository, id);
      let size = s.offset;
      if (body) {
        if (range && range.start !== s.offset) throw rangeMismatch(s.offset, `chunk starts at ${range.start}, upload is at ${s.offset}`);
        size = await writeExclusive(id, body, s.offset, signal);
      } else {
        // A refused or cut-off chunk can leave bytes past the acknowledged offset in the upload
        // file; cut them off so only acknowledged bytes are verified and become the blob.
        size = await writeExclusive(id, emptyBody(), s.offset, signal);
      }
      try {
        await content.commit(id, digest, size);
      } catch (err) {
        if (err instanceof AppError && err.code === 'DIGEST_INVALID') {
          await content.discard(id).catch(() => {});
          await uploads.delete(id);
        }
        throw err;
      }
      await link(repository, digest, size);
      await uploads.delete(id);
      return digest;
    },

    async cancel(repository: string, id: string): Promise<void> {
      await session(repository, id);
      await uploads.delete(id);
      await content.discard(id);
    },

    /**
     * Removes upload sessions idle for longer than `maxAgeMs`, and upload files that have no
     * session (a monolithic push cut off by a crash) once they are that old too.
     */
    async purge(maxAgeMs: number, now = Date.now()): Promise<number> {
      let purged = 0;
      for (const id of await uploads.idleSince(now - maxAgeMs)) {
        await uploads.delete(id);
        await content.discard(id);
        purged++;
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

function emptyBody(): Readable {
  return Readable.from([]);
}

export type UploadService = ReturnType<typeof createUploadService>;
