import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DeleteObjectCommand, HeadBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { HavenConfig } from '../config/schema.js';
import type { BlobDriver } from './blob-driver.js';
import { createFilesystemDriver } from './filesystem-driver.js';
import { createS3Client, isS3Unavailable, s3Status, type S3Settings } from './s3-client.js';
import { createS3Driver } from './s3-driver.js';

/** Storage that cannot be used at start-up: one line naming the setting, and `haven serve` exits. */
export class StorageStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageStartError';
  }
}

/** The blob driver `storage.driver` selects; S3 is checked (reachable, bucket there, writable) first. */
export async function createStorage(config: HavenConfig, dataDir: string): Promise<BlobDriver> {
  if (config.storage.driver === 'filesystem') return createFilesystemDriver(join(dataDir, 'storage'), { directWrites: config.storage.filesystem.directWrites });
  return openS3Storage(config.storage.s3);
}

/** An S3 driver on `s`, after the same checks as at start-up (also for haven migrate's target). */
export async function openS3Storage(s: S3Settings): Promise<ReturnType<typeof createS3Driver>> {
  const client = createS3Client(s);
  try {
    await checkS3(client, s.bucket, s.endpoint);
  } catch (err) {
    client.destroy();
    throw err;
  }
  return createS3Driver(s, client);
}

async function checkS3(client: ReturnType<typeof createS3Client>, bucket: string, endpoint: string): Promise<void> {
  const where = endpoint || 'AWS';
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (err) {
    throw new StorageStartError(s3Problem(err, bucket, where, 'read'));
  }
  // HeadBucket passes with read-only rights: a write and a delete prove the bucket is usable.
  const Key = `health/write-probe-${randomUUID()}`;
  try {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Buffer.from('ok'), ContentLength: 2 }));
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key }));
  } catch (err) {
    throw new StorageStartError(s3Problem(err, bucket, where, 'write'));
  }
}

function s3Problem(err: unknown, bucket: string, where: string, what: 'read' | 'write'): string {
  const status = s3Status(err);
  const name = (err as Error).name;
  if (isS3Unavailable(err) && status === undefined) return `storage.s3.endpoint: cannot reach S3 at ${where}: ${(err as Error).message}`;
  if (status === 404 || name === 'NoSuchBucket' || name === 'NotFound') return `storage.s3.bucket: bucket ${bucket} does not exist at ${where}`;
  if (name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || (status === 403 && what === 'read')) {
    return `storage.s3.accessKey/storage.s3.secretKey: S3 at ${where} refused the credentials for bucket ${bucket} (${name})`;
  }
  if (status === 403) return `storage.s3.bucket: bucket ${bucket} at ${where} is not writable with these credentials (${name})`;
  return `storage.s3: S3 at ${where} failed to ${what} bucket ${bucket}: ${name} ${(err as Error).message}`;
}
