import { AppError } from '../../platform/errors.js';
import { formatSize } from '../../platform/size.js';

export interface SpaceGuard {
  /** Refuses (507) new upload bytes while free space is below the reserve. */
  assertRoom(): Promise<void>;
  /** Null when there is room, else why not: for /health. */
  problem(): Promise<string | null>;
}

/**
 * Keeps a reserve of free space for what must still work on a nearly full disk: metadata
 * commits, deletes and the purge that frees space. Without it a chunked push fills the disk and
 * the database itself hits ENOSPC. Every upload request probes afresh (statfs costs microseconds,
 * and a cached figure lets a fast chunked push run past the reserve); `cacheMs` is for tests.
 */
export function createSpaceGuard(opts: { free: () => Promise<number | null>; reserve: number; cacheMs?: number; now?: () => number }): SpaceGuard {
  const cacheMs = opts.cacheMs ?? 0;
  const now = opts.now ?? Date.now;
  let cached: { at: number; free: number | null } | null = null;

  async function free(): Promise<number | null> {
    const t = now();
    if (!cached || t - cached.at >= cacheMs || cacheMs === 0) cached = { at: t, free: await opts.free() };
    return cached.free;
  }

  async function problem(): Promise<string | null> {
    if (opts.reserve <= 0) return null;
    const f = await free();
    if (f === null || f >= opts.reserve) return null;
    return `only ${formatSize(f)} free, below the ${formatSize(opts.reserve)} reserve (storage.reserve)`;
  }

  return {
    problem,
    async assertRoom() {
      const p = await problem();
      if (p) throw new AppError('INSUFFICIENT_STORAGE', `storage is full: ${p}; free space (delete content, run garbage collection) and retry`);
    },
  };
}
