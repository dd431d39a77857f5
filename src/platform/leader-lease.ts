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
  /**
   * Campaigns for leadership of `name` until stopped: at most one campaigner leads at a time;
   * when the leader dies (or is cut off) another takes over within about `ttlMs`, and a cut-off
   * leader stops calling itself leader within `ttlMs` too, before anyone else can take over.
   */
  elect(name: string, ttlMs: number): Leadership;
}

export interface Leadership {
  /** Whether this campaigner leads now: ask before each run of the work only a leader does. */
  isLeader(): boolean;
  /** Stops campaigning and lets go, so another campaigner takes over at once (on shutdown). */
  stop(): Promise<void>;
}

export function createLocalLeases(): Leases {
  const held = new Set<string>();
  /** Campaigners by name, first is the leader. */
  const campaigns = new Map<string, object[]>();
  return {
    elect(name) {
      const me = {};
      campaigns.set(name, [...(campaigns.get(name) ?? []), me]);
      let stopped = false;
      return {
        isLeader: () => !stopped && campaigns.get(name)?.[0] === me,
        async stop() {
          stopped = true;
          campaigns.set(name, (campaigns.get(name) ?? []).filter((c) => c !== me));
        },
      };
    },
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
