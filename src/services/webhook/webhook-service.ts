import type { JobStore } from '../../db/jobs.js';
import type { JobExecutionRow, JobStatus, JobTaskRow } from '../../db/schema.js';
import type { WebhookExecutionStore } from '../../db/webhook-executions.js';
import type { WebhookPolicyStore } from '../../db/webhook-policies.js';
import { principalName, type Principal } from '../../domain/identity/principal.js';
import { findCondition, parseQuery, parseSort } from '../../domain/query/harbor-query.js';
import { supportedEventTypes } from '../../domain/webhook/event-types.js';
import { lastTriggers, toWebhookJob } from '../../domain/webhook/deliveries.js';
import { type ApiWebhookPolicy, toApiPolicy, validatePolicy, type WebhookPolicyBody } from '../../domain/webhook/policy.js';
import { AppError } from '../../platform/errors.js';
import type { ProjectService } from '../identity/project-service.js';

const resource = 'notification-policy';
type Page = { limit: number; offset: number };
const iso = (ms: number | null) => (ms === null ? '' : new Date(Number(ms)).toISOString());

function parseAttrs(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Harbor's Execution, as the webhook executions list answers. */
export function toApiExecution(e: JobExecutionRow, counts: Partial<Record<JobStatus, number>> = {}) {
  const n = (s: JobStatus) => counts[s] ?? 0;
  return {
    id: e.id,
    vendor_type: e.vendor_type,
    vendor_id: Number(e.vendor_id),
    status: e.status,
    status_message: e.status_message,
    metrics: {
      task_count: n('Pending') + n('Running') + n('Success') + n('Error') + n('Stopped'),
      success_task_count: n('Success'),
      error_task_count: n('Error'),
      pending_task_count: n('Pending'),
      running_task_count: n('Running'),
      scheduled_task_count: 0,
      stopped_task_count: n('Stopped'),
    },
    trigger: e.trigger,
    extra_attrs: parseAttrs(e.extra_attrs),
    start_time: iso(e.start_time),
    end_time: iso(e.end_time),
  };
}

/** Harbor's Task; run_count is the attempts made so far. */
export function toApiTask(t: JobTaskRow) {
  return {
    id: t.id,
    execution_id: t.execution_id,
    status: t.status,
    status_message: t.status_message,
    run_count: t.attempts,
    extra_attrs: parseAttrs(t.extra_attrs),
    creation_time: iso(t.creation_time),
    update_time: iso(t.update_time),
    start_time: iso(t.start_time),
    end_time: iso(t.end_time),
  };
}

const sortColumns = { id: 'id', name: 'name', creation_time: 'creation_time', update_time: 'update_time' } as const;

/**
 * Harbor's webhook API (src/server/v2.0/handler/webhook.go): a project's policies, their
 * delivery executions, tasks and task logs, the last trigger of each policy and event type, the
 * supported event types, and the deprecated /webhook/jobs. Every call resolves the project with
 * the caller's right on notification-policy; a policy, execution or task id that is not the
 * project's (or the policy's, or the execution's) answers 404 like a missing one.
 */
export function createWebhookService(deps: { projects: Pick<ProjectService, 'resolve'>; policies: WebhookPolicyStore; executions: WebhookExecutionStore; jobs: Pick<JobStore, 'tasks' | 'task' | 'taskCounts' | 'logText'> }) {
  const { projects, policies, executions, jobs } = deps;

  async function project(actor: Principal, ref: string, byName: boolean, action: string) {
    return (await projects.resolve(actor, ref, byName, resource, action)).project;
  }

  async function policyOf(projectId: number, policyId: number) {
    const p = await policies.get(projectId, policyId);
    if (!p) throw new AppError('NOT_FOUND', `project id:${projectId}, webhook policy id: ${policyId} not found`);
    return p;
  }

  async function executionOf(policyId: number, executionId: number) {
    const e = await executions.inPolicy(policyId, executionId);
    if (!e) throw new AppError('NOT_FOUND', `execution ${executionId} not found in policy ${policyId}`);
    return e;
  }

  async function taskOf(executionId: number, taskId: number) {
    const t = await jobs.task(taskId);
    if (!t || t.execution_id !== executionId) throw new AppError('NOT_FOUND', `task ${taskId} not found in execution ${executionId}`);
    return t;
  }

  return {
    async list(actor: Principal, ref: string, byName: boolean, opts: { q?: string | undefined; sort?: string | undefined }, page: Page): Promise<{ items: ApiWebhookPolicy[]; total: number }> {
      const p = await project(actor, ref, byName, 'list');
      const conds = parseQuery(opts.q, ['name']);
      const name = findCondition(conds, 'name');
      const [s] = parseSort(opts.sort, Object.keys(sortColumns));
      const r = await policies.list(
        p.id,
        { name: name?.op === 'eq' ? name.value : undefined, fuzzyName: name?.op === 'like' ? name.value : undefined },
        { column: s ? sortColumns[s.key as keyof typeof sortColumns] : 'id', desc: s?.desc ?? false },
        page,
      );
      return { items: r.items.map(toApiPolicy), total: r.total };
    },

    async create(actor: Principal, ref: string, byName: boolean, body: WebhookPolicyBody): Promise<number> {
      const p = await project(actor, ref, byName, 'create');
      const spec = validatePolicy(body);
      return policies.create(p.id, spec, principalName(actor));
    },

    async get(actor: Principal, ref: string, byName: boolean, id: number): Promise<ApiWebhookPolicy> {
      const p = await project(actor, ref, byName, 'read');
      return toApiPolicy(await policyOf(p.id, id));
    },

    async update(actor: Principal, ref: string, byName: boolean, id: number, body: WebhookPolicyBody): Promise<void> {
      const p = await project(actor, ref, byName, 'update');
      const previous = await policyOf(p.id, id);
      const spec = validatePolicy(body, previous);
      if (!(await policies.update(p.id, id, spec))) await policyOf(p.id, id);
    },

    async delete(actor: Principal, ref: string, byName: boolean, id: number): Promise<void> {
      const p = await project(actor, ref, byName, 'delete');
      if (!(await policies.delete(p.id, id))) await policyOf(p.id, id);
    },

    async executions(actor: Principal, ref: string, byName: boolean, policyId: number, opts: { q?: string | undefined }, page: Page) {
      const p = await project(actor, ref, byName, 'read');
      await policyOf(p.id, policyId);
      const conds = parseQuery(opts.q, ['status']);
      const status = findCondition(conds, 'status');
      const statuses = status?.op === 'eq' ? [status.value] : status?.op === 'any' ? status.values : undefined;
      const { rows, total } = await executions.ofPolicy(policyId, { statuses }, page);
      const counts = await jobs.taskCounts(rows.map((r) => r.id));
      return { items: rows.map((r) => toApiExecution(r, counts.get(r.id))), total };
    },

    async tasks(actor: Principal, ref: string, byName: boolean, policyId: number, executionId: number, page: Page) {
      const p = await project(actor, ref, byName, 'read');
      await policyOf(p.id, policyId);
      await executionOf(policyId, executionId);
      const { rows, total } = await jobs.tasks(executionId, page);
      return { items: rows.map(toApiTask), total };
    },

    async taskLog(actor: Principal, ref: string, byName: boolean, policyId: number, executionId: number, taskId: number): Promise<string> {
      const p = await project(actor, ref, byName, 'read');
      await policyOf(p.id, policyId);
      await executionOf(policyId, executionId);
      await taskOf(executionId, taskId);
      return jobs.logText(taskId);
    },

    async lastTrigger(actor: Principal, ref: string, byName: boolean) {
      const p = await project(actor, ref, byName, 'read');
      const all = await policies.ofProject(p.id);
      const last = await executions.lastTriggers(all.map((x) => x.id));
      return lastTriggers(all, (id, type) => {
        const at = last.get(`${id} ${type}`);
        return at === undefined ? undefined : new Date(at);
      });
    },

    async eventTypes(actor: Principal, ref: string, byName: boolean) {
      await project(actor, ref, byName, 'read');
      return supportedEventTypes();
    },

    /** Harbor's deprecated webhook jobs: the policy's delivery executions, one task each. */
    async jobs(actor: Principal, ref: string, byName: boolean, policyId: number, statuses: string[], page: Page) {
      const p = await project(actor, ref, byName, 'list');
      await policyOf(p.id, policyId);
      const { rows, total } = await executions.ofPolicy(policyId, { statuses }, page);
      const items = rows.map((e) =>
        toWebhookJob({ id: e.id, vendorType: e.vendor_type, vendorId: Number(e.vendor_id), status: e.status, startTime: new Date(Number(e.start_time)), updateTime: new Date(Number(e.update_time)), extraAttrs: parseAttrs(e.extra_attrs) }),
      );
      return { items, total };
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
