import type { Readable, Writable } from 'node:stream';
import type { ByteRange } from '../platform/byte-range.js';

/**
 * The narrow interface every blob backend implements (filesystem now, S3 later). Paths are
 * driver-relative ("blobs/sha256/ab/abcd…", "uploads/<id>"); the driver knows nothing of OCI.
 * Every driver must pass the contract suite in driver-contract.ts.
 */
export interface BlobDriver {
  readonly name: string;
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
  /**
   * Streams `source` into the object starting at `offset` (0 = new object), discarding anything
   * the object held past the written end. Resolves with the bytes written, once they are durable.
   */
  write(path: string, source: Readable, opts?: { offset?: number; signal?: AbortSignal }): Promise<number>;
  /** Atomically puts `from` at `to` (replacing it) and makes that durable. */
  move(from: string, to: string): Promise<void>;
  /** Removes an object or a whole prefix; a missing path is not an error. */
  delete(path: string): Promise<void>;
  /** Every object under a prefix, for garbage collection and purges. */
  list(prefix: string): AsyncIterable<StoredObject>;
  /** Free bytes where objects are written, for the space reserve; absent where space is elastic. */
  freeBytes?(): Promise<number>;
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
