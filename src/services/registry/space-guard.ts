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
 * the database itself hits ENOSPC. Every upload request probes afresh: statfs costs microseconds,
 * and a cached figure would let a fast chunked push run past the reserve.
 */
export function createSpaceGuard(opts: { free: () => Promise<number | null>; reserve: number }): SpaceGuard {
  async function problem(): Promise<string | null> {
    if (opts.reserve <= 0) return null;
    const f = await opts.free();
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
