import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Readable } from 'node:stream';
import type { ByteRange } from '../platform/byte-range.js';
import { NotFoundError, type BlobDriver, type StoredObject } from './blob-driver.js';
import { withPathChecks } from './checked-driver.js';
import { copySource, createS3Client, isS3NotFound, isS3Unavailable, unavailable, type S3Settings } from './s3-client.js';
import { createS3Uploads } from './s3-uploads.js';

/** CopyObject copies at most 5 GiB; above that a copy is a multipart upload of copied ranges. */
export const maxCopyObject = 5 * 1024 ** 3;

/**
 * Internal knobs of the driver, not user configuration: tests set them small to exercise the
 * multipart copy on a few MiB instead of 5 GiB.
 */
export interface S3DriverOptions {
  /** Copies of objects larger than this use UploadPartCopy ranges (default: CopyObject's 5 GiB limit). */
  copyThreshold?: number;
  /** Range of one UploadPartCopy part (default 1 GiB; at least S3's 5 MiB minimum part). */
  copyPartSize?: number;
}

/** What the upload writer needs from the driver: one place where SDK errors are translated. */
export interface S3Context {
  client: S3Client;
  bucket: string;
  partSize: number;
  /** Range of one UploadPartCopy part in a copy above the CopyObject threshold. */
  copyPartSize: number;
  /** Sends a command; a dead or failing endpoint becomes a 503 AppError. */
  send<T>(command: { input: unknown }): Promise<T>;
  /**
   * Server-side copy. `owner`, the upload being committed, is told of a multipart copy as it is
   * made, so that an abort of that upload (the purge, after a crash mid-copy) also aborts it.
   */
  copy(from: string, to: string, size: number, owner?: string): Promise<void>;
  listObjects(prefix: string): AsyncIterable<StoredObject>;
  deleteKeys(keys: string[]): Promise<void>;
  deletePrefix(prefix: string): Promise<void>;
}

/**
 * Blobs as objects in one S3 bucket, keyed by their driver path. Objects are only ever written
 * whole (PutObject, CompleteMultipartUpload, CopyObject), so a reader never sees a partial one.
 */
export function createS3Driver(settings: S3Settings, client: S3Client = createS3Client(settings), options: S3DriverOptions = {}): BlobDriver & { context: S3Context } {
  const Bucket = settings.bucket;
  const copyThreshold = options.copyThreshold ?? maxCopyObject;
  const copyPartSize = options.copyPartSize ?? 1024 ** 3;
  if (copyThreshold > maxCopyObject) throw new Error(`copyThreshold ${copyThreshold} is above CopyObject's limit of ${maxCopyObject} bytes`);
  if (copyPartSize < 5 * 1024 ** 2 || copyPartSize > maxCopyObject) throw new Error(`copyPartSize ${copyPartSize} is outside S3's part limits (5 MiB to 5 GiB)`);

  async function send<T>(command: { input: unknown }): Promise<T> {
    try {
      return (await client.send(command as never)) as T;
    } catch (err) {
      if (isS3Unavailable(err)) throw unavailable(err);
      throw err;
    }
  }

  async function* listObjects(prefix: string): AsyncIterable<StoredObject> {
    let token: string | undefined;
    do {
      const page = await send<{ Contents?: { Key?: string; Size?: number; LastModified?: Date }[]; NextContinuationToken?: string; IsTruncated?: boolean }>(
        new ListObjectsV2Command({ Bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const o of page.Contents ?? []) {
        if (o.Key) yield { path: o.Key, size: o.Size ?? 0, modified: o.LastModified?.getTime() ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async function deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      if (batch.length === 1) await send(new DeleteObjectCommand({ Bucket, Key: batch[0] }));
      else await send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
    }
  }

  const context: S3Context = {
    client,
    bucket: Bucket,
    partSize: settings.partSize,
    copyPartSize,
    send,
    listObjects,
    deleteKeys,
    async copy(from, to, size, owner) {
      if (size <= copyThreshold) {
        await send(new CopyObjectCommand({ Bucket, Key: to, CopySource: copySource(Bucket, from) }));
        return;
      }
      await uploads.copyLarge(from, to, size, owner);
    },
    async deletePrefix(prefix) {
      const keys: string[] = [];
      for await (const o of listObjects(prefix)) keys.push(o.path);
      await deleteKeys(keys);
    },
  };
  const uploads = createS3Uploads(context);

  const driver: BlobDriver & { context: S3Context } = {
    name: 's3',
    remote: true,
    context,

    async stat(path) {
      try {
        const h = await send<{ ContentLength?: number }>(new HeadObjectCommand({ Bucket, Key: path }));
        return { size: h.ContentLength ?? 0 };
      } catch (err) {
        if (isS3NotFound(err)) return null;
        throw err;
      }
    },

    async read(path, range?: ByteRange) {
      try {
        const r = await send<{ Body?: Readable }>(
          new GetObjectCommand({ Bucket, Key: path, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
        );
        return r.Body as Readable;
      } catch (err) {
        if (isS3NotFound(err) || (err as Error).name === 'InvalidRange') throw new NotFoundError(path);
        throw err;
      }
    },

    async put(path, data) {
      await send(new PutObjectCommand({ Bucket, Key: path, Body: data, ContentLength: data.length }));
    },

    async delete(path) {
      // An object and everything "under" it, as a directory would be on a filesystem.
      await deleteKeys([path]);
      await context.deletePrefix(`${path}/`);
    },

    async deleteMany(paths) {
      await deleteKeys(paths);
    },

    list(prefix) {
      return listObjects(`${prefix}/`);
    },

    ...(settings.redirect
      ? {
          async redirectUrl(path: string, ttlSeconds: number) {
            return getSignedUrl(client, new GetObjectCommand({ Bucket, Key: path }), { expiresIn: ttlSeconds });
          },
        }
      : {}),

    uploads,
  };
  return Object.assign(withPathChecks(driver), { context });
}
