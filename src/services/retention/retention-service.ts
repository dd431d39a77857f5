import type { JobStore } from '../../db/jobs.js';
import { type RetentionStore, retentionVendorType, type ScheduleChange, type StoredPolicy } from '../../db/retention.js';
import type { JobExecutionRow, JobTaskRow } from '../../db/schema.js';
import { principalName, type Principal } from '../../domain/identity/principal.js';
import { retentionMetadata } from '../../domain/retention/metadata.js';
import { type CronCheck, parseRetentionPolicy, type RetentionPolicy } from '../../domain/retention/policy.js';
import { cronProblem, nextFire } from '../../domain/schedule/cron.js';
import { progressOf, type Progress } from '../../domain/jobs/progress.js';
import type { ExecutionSpec } from '../../db/jobs.js';
import { AppError, isAppError } from '../../platform/errors.js';
import { requireLogin } from '../identity/guards.js';
import type { ProjectService } from '../identity/project-service.js';
import type { RetentionJobs } from './retention-job.js';
import { eventOrigin } from '../../events/event-context.js';

/** Harbor's RetentionExecution. */
export interface RetentionExecutionView {
  id: number;
  policy_id: number;
  start_time: string;
  end_time: string;
  status: string;
  trigger: string;
  dry_run: boolean;
  /** Haven's addition: artifacts handled of those to delete, over every repository's task. */
  progress: Progress;
}

/** Harbor's RetentionExecutionTask. */
export interface RetentionTaskView {
  id: number;
  execution_id: number;
  repository: string;
  job_id: string;
  status: string;
  status_code: number;
  status_revision: number;
  start_time: string;
  end_time: string;
  total: number;
  retained: number;
  /** Haven's addition: artifacts deleted of those to delete in this repository. */
  progress: Progress;
}

export interface RetentionServiceDeps {
  store: RetentionStore;
  jobs: Pick<JobStore, 'execution' | 'executions' | 'task' | 'tasks' | 'logText' | 'progress'>;
  enqueue(spec: ExecutionSpec): Promise<number>;
  stop(executionId: number): Promise<boolean>;
  runs: Pick<RetentionJobs, 'runSpec'>;
  projects: Pick<ProjectService, 'resolve'>;
  now?: () => number;
}

interface SelectorMetadataView {
  display_text: string;
  kind: string;
  decorations: string[];
}

/** Harbor's RetentionMetadata. */
export interface RetentionMetadataView {
  templates: Array<{ rule_template: string; display_text: string; action: string; params: Array<{ type: string; unit: string; required: boolean }> }>;
  scope_selectors: SelectorMetadataView[];
  tag_selectors: SelectorMetadataView[];
}

type Page = { limit: number; offset: number };

/** Go's zero time, which Harbor shows for a run or task that has not ended. */
const zeroTime = '0001-01-01T00:00:00Z';
const iso = (ms: number | null) => (ms === null || ms === undefined ? zeroTime : new Date(Number(ms)).toISOString());
/** Harbor's job.Status(...).Code(). */
const statusCode: Record<string, number> = { Pending: 0, Scheduled: 1, Running: 2, Stopped: 3, Error: 3, Success: 3 };

function attrs(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Harbor's cron rule for retention (utils.ValidateCronString), plus: a cron that never fires is refused too. */
const checkCron: CronCheck = (cron) => {
  const problem = cronProblem(cron);
  if (problem) return problem;
  return nextFire(cron, Date.now()) === null ? 'it never fires' : undefined;
};

/**
 * Harbor's /retentions API (server/v2.0/handler/retention.go). A policy belongs to one project
 * and every call checks the caller's right on THAT project (resource tag-retention); ids in the
 * path are checked against each other (execution of this policy, task of this execution), so an
 * id from another project's policy is a 404 and changes nothing (Harbor's CVE-2022-31666 class).
 */
export function createRetentionService(deps: RetentionServiceDeps) {
  const { store, projects } = deps;
  const now = deps.now ?? Date.now;

  const policyNotFound = (id: number) => new AppError('NOT_FOUND', `retention policy ${id} not found`);

  /**
   * The policy and the caller's right on its project. A project the caller may not see answers
   * exactly as a missing policy, so policy ids of private projects cannot be probed.
   */
  async function policyFor(actor: Principal, id: number, action: string): Promise<StoredPolicy> {
    requireLogin(actor);
    const stored = await store.get(id);
    if (!stored) throw policyNotFound(id);
    try {
      await projects.resolve(actor, String(stored.projectId), false, 'tag-retention', action);
    } catch (err) {
      if (isAppError(err) && err.status === 404) throw policyNotFound(id);
      throw err;
    }
    return stored;
  }

  /** Harbor's requirePolicyAccess: the project's retention_id names this policy. */
  async function requireBound(p: StoredPolicy): Promise<void> {
    if ((await store.boundPolicy(p.projectId)) !== String(p.id)) throw new AppError('NOT_FOUND', `the retention policy id ${p.id} does not match`);
  }

  const executionNotFound = (p: StoredPolicy, eid: number) => new AppError('NOT_FOUND', `project: ${p.projectId}, execution id ${eid} not found`);

  /** Harbor's requireExecutionInProject: a retention execution of THIS policy. */
  async function executionOf(p: StoredPolicy, eid: number): Promise<JobExecutionRow> {
    const e = await deps.jobs.execution(eid);
    if (!e || e.vendor_type !== retentionVendorType || Number(e.vendor_id) !== p.id) throw executionNotFound(p, eid);
    return e;
  }

  function schedule(policy: RetentionPolicy, policyId: number, before: string | null): ScheduleChange {
    const cron = typeof policy.trigger.settings.cron === 'string' ? policy.trigger.settings.cron : '';
    if (cron === '') return before ? 'remove' : 'keep';
    if (cron === before) return 'keep';
    const next = nextFire(cron, now());
    if (next === null) throw new AppError('BAD_REQUEST', `invalid cron string for scheduled tag retention: ${cron}, error: it never fires`);
    return { put: { vendorType: retentionVendorType, vendorId: policyId, cronType: 'Custom', cron, params: { policy_id: policyId } }, next };
  }

  function view(p: StoredPolicy): RetentionPolicy & { id: number } {
    return { ...p.policy, id: p.id, scope: { level: 'project', ref: p.projectId } };
  }

  function executionView(e: JobExecutionRow, progress: Map<number, { done: number; total: number }>): RetentionExecutionView {
    const a = attrs(e.extra_attrs);
    const p = progress.get(Number(e.id)) ?? { done: 0, total: 0 };
    return {
      id: Number(e.id),
      policy_id: Number(e.vendor_id),
      start_time: iso(e.start_time),
      end_time: iso(e.end_time),
      status: e.status,
      trigger: e.trigger,
      dry_run: a.dry_run === true,
      progress: progressOf(p.done, p.total, e.status),
    };
  }

  function taskView(t: JobTaskRow): RetentionTaskView {
    const a = attrs(t.extra_attrs);
    return {
      id: Number(t.id),
      execution_id: Number(t.execution_id),
      repository: typeof a.repository === 'string' ? a.repository : '',
      job_id: String(t.id),
      status: t.status,
      status_code: statusCode[t.status] ?? -1,
      status_revision: Number(t.update_time),
      start_time: iso(t.start_time),
      end_time: iso(t.end_time),
      total: Number(a.total ?? 0),
      retained: Number(a.retained ?? 0),
      progress: progressOf(Number(t.progress_done), Number(t.progress_total), t.status),
    };
  }

  return {
    metadatas(actor: Principal): RetentionMetadataView {
      requireLogin(actor);
      // A deep copy: the shared constant is readonly.
      return JSON.parse(JSON.stringify(retentionMetadata)) as RetentionMetadataView;
    },

    /** POST /retentions: the new policy's id (the project's `retention_id` is set with it). */
    async create(actor: Principal, body: unknown): Promise<number> {
      requireLogin(actor);
      const policy = parseRetentionPolicy(body, { checkCron });
      const ref = policy.scope.ref;
      try {
        await projects.resolve(actor, String(ref), false, 'tag-retention', 'create');
      } catch (err) {
        // Harbor: a project that is not there is a bad scope reference.
        if (isAppError(err) && err.status === 404) throw new AppError('BAD_REQUEST', `invalid Project id ${ref}`);
        throw err;
      }
      const r = await store.create(ref, policy, (id) => schedule(policy, id, null), now());
      if (r.kind === 'missing') throw new AppError('BAD_REQUEST', `invalid Project id ${ref}`);
      if (r.kind === 'exists') throw new AppError('BAD_REQUEST', `project ${ref} already has retention policy ${r.id}`);
      return r.id;
    },

    async get(actor: Principal, id: number): Promise<RetentionPolicy & { id: number }> {
      return view(await policyFor(actor, id, 'read'));
    },

    /**
     * PUT /retentions/{id}: the id is the path's and the project the stored one, whatever the
     * body says (a body naming another project's id must not move the policy there).
     */
    async update(actor: Principal, id: number, body: unknown): Promise<void> {
      const stored = await policyFor(actor, id, 'update');
      await requireBound(stored);
      const raw = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
      const scope = raw.scope && typeof raw.scope === 'object' ? (raw.scope as Record<string, unknown>) : {};
      const policy = parseRetentionPolicy({ ...raw, id, scope: { level: scope.level ?? 'project', ref: stored.projectId } }, { checkCron });
      if (!(await store.update(id, policy, schedule(policy, id, stored.cron || null), now()))) throw policyNotFound(id);
    },

    async delete(actor: Principal, id: number): Promise<void> {
      await policyFor(actor, id, 'delete');
      if (!(await store.delete(id, now()))) throw policyNotFound(id);
    },

    /** POST /retentions/{id}/executions: the new execution's id. */
    async trigger(actor: Principal, id: number, dryRun: boolean): Promise<number> {
      const p = await policyFor(actor, id, 'update');
      return deps.enqueue(await deps.runs.runSpec(p.id, p.projectId, p.policy, 'MANUAL', dryRun, principalName(actor), eventOrigin().host));
    },

    async executions(actor: Principal, id: number, page: Page): Promise<{ items: RetentionExecutionView[]; total: number }> {
      await policyFor(actor, id, 'list');
      const { rows, total } = await deps.jobs.executions({ vendorType: retentionVendorType, vendorId: id }, page);
      const progress = await deps.jobs.progress(rows.map((r) => r.id));
      return { items: rows.map((r) => executionView(r, progress)), total };
    },

    /** PATCH /retentions/{id}/executions/{eid}: only "stop". */
    async operate(actor: Principal, id: number, eid: number, action: string | undefined): Promise<void> {
      if (action !== 'stop') throw new AppError('BAD_REQUEST', "action should be 'stop'");
      const p = await policyFor(actor, id, 'update');
      await requireBound(p);
      await executionOf(p, eid);
      await deps.stop(eid);
    },

    async tasks(actor: Principal, id: number, eid: number, page: Page): Promise<{ items: RetentionTaskView[]; total: number }> {
      const p = await policyFor(actor, id, 'list');
      await requireBound(p);
      await executionOf(p, eid);
      const { rows, total } = await deps.jobs.tasks(eid, page);
      return { items: rows.map(taskView), total };
    },

    /** GET …/tasks/{tid}: the task's log as text. */
    async log(actor: Principal, id: number, eid: number, tid: number): Promise<string> {
      const p = await policyFor(actor, id, 'read');
      await requireBound(p);
      await executionOf(p, eid);
      const t = await deps.jobs.task(tid);
      if (!t || Number(t.execution_id) !== eid) throw executionNotFound(p, eid);
      return deps.jobs.logText(tid);
    },
  };
}

export type RetentionService = ReturnType<typeof createRetentionService>;
