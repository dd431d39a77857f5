import type { Writable } from 'node:stream';
import { AppError, ClientClosedError } from '../../platform/errors.js';
import { parseDigest } from '../../platform/digest.js';
import type { ByteRange } from '../../platform/byte-range.js';
import type { RegistryDeps } from './deps.js';
import type { RegistryReadCache } from './read-cache.js';

export interface BlobRead {
  size: number;
  range: ByteRange | null;
  /** Streams the bytes into `dest` (not ending it); rejects before writing if they are missing. */
  send(dest: Writable): Promise<void>;
  /** Where the client should fetch the bytes instead (a presigned S3 URL), when redirects are on. */
  redirect: string | null;
}

export function createBlobService(deps: Pick<RegistryDeps, 'blobs' | 'content' | 'log'> & { cache?: RegistryReadCache }) {
  const { blobs, content, log, cache } = deps;
  const recordedSize = (repository: string, digest: string) => {
    const load = () => blobs.sizeInRepository(repository, digest);
    return cache ? cache.blobSize(repository, digest, load) : load();
  };

  /**
   * The recorded size of a blob the repository holds, once storage confirms it has exactly that
   * many bytes. HEAD and GET both ask here, so they agree: a lost or damaged file is unknown to
   * both, and clients upload it again (which replaces the damaged file).
   */
  async function sizeOf(repository: string, digest: string): Promise<number> {
    parseDigest(digest);
    const size = await recordedSize(repository, digest);
    if (size === null) throw new AppError('BLOB_UNKNOWN', `blob ${digest} is not in repository ${repository}`);
    const stored = await content.storedSize(digest);
    if (stored !== size) {
      // Garbage collection took the blob between the two reads: gone, not damaged.
      if ((await blobs.sizeInRepository(repository, digest)) === null) throw new AppError('BLOB_UNKNOWN', `blob ${digest} is not in repository ${repository}`);
      log.error({ digest, recordedSize: size, storedSize: stored }, stored === null ? 'blob corruption: file missing from storage' : 'blob corruption: stored size differs from recorded size');
      throw new AppError('BLOB_UNKNOWN', `blob ${digest} is missing or damaged in storage; push it again`);
    }
    return size;
  }

  return {
    stat: sizeOf,

    /** Opens a blob; `parseRange` receives the size so the caller decides 206/416 semantics. */
    async read(
      repository: string,
      digest: string,
      parseRange: (size: number) => ByteRange | null,
    ): Promise<BlobRead> {
      // Checked before any header is sent: once the body has started, an error can only cut it.
      const size = await sizeOf(repository, digest);
      const redirect = size === 0 ? null : await content.redirectUrl(digest);
      // A redirected client sends its Range to the object store, which answers it there.
      const range = size === 0 || redirect ? null : parseRange(size);
      const bytes = range ?? { start: 0, end: size - 1 };
      return {
        size,
        range,
        redirect,
        send: async (dest) => {
          if (size === 0) return;
          try {
            await content.send(digest, dest, bytes);
          } catch (err) {
            if (!isClientGone(err)) log.error({ err, digest, recordedSize: size }, 'blob corruption: short read while sending');
            throw err;
          }
        },
      };
    },

    /**
     * Unlinks a blob from one repository. Refused while a manifest there still references it, so
     * a delete never breaks a manifest; the bytes stay for other repositories and for GC to judge.
     */
    async delete(repository: string, digest: string): Promise<void> {
      parseDigest(digest);
      const r = await blobs.unlinkUnreferenced(repository, digest);
      if (r.kind === 'unlinked') await cache?.forgets.repository(repository);
      if (r.kind === 'no-repository') throw new AppError('NAME_UNKNOWN', `repository ${repository} not found`);
      if (r.kind === 'not-linked') throw new AppError('BLOB_UNKNOWN', `blob ${digest} is not in repository ${repository}`);
      if (r.kind === 'referenced') {
        throw new AppError('DENIED', `blob ${digest} is still referenced by manifest ${r.by[0]}`, {
          status: 409,
          detail: { manifests: r.by },
        });
      }
    },
  };
}

/** A pull cut short by the client is routine; anything else while sending is storage's fault. */
function isClientGone(err: unknown): boolean {
  return err instanceof ClientClosedError;
}

export type BlobService = ReturnType<typeof createBlobService>;
