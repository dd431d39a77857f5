import type { JobStore } from '../../db/jobs.js';
import type { ScheduleStore } from '../../db/job-schedules.js';
import type { Principal } from '../../domain/identity/principal.js';
import { AppError } from '../../platform/errors.js';
import { schedulerQueue } from '../../jobs/scheduler.js';
import { requireSysadmin } from '../identity/guards.js';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Harbor's job service dashboard (/jobservice/*, /schedules): queues with their pending counts
 * and latency, pause/resume/stop-and-clean per queue, the worker pools of every instance and the
 * tasks their workers run, a job's log and stop. Job ids are task ids. Sysadmins only.
 */
export function createJobDashboard(deps: { store: JobStore; schedules: ScheduleStore; stopTask(taskId: number): Promise<boolean>; jobTypes(): string[] }) {
  const { store } = deps;

  /**
   * Every queue: the job types with a handler, whether or not anything is pending, and those the
   * store knows of (paused ones, another instance's). A queue that is empty at the moment of a
   * pause of `all` must be paused too, or the next job of its type runs.
   */
  async function allQueues() {
    const stored = await store.queues();
    const idle = deps.jobTypes().filter((t) => !stored.some((q) => q.jobType === t));
    return [...stored, ...idle.map((jobType) => ({ jobType, count: 0, latencySeconds: 0, paused: false }))].sort((a, b) => a.jobType.localeCompare(b.jobType));
  }

  async function knownTypes(): Promise<string[]> {
    return (await allQueues()).map((q) => q.jobType);
  }

  return {
    async queues(actor: Principal) {
      requireSysadmin(actor);
      return (await allQueues()).map((q) => ({ job_type: q.jobType, count: q.count, latency: q.latencySeconds, paused: q.paused }));
    },

    /** Harbor's actionPendingJobs: stop (and clean) the pending jobs, pause or resume a queue, or `all`. */
    async queueAction(actor: Principal, jobType: string, action: string): Promise<void> {
      requireSysadmin(actor);
      if (!['stop', 'pause', 'resume'].includes(action)) throw new AppError('BAD_REQUEST', `the action ${action} is not supported, should be stop, pause or resume`);
      const types = jobType === 'all' ? await knownTypes() : [jobType];
      if (action === 'stop') {
        await store.stopPending(jobType === 'all' ? null : jobType);
        return;
      }
      for (const t of types) await store.setPaused(t, action === 'pause');
    },

    async pools(actor: Principal) {
      requireSysadmin(actor);
      return (await store.pools()).map((p) => ({ pid: p.pid, worker_pool_id: p.id, start_at: iso(p.started_at), heartbeat_at: iso(p.heartbeat_at), concurrency: p.concurrency, host: p.host }));
    },

    /** The tasks running in a pool (or in `all`), one worker each. */
    async workers(actor: Principal, poolId: string) {
      requireSysadmin(actor);
      if (poolId !== 'all' && !(await store.pools()).some((p) => p.id === poolId)) throw new AppError('NOT_FOUND', `the worker pool ${poolId} is not found`);
      return (await store.running())
        .filter((t) => poolId === 'all' || t.lease_holder === poolId)
        .map((t) => ({
          id: `${t.lease_holder ?? ''}#${t.id}`,
          pool_id: t.lease_holder ?? '',
          job_name: t.job_type,
          job_id: String(t.id),
          ...(t.start_time !== null ? { start_at: iso(t.start_time) } : {}),
          check_in: t.progress_total > 0 ? `${t.progress_done}/${t.progress_total}` : String(t.progress_done),
          checkin_at: iso(t.update_time),
        }));
    },

    async jobLog(actor: Principal, jobId: string): Promise<string> {
      requireSysadmin(actor);
      const task = /^\d{1,15}$/.test(jobId) ? await store.task(Number(jobId)) : undefined;
      if (!task) throw new AppError('NOT_FOUND', `job ${jobId} is not found`);
      return store.logText(task.id);
    },

    async stopJob(actor: Principal, jobId: string): Promise<void> {
      requireSysadmin(actor);
      if (!/^\d{1,15}$/.test(jobId) || !(await deps.stopTask(Number(jobId)))) throw new AppError('NOT_FOUND', `job ${jobId} is not found`);
    },

    async schedules(actor: Principal, page: { limit: number; offset: number }) {
      requireSysadmin(actor);
      const { rows, total } = await deps.schedules.list(page);
      return { items: rows.map((s) => ({ id: s.id, vendor_type: s.vendor_type, vendor_id: s.vendor_id, cron: s.cron, update_time: iso(s.update_time) })), total };
    },

    /** Harbor answers only for `all`: whether the scheduler is paused. */
    async schedulerPaused(actor: Principal, jobType: string): Promise<{ paused: boolean }> {
      requireSysadmin(actor);
      if (jobType !== 'all') throw new AppError('BAD_REQUEST', `job_type can only be 'all'`);
      return { paused: await store.isPaused(schedulerQueue) };
    },
  };
}

export type JobDashboard = ReturnType<typeof createJobDashboard>;
