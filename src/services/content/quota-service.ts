import type { Principal } from '../../domain/identity/principal.js';
import { parseSort } from '../../domain/query/harbor-query.js';
import { invalidLimit } from '../../domain/quota/quota-math.js';
import type { QuotaRow, QuotaSortKey, QuotaStore } from '../../db/quotas.js';
import { AppError } from '../../platform/errors.js';
import { requireSysadmin } from '../identity/guards.js';

/** Harbor's Quota JSON. */
export interface QuotaView {
  id: number;
  ref: { id: number; name: string; owner_name: string };
  hard: { storage: number };
  used: { storage: number };
  creation_time: string;
  update_time: string;
}

const sortKeys: readonly QuotaSortKey[] = ['creation_time', 'update_time', 'hard.storage', 'used.storage'];

function toView(q: QuotaRow): QuotaView {
  return {
    id: q.id,
    ref: { id: q.projectId, name: q.projectName, owner_name: q.ownerName ?? '' },
    hard: { storage: q.hard },
    used: { storage: q.used },
    creation_time: new Date(q.createdAt).toISOString(),
    update_time: new Date(q.updatedAt).toISOString(),
  };
}

const notFound = (id: number) => new AppError('NOT_FOUND', `quota ${id} not found`);

/** Harbor's /quotas: system administrators only, as Harbor's RequireSystemAccess on the quota resource. */
export function createQuotaService(deps: { quotas: Pick<QuotaStore, 'list' | 'byId' | 'setHard'> }) {
  const { quotas } = deps;
  return {
    async list(actor: Principal, filter: { reference?: string | undefined; reference_id?: string | undefined; sort?: string | undefined }, page: { offset: number; limit: number }) {
      requireSysadmin(actor);
      const sort = parseSort(filter.sort, sortKeys).map((s) => ({ key: s.key as QuotaSortKey, desc: s.desc }));
      // Projects are the only reference Harbor (and Haven) has quotas for.
      const none = (filter.reference !== undefined && filter.reference !== '' && filter.reference !== 'project')
        || (filter.reference_id !== undefined && filter.reference_id !== '' && !/^\d{1,10}$/.test(filter.reference_id));
      const projectId = filter.reference_id && !none ? Number(filter.reference_id) : undefined;
      const { rows, total } = await quotas.list({ none, ...(projectId !== undefined ? { projectId } : {}) }, page, sort);
      return { items: rows.map(toView), total };
    },

    async get(actor: Principal, id: number): Promise<QuotaView> {
      requireSysadmin(actor);
      const q = await quotas.byId(id);
      if (!q) throw notFound(id);
      return toView(q);
    },

    /** Harbor's updateQuota: any valid limit, also one below current usage (pushes stop until it is freed). */
    async update(actor: Principal, id: number, hard: Record<string, number> | undefined): Promise<void> {
      requireSysadmin(actor);
      if (!hard || Object.keys(hard).length === 0) throw new AppError('BAD_REQUEST', 'hard required in body');
      if (!(await quotas.byId(id))) throw notFound(id);
      for (const name of Object.keys(hard)) if (name !== 'storage') throw new AppError('BAD_REQUEST', `resource ${name.slice(0, 64)} not support`);
      const storage = hard.storage;
      if (storage === undefined) throw new AppError('BAD_REQUEST', 'resource storage not found');
      const invalid = invalidLimit(storage);
      if (invalid) throw new AppError('BAD_REQUEST', invalid);
      if (!(await quotas.setHard(id, storage))) throw notFound(id);
    },
  };
}

export type QuotaService = ReturnType<typeof createQuotaService>;
