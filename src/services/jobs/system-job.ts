import { ExecutionActive, type JobStore } from '../../db/jobs.js';
import type { ScheduleStore } from '../../db/job-schedules.js';
import type { JobExecutionRow } from '../../db/schema.js';
import { cronProblem, nextFire, presetCron, type ScheduleType } from '../../domain/schedule/cron.js';
import { principalName, type Principal } from '../../domain/identity/principal.js';
import { progressOf, type Progress } from '../../domain/jobs/progress.js';
import { AppError } from '../../platform/errors.js';
import { requireSysadmin } from '../identity/guards.js';

/** What the API sends: Harbor's `Schedule` body (`schedule.type`, `schedule.cron`, `parameters`). */
export interface ScheduleRequest {
  schedule?: { type?: string; cron?: string } | undefined;
  parameters?: Record<string, unknown> | undefined;
}

/** Harbor's ExecHistory, as its purge and GC history endpoints answer. */
export interface ExecHistory {
  id: number;
  job_name: string;
  job_kind: string;
  job_parameters: string;
  schedule: { type: string; cron?: string; next_scheduled_time?: string };
  job_status: string;
  deleted: boolean;
  creation_time: string;
  update_time: string;
  /** Haven's addition: how far the run got (a schedule has none). */
  progress?: Progress;
}

export interface SystemJobSpec {
  /** Harbor's vendor type: PURGE_AUDIT_LOG, GARBAGE_COLLECTION. */
  vendorType: string;
  /** Its job type (queue); one task per execution. */
  jobType: string;
  /** Words for messages ("log rotation purge", "gc"), as Harbor's. */
  what: string;
  /** Validates and normalises the parameters (throws AppError BAD_REQUEST). */
  parameters(raw: Record<string, unknown> | undefined): Record<string, unknown>;
  /**
   * A run now is refused (409) while a run is Pending or Running, and a scheduled firing then is
   * skipped (GC). Otherwise a second run waits behind the first (the purge: see JobHandler.alone).
   */
  exclusive?: boolean;
  /**
   * Task attributes shown in the execution's job_parameters, as Harbor's check-in copies them
   * into the execution (the purge: purged; GC checks its figures in itself): the portal's history
   * shows them.
   */
  resultKeys?: readonly string[];
}

/** The operator of a scheduled run, in its task's parameters (a run now names its caller). */
export const scheduleOperator = 'system';

export interface SystemJobDeps {
  store: JobStore;
  schedules: ScheduleStore;
  enqueue(spec: Parameters<JobStore['enqueue']>[0]): Promise<number>;
  stop(executionId: number): Promise<boolean>;
  now?: () => number;
}

const iso = (ms: number) => new Date(ms).toISOString();

function parseJson(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * A system-wide job run now or on a schedule, with Harbor's API shape (its /system/purgeaudit and
 * /system/gc): POST/PUT schedule (Manual runs it now, None removes the schedule, a preset or Custom
 * cron schedules it), GET schedule, history, one execution, its log, and stop. Sysadmins only.
 */
export function createSystemJob(deps: SystemJobDeps, spec: SystemJobSpec) {
  const now = deps.now ?? Date.now;

  /** The execution's parameters, with its task's results (one task per execution). */
  async function parametersOf(e: JobExecutionRow): Promise<string> {
    if (!spec.resultKeys?.length) return e.extra_attrs;
    const [task] = (await deps.store.tasks(e.id, { limit: 1, offset: 0 })).rows;
    if (!task) return e.extra_attrs;
    const attrs = parseJson(task.extra_attrs);
    const results = Object.fromEntries(spec.resultKeys.filter((k) => k in attrs).map((k) => [k, attrs[k]]));
    return Object.keys(results).length ? JSON.stringify({ ...parseJson(e.extra_attrs), ...results }) : e.extra_attrs;
  }

  async function history(e: JobExecutionRow, progress: Map<number, { done: number; total: number }>): Promise<ExecHistory> {
    const p = progress.get(e.id) ?? { done: 0, total: 0 };
    return {
      id: e.id,
      job_name: spec.vendorType,
      job_kind: e.trigger,
      job_parameters: await parametersOf(e),
      schedule: { type: e.trigger },
      job_status: e.status,
      deleted: false,
      creation_time: iso(e.start_time),
      update_time: iso(e.update_time),
      progress: progressOf(p.done, p.total, e.status),
    };
  }

  async function execution(actor: Principal, id: number): Promise<JobExecutionRow> {
    requireSysadmin(actor);
    const e = await deps.store.execution(id);
    // Another kind's execution answers as a missing one: ids are shared by every job kind.
    if (!e || e.vendor_type !== spec.vendorType) throw new AppError('NOT_FOUND', `${spec.what} job with id ${id} not found`);
    return e;
  }

  return {
    /** Manual: runs now and returns the execution id. None: removes the schedule. Else schedules. */
    async kick(actor: Principal, body: ScheduleRequest): Promise<number | null> {
      requireSysadmin(actor);
      const type = body.schedule?.type as ScheduleType | undefined;
      if (!body.schedule || !type) throw new AppError('BAD_REQUEST', "schedule cann't be empty");
      if (type === 'None') {
        await deps.schedules.remove(spec.vendorType);
        return null;
      }
      const parameters = spec.parameters(body.parameters);
      if (type === 'Manual') {
        // The operator goes to the task only: the history's job_parameters stay Harbor's.
        const params = { ...parameters, operator: principalName(actor) };
        try {
          return await deps.enqueue({ vendorType: spec.vendorType, trigger: 'MANUAL', extraAttrs: parameters, tasks: [{ jobType: spec.jobType, params }], exclusive: spec.exclusive === true });
        } catch (err) {
          // Harbor's refusal (its admin job API, which served /api/v2.0/system/gc until 2.2).
          if (err instanceof ExecutionActive) throw new AppError('CONFLICT', `reject job submitting: job ${spec.vendorType} with ID ${err.active.id} is ${err.active.status}`);
          throw err;
        }
      }
      if (!['Hourly', 'Daily', 'Weekly', 'Custom'].includes(type)) throw new AppError('BAD_REQUEST', `invalid schedule type: ${type}`);
      // Harbor's portal sends the preset's cron with it; a preset without one means the preset's.
      const cron = body.schedule.cron || (type in presetCron ? presetCron[type as keyof typeof presetCron] : '');
      const problem = cronProblem(cron);
      if (problem) throw new AppError('BAD_REQUEST', `invalid cron string for scheduled ${spec.what}: ${cron}, error: ${problem}`);
      const next = nextFire(cron, now());
      if (next === null) throw new AppError('BAD_REQUEST', `invalid cron string for scheduled ${spec.what}: ${cron}, error: it never fires`);
      await deps.schedules.put({ vendorType: spec.vendorType, cronType: type, cron, params: parameters }, next, now());
      return null;
    },

    /** Harbor answers 200 with an empty body when there is no schedule. */
    async schedule(actor: Principal): Promise<ExecHistory | null> {
      requireSysadmin(actor);
      const s = await deps.schedules.get(spec.vendorType);
      if (!s) return null;
      return {
        id: s.id,
        job_name: '',
        job_kind: s.cron,
        job_parameters: s.params,
        schedule: { type: s.cron_type, cron: s.cron, next_scheduled_time: iso(s.next_fire) },
        job_status: '',
        deleted: false,
        creation_time: iso(s.creation_time),
        update_time: iso(s.update_time),
      };
    },

    async history(actor: Principal, page: { limit: number; offset: number }): Promise<{ items: ExecHistory[]; total: number }> {
      requireSysadmin(actor);
      const { rows, total } = await deps.store.executions({ vendorType: spec.vendorType }, page);
      const progress = await deps.store.progress(rows.map((r) => r.id));
      return { items: await Promise.all(rows.map((r) => history(r, progress))), total };
    },

    async get(actor: Principal, id: number): Promise<ExecHistory> {
      const e = await execution(actor, id);
      return history(e, await deps.store.progress([e.id]));
    },

    /** The log of the execution's task, as text. */
    async log(actor: Principal, id: number): Promise<string> {
      await execution(actor, id);
      const [task] = (await deps.store.tasks(id, { limit: 1, offset: 0 })).rows;
      if (!task) throw new AppError('NOT_FOUND', `${spec.what} job with execution ID: ${id} taskLog is not found`);
      return deps.store.logText(task.id);
    },

    async stop(actor: Principal, id: number): Promise<void> {
      await execution(actor, id);
      await deps.stop(id);
    },

    /** What the scheduler queues when this job's schedule fires. */
    scheduled(params: Record<string, unknown>) {
      return {
        vendorType: spec.vendorType,
        trigger: 'SCHEDULE' as const,
        extraAttrs: params,
        tasks: [{ jobType: spec.jobType, params: { ...params, operator: scheduleOperator } }],
        exclusive: spec.exclusive === true,
      };
    },
  };
}

export type SystemJob = ReturnType<typeof createSystemJob>;
