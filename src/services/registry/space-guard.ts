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
 * the database itself hits ENOSPC. Near the reserve every upload request probes afresh, so a fast
 * chunked push cannot run past it. Far from it (more than `headroom` above) a probe is believed
 * for `reuseMs`: no writer here fills `headroom` that fast, and the statfs round trips through
 * the thread pool were a tenth of a small-image push's CPU.
 */
export function createSpaceGuard(opts: { free: () => Promise<number | null>; reserve: number; headroom?: number; reuseMs?: number }): SpaceGuard {
  const headroom = opts.headroom ?? 4 * 1024 ** 3;
  const reuseMs = opts.reuseMs ?? 1000;
  let last: { free: number; at: number } | null = null;

  async function free(): Promise<number | null> {
    const now = Date.now();
    if (last && now - last.at < reuseMs && last.free - opts.reserve > headroom) return last.free;
    const f = await opts.free();
    last = f === null ? null : { free: f, at: now };
    return f;
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
