import type { AuditRecord, AuditStore } from '../../db/audit.js';
import type { Logger } from '../../platform/logger.js';

/**
 * Audit records are queued and written in one transaction per interval, so a registry pull never
 * waits for an fsync of its audit row. At most one interval of records can be lost to a kill -9;
 * a clean shutdown flushes everything.
 */
export function createAuditLog(store: AuditStore, log: Logger, flushEveryMs = 500) {
  let queue: AuditRecord[] = [];
  let flushing: Promise<void> | null = null;

  async function flush(): Promise<void> {
    if (flushing) await flushing;
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    flushing = store
      .insertMany(batch)
      .catch((err) => log.error({ err, records: batch.length }, 'could not write audit records'))
      .finally(() => {
        flushing = null;
      });
    await flushing;
  }

  const timer = setInterval(() => void flush(), flushEveryMs);
  timer.unref();

  return {
    record(r: Omit<AuditRecord, 'time'> & { time?: number }): void {
      queue.push({ ...r, time: r.time ?? Date.now() });
      if (queue.length >= 1000) void flush();
    },
    flush,
    async close(): Promise<void> {
      clearInterval(timer);
      await flush();
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
