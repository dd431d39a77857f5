import type { Db } from '../db/database.js';
import { ExecutionActive, type ExecutionSpec, type JobStore } from '../db/jobs.js';
import type { ScheduleStore } from '../db/job-schedules.js';
import type { JobScheduleRow } from '../db/schema.js';
import { nextFire } from '../domain/schedule/cron.js';
import type { Logger } from '../platform/logger.js';

/** The queue name whose pause stops every schedule from firing, as Harbor's. */
export const schedulerQueue = 'SCHEDULER';

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
  const fallbacks = new Map<string, () => Promise<unknown>>();
  /** When each schedule's fallback last ran, so it keeps the schedule's period. */
  const lastFallback = new Map<number, number>();
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<void> | null = null;

  async function tick(): Promise<void> {
    // Harbor pauses its scheduler as the SCHEDULER queue (/jobservice/queues/SCHEDULER, pause).
    if (await opts.jobs.isPaused(schedulerQueue)) return;
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
      const next = nextFire(row.cron, now);
      let won: boolean;
      const skipped: { by: ExecutionActive['active'] | null } = { by: null };
      // An exclusive job (GC) still running when its schedule fires: this firing is skipped (the
      // schedule moves on). Queued behind, it would run right after a run that just did the work.
      const queue = (tx: Db) => {
        skipped.by = null;
        return opts.jobs.enqueue({ ...spec, trigger: 'SCHEDULE' }, now, tx).then(
          () => {},
          (err: unknown) => {
            if (!(err instanceof ExecutionActive)) throw err;
            skipped.by = err.active;
          },
        );
      };
      try {
        won = await opts.schedules.fire(row, next, queue, now);
      } catch (err) {
        await runFallback(row, next, now, err);
        continue;
      }
      if (won && skipped.by) {
        opts.log.info({ vendorType: row.vendor_type, vendorId: row.vendor_id, cron: row.cron, active: skipped.by.id, status: skipped.by.status }, 'schedule fired while its previous run is not over: skipped');
      } else if (won) {
        fired = true;
        opts.log.info({ vendorType: row.vendor_type, vendorId: row.vendor_id, cron: row.cron }, 'schedule fired');
      }
    }
    if (fired) opts.wake();
  }

  /**
   * Work that frees space must not depend on writing first: when the database cannot record a
   * firing (a full disk), a schedule with a fallback runs it in this process, unrecorded, once per
   * period, until the firing can be recorded again.
   */
  async function runFallback(row: JobScheduleRow, next: number | null, now: number, err: unknown): Promise<void> {
    const fallback = fallbacks.get(row.vendor_type);
    if (!fallback) throw err;
    const period = next === null ? Infinity : next - now;
    const last = lastFallback.get(row.id);
    if (last !== undefined && now - last < period) return;
    lastFallback.set(row.id, now);
    opts.log.warn({ err, vendorType: row.vendor_type }, 'could not record a schedule firing; running its work without a record');
    await fallback();
  }

  return {
    /**
     * The callback of a vendor type's schedules (GC, retention, audit purge ...); `fallback`, for
     * space-freeing work, runs it directly when the database cannot record the firing.
     */
    on(vendorType: string, callback: ScheduleCallback, fallback?: () => Promise<unknown>): void {
      callbacks.set(vendorType, callback);
      if (fallback) fallbacks.set(vendorType, fallback);
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
