import type { Writable } from 'node:stream';
import { AppError } from '../../platform/errors.js';
import { parseDigest } from '../../platform/digest.js';
import type { ByteRange } from '../../storage/blob-driver.js';
import type { RegistryDeps } from './deps.js';

export interface BlobRead {
  size: number;
  range: ByteRange | null;
  /** Streams the bytes into `dest` (not ending it); rejects before writing if they are missing. */
  send(dest: Writable): Promise<void>;
}

export function createBlobService(deps: Pick<RegistryDeps, 'blobs' | 'manifests' | 'repositories' | 'content'>) {
  const { blobs, manifests, repositories, content } = deps;

  async function sizeOf(repository: string, digest: string): Promise<number> {
    parseDigest(digest);
    const size = await blobs.sizeInRepository(repository, digest);
    if (size === null) throw new AppError('BLOB_UNKNOWN', `blob ${digest} is not in repository ${repository}`);
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
      const size = await sizeOf(repository, digest);
      const range = size === 0 ? null : parseRange(size);
      // Checked before any header is sent: once the body has started, an error can only cut it.
      if (!(await content.exists(digest))) throw new AppError('BLOB_UNKNOWN', `blob ${digest} is missing from storage`);
      return { size, range, send: (dest) => content.send(digest, dest, range ?? undefined) };
    },

    /**
     * Unlinks a blob from one repository. Refused while a manifest there still references it, so
     * a delete never breaks a manifest; the bytes stay for other repositories and for GC to judge.
     */
    async delete(repository: string, digest: string): Promise<void> {
      parseDigest(digest);
      const id = await repositories.findId(repository);
      if (id === null) throw new AppError('NAME_UNKNOWN', `repository ${repository} not found`);
      const users = await manifests.referencing(id, digest, 'blob');
      if (users.length > 0) {
        throw new AppError('DENIED', `blob ${digest} is still referenced by manifest ${users[0]}`, {
          status: 409,
          detail: { manifests: users },
        });
      }
      if (!(await blobs.unlink(id, digest))) {
        throw new AppError('BLOB_UNKNOWN', `blob ${digest} is not in repository ${repository}`);
      }
    },
  };
}

export type BlobService = ReturnType<typeof createBlobService>;
