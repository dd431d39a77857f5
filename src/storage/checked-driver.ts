import type { Writable } from 'node:stream';
import type { ByteRange } from '../platform/byte-range.js';
import type { BlobDriver } from './blob-driver.js';

const componentPattern = /^[A-Za-z0-9._-]+$/;

/** Rejects any path a driver must never see: absolute, empty components, "." or "..". */
export function checkPath(path: string): string {
  if (path.length === 0 || path.length > 1024) throw new Error(`invalid storage path length: ${path.length}`);
  for (const part of path.split('/')) {
    if (!componentPattern.test(part) || part === '.' || part === '..') {
      throw new Error(`invalid storage path: ${JSON.stringify(path)}`);
    }
  }
  return path;
}

/** The base layer in front of every driver: path validation lives here once, not in each driver. */
export function withPathChecks(inner: BlobDriver): BlobDriver {
  return {
    name: inner.name,
    stat: async (p) => inner.stat(checkPath(p)),
    read: async (p, range) => inner.read(checkPath(p), range),
    ...(inner.copyTo ? { copyTo: async (p: string, dest: Writable, range?: ByteRange) => inner.copyTo!(checkPath(p), dest, range) } : {}),
    write: async (p, source, opts) => inner.write(checkPath(p), source, opts),
    move: async (from, to) => inner.move(checkPath(from), checkPath(to)),
    delete: async (p) => inner.delete(checkPath(p)),
    ...(inner.freeBytes ? { freeBytes: () => inner.freeBytes!() } : {}),
    list: (prefix) => {
      checkPath(prefix);
      return inner.list(prefix);
    },
  };
}
