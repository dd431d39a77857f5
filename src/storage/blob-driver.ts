import type { Readable, Writable } from 'node:stream';
import type { ByteRange } from '../platform/byte-range.js';

/**
 * The narrow interface every blob backend implements (filesystem, S3). Paths are driver-relative
 * ("blobs/sha256/ab/abcd…"); the driver knows nothing of OCI. Every driver must pass the contract
 * suite in driver-contract.ts.
 */
export interface BlobDriver {
  readonly name: string;
  /**
   * True when stat is a network round trip (S3), not a local syscall: callers on hot paths may
   * then remember a confirmed size for a short while instead of asking for every request.
   */
  readonly remote?: boolean;
  /** Size of a stored object, or null if it does not exist. */
  stat(path: string): Promise<{ size: number } | null>;
  /** A stream of the object (or of one inclusive range of it). Rejects with NotFoundError. */
  read(path: string, range?: ByteRange): Promise<Readable>;
  /**
   * Optional fast path for serving: writes the object (or range) into `dest` and resolves when
   * all of it was handed over. Rejects with NotFoundError before writing anything if missing.
   * Drivers without it are served through read().
   */
  copyTo?(path: string, dest: Writable, range?: ByteRange): Promise<void>;
  /** Puts a small whole object (the empty blob, a test fixture) in one request, durably. */
  put(path: string, data: Buffer): Promise<void>;
  /** Removes an object or a whole prefix; a missing path is not an error. */
  delete(path: string): Promise<void>;
  /**
   * Optional: removes many single objects (not prefixes) at once, for garbage collection's sweep
   * (S3: DeleteObjects, 1,000 keys a request; the filesystem: unlinks, `concurrency` at once).
   * A missing path is not an error.
   */
  deleteMany?(paths: string[], concurrency?: number): Promise<void>;
  /** Every object under a prefix, for garbage collection and purges. */
  list(prefix: string): AsyncIterable<StoredObject>;
  /** Free bytes where objects are written, for the space reserve; absent where space is elastic. */
  freeBytes?(): Promise<number>;
  /** A URL a client may GET the object from directly for `ttlSeconds` (S3 with redirect on). */
  redirectUrl?(path: string, ttlSeconds: number): Promise<string>;
  /** Resumable uploads. */
  readonly uploads: UploadWriter;
}

/**
 * Where an upload stands: its durable size and whatever the driver needs to continue it (an S3
 * multipart UploadId, part ETags, the key of the tail below the minimum part size), as an opaque
 * string. The caller keeps it durable beside the upload's offset (upload_sessions.driver_state),
 * so any instance can continue the upload after a restart. `emptyUpload` is where every upload
 * starts: a driver makes nothing in storage before the first byte.
 */
export interface UploadState {
  size: number;
  state: string;
}

export const emptyUpload: UploadState = Object.freeze({ size: 0, state: '' });

export interface UploadWriter {
  /**
   * Appends all of `source` after `from.size` and resolves with the new state once those bytes are
   * durable. Anything an earlier, unacknowledged append left past `from.size` is ignored, so a
   * retry from the last acknowledged state is always safe. At most one part is in flight.
   * `onBytes` sees every chunk of `source`, in order, as it is taken (the caller's digest): no
   * extra stream stage is needed to observe the bytes.
   */
  append(id: string, from: UploadState, source: Readable, opts?: AppendOptions): Promise<UploadState>;
  /**
   * Optional: called once the caller has made `now` durable, to drop what only older states used
   * (S3: the previous tail object). Never needed for correctness.
   */
  settle?(id: string, now: UploadState): Promise<void>;
  /**
   * Makes the upload's bytes the object at `to` (replacing it) and removes the upload. When
   * `check` is given it first receives exactly the upload's bytes, as stored, and may reject:
   * then nothing is written at `to` (the upload is left for abort).
   */
  commit(id: string, upload: UploadState, to: string, check?: (bytes: Readable) => Promise<void>): Promise<void>;
  /** Removes an upload and everything it holds in storage (multipart uploads, tails); idempotent. */
  abort(id: string, upload?: UploadState | null): Promise<void>;
  /** Every upload that holds something in storage, with its last write, for the purge. */
  list(): AsyncIterable<{ id: string; modified: number }>;
}

export interface AppendOptions {
  signal?: AbortSignal | undefined;
  onBytes?: ((chunk: Buffer) => void) | undefined;
  /**
   * Where the upload will be committed, when that is known before its first byte (a monolithic
   * push names its digest), together with `final` (no append follows). A driver may then build
   * the object in place, still invisible until commit: S3 completes its multipart upload at the
   * content address instead of copying the whole blob there. Commit to another path is refused.
   */
  destination?: string | undefined;
  final?: boolean | undefined;
}

export interface StoredObject {
  path: string;
  size: number;
  /** Last modification, epoch ms. */
  modified: number;
}

export class NotFoundError extends Error {
  constructor(readonly path: string) {
    super(`storage path not found: ${path}`);
    this.name = 'NotFoundError';
  }
}
