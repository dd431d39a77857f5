import type { AuditRecord, AuditStore } from '../../db/audit.js';
import type { Logger } from '../../platform/logger.js';

export interface AuditLogOptions {
  flushEveryMs?: number;
  /** Records waiting for the database at most; beyond it new ones are dropped (and counted). */
  maxQueued?: number;
  /** Records per transaction at most, so one flush never holds the write lock for long. */
  maxBatch?: number;
  /** Record pulls (Harbor does); false only to measure what they cost. */
  pulls?: boolean;
}

/**
 * Audit records are queued and written in one transaction per batch, so a registry pull never
 * waits for an fsync of its audit row. At most one interval of records can be lost to a kill -9;
 * a clean shutdown flushes everything. The queue is bounded: when the database cannot keep up
 * (every manifest GET is a row), records are dropped and counted rather than growing memory.
 */
export function createAuditLog(store: AuditStore, log: Logger, opts: AuditLogOptions = {}) {
  const { flushEveryMs = 500, maxQueued = 100_000, maxBatch = 5_000, pulls = true } = opts;
  let queue: AuditRecord[] = [];
  let flushing: Promise<void> | null = null;
  let dropped = 0;
  let droppedSinceWarning = 0;
  let written = 0;

  async function writeQueued(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
      queue = batch === queue ? [] : queue.slice(batch.length);
      try {
        await store.insertMany(batch);
        written += batch.length;
      } catch (err) {
        log.error({ err, records: batch.length }, 'could not write audit records');
      }
    }
  }

  // One warning per interval, not one per dropped record: a flood must not flood the log too.
  function warnDropped(): void {
    if (droppedSinceWarning === 0) return;
    log.warn({ dropped: droppedSinceWarning, maxQueued }, 'audit queue full: records dropped');
    droppedSinceWarning = 0;
  }

  async function flush(): Promise<void> {
    while (flushing) await flushing;
    if (queue.length === 0) return;
    flushing = writeQueued().finally(() => {
      flushing = null;
    });
    await flushing;
  }

  const timer = setInterval(() => {
    warnDropped();
    void flush();
  }, flushEveryMs);
  timer.unref();

  return {
    record(r: Omit<AuditRecord, 'time'> & { time?: number }): void {
      if (!pulls && r.operation === 'pull') return;
      if (queue.length >= maxQueued) {
        dropped++;
        droppedSinceWarning++;
        return;
      }
      queue.push({ ...r, time: r.time ?? Date.now() });
      if (queue.length >= 1000 && !flushing) void flush();
    },
    flush,
    /** For /metrics: records waiting, written and dropped since start. */
    stats: () => ({ queued: queue.length, written, dropped }),
    async close(): Promise<void> {
      clearInterval(timer);
      await flush();
      warnDropped();
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
