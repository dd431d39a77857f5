import { sql } from 'kysely';
import type { Db } from './database.js';
import { blobFitsCheck, recountUsage } from './quota-ledger.js';

/** A quota with what Harbor's Quota JSON shows of its project. */
export interface QuotaRow {
  id: number;
  projectId: number;
  projectName: string;
  ownerName: string | null;
  hard: number;
  used: number;
  createdAt: number;
  updatedAt: number;
}

export interface QuotaFilter {
  /** Harbor's reference_id: the project id, as given. */
  projectId?: number;
  /** Harbor's reference other than "project": matches nothing. */
  none?: boolean;
}

export type QuotaSortKey = 'creation_time' | 'update_time' | 'hard.storage' | 'used.storage';

/** Harbor sorts an unlimited (-1) limit above every number. */
const sortExpr: Record<QuotaSortKey, ReturnType<typeof sql>> = {
  creation_time: sql`q.created_at`,
  update_time: sql`q.updated_at`,
  'hard.storage': sql`case when q.hard_storage < 0 then 9223372036854775807 else q.hard_storage end`,
  'used.storage': sql`q.used_storage`,
};

export function createQuotaStore(db: Db) {
  const base = (f: QuotaFilter) => {
    let q = db.selectFrom('quotas as q').innerJoin('projects as p', 'p.id', 'q.project_id');
    if (f.projectId !== undefined) q = q.where('q.project_id', '=', f.projectId);
    if (f.none) q = q.where(sql<boolean>`1 = 0`);
    return q;
  };
  const rows = (f: QuotaFilter) =>
    base(f)
      .leftJoin('users as o', 'o.id', 'p.owner_id')
      .select(['q.id', 'q.project_id', 'p.name', 'o.username', 'q.hard_storage', 'q.used_storage', 'q.created_at', 'q.updated_at']);
  type Raw = Awaited<ReturnType<ReturnType<typeof rows>['execute']>>[number];
  const toRow = (r: Raw): QuotaRow => ({
    id: r.id,
    projectId: r.project_id,
    projectName: r.name,
    ownerName: r.username,
    hard: Number(r.hard_storage),
    used: Number(r.used_storage),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  });

  return {
    async list(f: QuotaFilter, page: { offset: number; limit: number }, sort: Array<{ key: QuotaSortKey; desc: boolean }>): Promise<{ rows: QuotaRow[]; total: number }> {
      let q = rows(f);
      // Harbor's default: newest first.
      for (const s of sort.length > 0 ? sort : [{ key: 'creation_time' as const, desc: true }]) q = q.orderBy(sortExpr[s.key], s.desc ? 'desc' : 'asc');
      const [items, total] = await Promise.all([
        q.orderBy('q.id').offset(page.offset).limit(page.limit).execute(),
        base(f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { rows: items.map(toRow), total: Number(total.n) };
    },

    async byId(id: number): Promise<QuotaRow | null> {
      const r = await rows({}).where('q.id', '=', id).executeTakeFirst();
      return r ? toRow(r) : null;
    },

    async ofProject(projectId: number): Promise<QuotaRow | null> {
      const r = await rows({ projectId }).executeTakeFirst();
      return r ? toRow(r) : null;
    },

    /** Sets the hard limit; false when there is no such quota. Usage may be above it (as Harbor). */
    async setHard(id: number, hard: number, now = Date.now()): Promise<boolean> {
      const r = await db.updateTable('quotas').set({ hard_storage: hard, updated_at: now }).where('id', '=', id).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /** Throws Harbor's DENIED when a blob the project does not hold yet would pass its limit. */
    checkBlob: blobFitsCheck(db),

    recount: (projectId: number) => recountUsage(db, projectId),
  };
}

export type QuotaStore = ReturnType<typeof createQuotaStore>;
