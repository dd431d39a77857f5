import type { Db } from '../db/database.js';
import type { ExecutionSpec, JobStore } from '../db/jobs.js';
import type { ScheduleStore } from '../db/job-schedules.js';
import type { JobScheduleRow } from '../db/schema.js';
import { nextFire } from '../domain/schedule/cron.js';
import type { Logger } from '../platform/logger.js';

/** What a schedule of one vendor type queues when it fires. */
export type ScheduleCallback = (schedule: JobScheduleRow, params: Record<string, unknown>) => ExecutionSpec | Promise<ExecutionSpec>;

export interface SchedulerOptions {
  schedules: ScheduleStore;
  jobs: JobStore;
  log: Logger;
  clock: () => Promise<number>;
  /** Called after a firing queued work, so this instance's workers look at once. */
  wake: () => void;
  tickMs?: number;
}

/**
 * Fires due schedules. Every worker instance ticks; each firing is won by exactly one of them
 * (ScheduleStore.fire). A firing missed while no instance ran (all down over the hour) happens
 * once when one comes back, not once per missed period, as Harbor's scheduler does.
 */
export function createScheduler(opts: SchedulerOptions) {
  const callbacks = new Map<string, ScheduleCallback>();
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<void> | null = null;

  async function tick(): Promise<void> {
    const now = await opts.clock();
    let fired = false;
    for (const row of await opts.schedules.due(now)) {
      const callback = callbacks.get(row.vendor_type);
      if (!callback) continue;
      let params: Record<string, unknown> = {};
      try {
        params = JSON.parse(row.params) as Record<string, unknown>;
      } catch {
        // a hand-edited row: fire with no parameters
      }
      const spec = await callback(row, params);
      const won = await opts.schedules.fire(row, nextFire(row.cron, now), (tx: Db) => opts.jobs.enqueue({ ...spec, trigger: 'SCHEDULE' }, now, tx).then(() => {}), now);
      if (won) {
        fired = true;
        opts.log.info({ vendorType: row.vendor_type, vendorId: row.vendor_id, cron: row.cron }, 'schedule fired');
      }
    }
    if (fired) opts.wake();
  }

  return {
    /** The callback of a vendor type's schedules (GC, retention, audit purge ...). */
    on(vendorType: string, callback: ScheduleCallback): void {
      callbacks.set(vendorType, callback);
    },

    start(): void {
      const run = () => {
        if (ticking) return;
        ticking = tick()
          .catch((err) => opts.log.warn({ err }, 'scheduler tick failed; retrying'))
          .finally(() => {
            ticking = null;
          });
      };
      timer = setInterval(run, opts.tickMs ?? 1000);
      timer.unref();
      run();
    },

    async close(): Promise<void> {
      if (timer) clearInterval(timer);
      await ticking;
    },

    /** One tick now (tests). */
    tick,
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
