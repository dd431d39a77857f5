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

/** An upload id becomes one path component: the same rules, and no slash. */
function checkId(id: string): string {
  if (id.includes('/') || id.length > 128) throw new Error(`invalid storage path: upload id ${JSON.stringify(id)}`);
  return checkPath(id);
}

/** The base layer in front of every driver: path validation lives here once, not in each driver. */
export function withPathChecks(inner: BlobDriver): BlobDriver {
  const u = inner.uploads;
  return {
    name: inner.name,
    ...(inner.remote ? { remote: true } : {}),
    stat: async (p) => inner.stat(checkPath(p)),
    read: async (p, range) => inner.read(checkPath(p), range),
    ...(inner.copyTo ? { copyTo: async (p: string, dest: Writable, range?: ByteRange) => inner.copyTo!(checkPath(p), dest, range) } : {}),
    put: async (p, data) => inner.put(checkPath(p), data),
    delete: async (p) => inner.delete(checkPath(p)),
    ...(inner.deleteMany ? { deleteMany: async (ps: string[], concurrency?: number) => inner.deleteMany!(ps.map(checkPath), concurrency) } : {}),
    ...(inner.freeBytes ? { freeBytes: () => inner.freeBytes!() } : {}),
    ...(inner.redirectUrl ? { redirectUrl: async (p: string, ttl: number) => inner.redirectUrl!(checkPath(p), ttl) } : {}),
    list: (prefix) => {
      checkPath(prefix);
      return inner.list(prefix);
    },
    uploads: {
      append: async (id, from, source, opts) => {
        if (opts?.destination !== undefined) checkPath(opts.destination);
        return u.append(checkId(id), from, source, opts);
      },
      ...(u.settle ? { settle: async (id: string, now: Parameters<NonNullable<typeof u.settle>>[1]) => u.settle!(checkId(id), now) } : {}),
      commit: async (id, upload, to, check) => u.commit(checkId(id), upload, checkPath(to), check),
      abort: async (id, upload) => u.abort(checkId(id), upload),
      list: () => u.list(),
    },
  };
}
