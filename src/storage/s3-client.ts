import { createHash } from 'node:crypto';
import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { AppError } from '../platform/errors.js';

export interface S3Settings {
  endpoint: string;
  region: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
  pathStyle: boolean;
  partSize: number;
  redirect: boolean;
}

/**
 * An S3 client that works with AWS and with Swift's s3api (test/backends/s3-swift/README.md):
 * checksums only when required (else stream bodies go out aws-chunked, which Swift answers 501),
 * Content-MD5 on DeleteObjects (Swift insists on it), and timeouts so that a dead endpoint turns
 * into an error within seconds instead of a hung request.
 */
export function createS3Client(s: S3Settings): S3Client {
  // The SDK warns on every start that its releases after January 2027 need Node 22: a note for
  // whoever upgrades the dependency, not for the operator of this build. An explicit setting wins.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new S3Client({
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    region: s.region,
    forcePathStyle: s.pathStyle,
    credentials: { accessKeyId: s.accessKey, secretAccessKey: s.secretKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 2,
    // The options of the SDK's own NodeHttpHandler (no direct dependency on @smithy packages).
    requestHandler: { connectionTimeout: 3_000, socketTimeout: 30_000 },
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const req = args.request as { body?: unknown; headers?: Record<string, string> };
      if (context.commandName === 'DeleteObjectsCommand' && req.body != null && req.headers) {
        req.headers['content-md5'] = createHash('md5').update(req.body as string).digest('base64');
      }
      return next(args);
    },
    { step: 'build', name: 'deleteObjectsContentMd5', priority: 'low' },
  );
  return client;
}

/** HTTP status of an S3 error, when the service answered at all. */
export function s3Status(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

export function isS3NotFound(err: unknown): boolean {
  const name = (err as Error)?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchUpload' || (s3Status(err) === 404 && name !== 'NoSuchBucket');
}

/**
 * Whether S3 could not be used at all (refused or cut connections, timeouts, 5xx): the client gets
 * a 503 and may retry, as with any backend outage, rather than a 500 that reads as a bug.
 */
export function isS3Unavailable(err: unknown): boolean {
  const status = s3Status(err);
  if (status !== undefined && status >= 500) return true;
  if (err instanceof S3ServiceException) return false;
  const code = (err as NodeJS.ErrnoException)?.code;
  const name = (err as Error)?.name;
  return (
    name === 'TimeoutError' ||
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT' ||
    code === 'EPIPE' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENOTFOUND' ||
    code === 'EAI_AGAIN' ||
    /socket hang up|ECONNREFUSED|ECONNRESET/.test((err as Error)?.message ?? '')
  );
}

export function unavailable(err: unknown): AppError {
  return new AppError('UNAVAILABLE', 'blob storage is unavailable, try again later', { detail: { reason: (err as Error)?.message ?? String(err) } });
}

/** x-amz-copy-source: bucket/key, URL-encoded per segment. */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}
