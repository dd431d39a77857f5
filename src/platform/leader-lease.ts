/**
 * A named lease that at most one holder has at a time, for work that one instance must do for
 * all (a periodic job, the job service's dispatcher). In-process here; with several instances the
 * Redis implementation (platform/redis/locks.ts) takes its place behind the same interface.
 */
export interface Leases {
  /**
   * Runs `work` while holding the lease `name`, kept alive while `work` runs and let go after;
   * `{ held: false }` at once, without running it, when someone else holds it. `lost` is aborted
   * if the lease is lost while `work` runs (its holder was cut off from the others for longer
   * than `ttlMs`): work should stop there, since another holder may have started.
   */
  withLeaderLease<T>(name: string, ttlMs: number, work: (lost: AbortSignal) => Promise<T>): Promise<{ held: true; value: T } | { held: false }>;
}

export function createLocalLeases(): Leases {
  const held = new Set<string>();
  return {
    async withLeaderLease(name, _ttlMs, work) {
      if (held.has(name)) return { held: false };
      held.add(name);
      try {
        return { held: true, value: await work(new AbortController().signal) };
      } finally {
        held.delete(name);
      }
    },
  };
}
