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

/** What the upload writer needs from the driver: one place where SDK errors are translated. */
export interface S3Context {
  client: S3Client;
  bucket: string;
  partSize: number;
  /** Sends a command; a dead or failing endpoint becomes a 503 AppError. */
  send<T>(command: { input: unknown }): Promise<T>;
  copy(from: string, to: string, size: number): Promise<void>;
  listObjects(prefix: string): AsyncIterable<StoredObject>;
  deleteKeys(keys: string[]): Promise<void>;
  deletePrefix(prefix: string): Promise<void>;
}

/**
 * Blobs as objects in one S3 bucket, keyed by their driver path. Objects are only ever written
 * whole (PutObject, CompleteMultipartUpload, CopyObject), so a reader never sees a partial one.
 */
export function createS3Driver(settings: S3Settings, client: S3Client = createS3Client(settings)): BlobDriver & { context: S3Context } {
  const Bucket = settings.bucket;

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
    send,
    listObjects,
    deleteKeys,
    async copy(from, to, size) {
      if (size <= maxCopyObject) {
        await send(new CopyObjectCommand({ Bucket, Key: to, CopySource: copySource(Bucket, from) }));
        return;
      }
      await uploads.copyLarge(from, to, size);
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
