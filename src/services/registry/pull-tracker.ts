import type { ManifestPulls, PullStatsStore } from '../../db/pull-stats.js';
import type { Logger } from '../../platform/logger.js';
import { eventOrigin } from '../../events/event-context.js';
import { addPullEvent, mergePullEvents } from '../../db/pull-events.js';

export interface PullTrackerOptions {
  flushEveryMs?: number;
  /** Distinct manifests waiting at most; beyond it a flush starts at once. */
  maxPending?: number;
}

/**
 * Harbor's pull time and pull count, kept off the request path: a manifest GET only bumps an
 * in-memory counter, and a flusher writes everything gathered in one transaction per interval
 * (like the audit queue), so a pull never waits for the database. A clean stop flushes; a kill -9
 * loses at most one interval of counts.
 */
export function createPullTracker(store: Pick<PullStatsStore, 'write'>, log: Logger, opts: PullTrackerOptions = {}) {
  const { flushEveryMs = 1000, maxPending = 50_000 } = opts;
  let pending = new Map<number, ManifestPulls>();
  let flushing: Promise<void> | null = null;

  async function writePending(): Promise<void> {
    const batch = [...pending.values()];
    pending = new Map();
    try {
      await store.write(batch);
    } catch (err) {
      // Kept for the next flush (merged with what came meanwhile), unless that would pass the cap.
      let kept = 0;
      for (const p of batch) {
        const now = pending.get(p.manifestId);
        if (now) {
          now.count += p.count;
          for (const [tag, at] of p.tags) if (!now.tags.has(tag)) now.tags.set(tag, at);
          mergePullEvents(now, p);
        } else if (pending.size < maxPending) pending.set(p.manifestId, p);
        else continue;
        kept++;
      }
      log.error({ err, manifests: batch.length, kept }, 'could not write pull times and counts; retrying with the next flush');
    }
  }

  async function flush(): Promise<void> {
    while (flushing) await flushing;
    if (pending.size === 0) return;
    flushing = writePending().finally(() => {
      flushing = null;
    });
    await flushing;
  }

  const timer = setInterval(() => void flush(), flushEveryMs);
  timer.unref();

  return {
    /** One completed manifest GET, by tag (`tag` set) or by digest. */
    record(manifestId: number, tag: string | null, at = Date.now()): void {
      let p = pending.get(manifestId);
      if (!p) {
        p = { manifestId, count: 0, at, tags: new Map() };
        pending.set(manifestId, p);
        if (pending.size >= maxPending && !flushing) void flush();
      }
      p.count++;
      p.at = at;
      if (tag !== null) p.tags.set(tag, at);
      addPullEvent(p, tag, eventOrigin(), at);
    },
    flush,
    async close(): Promise<void> {
      clearInterval(timer);
      await flush();
    },
  };
}

export type PullTracker = ReturnType<typeof createPullTracker>;
