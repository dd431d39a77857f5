import type { Db } from './database.js';
import type { AuditLogRow } from './schema.js';

export interface AuditRecord {
  projectId: number | null;
  operation: string;
  resourceType: string;
  resource: string;
  username: string;
  clientIp: string;
  success: boolean;
  time: number;
}

export interface AuditQuery {
  operation?: string;
  username?: string;
  resource?: string;
  resourceType?: string;
  projectId?: number;
  from?: number;
  to?: number;
}

export function createAuditStore(db: Db) {
  const filtered = (q: AuditQuery) => {
    let s = db.selectFrom('audit_logs');
    if (q.operation !== undefined) s = s.where('operation', '=', q.operation);
    if (q.username !== undefined) s = s.where('username', '=', q.username);
    if (q.resource !== undefined) s = s.where('resource', '=', q.resource);
    if (q.resourceType !== undefined) s = s.where('resource_type', '=', q.resourceType);
    if (q.projectId !== undefined) s = s.where('project_id', '=', q.projectId);
    if (q.from !== undefined) s = s.where('op_time', '>=', q.from);
    if (q.to !== undefined) s = s.where('op_time', '<=', q.to);
    return s;
  };

  return {
    async insertMany(records: AuditRecord[]): Promise<void> {
      if (records.length === 0) return;
      await db.transaction().execute(async (tx) => {
        for (let i = 0; i < records.length; i += 200) {
          await tx
            .insertInto('audit_logs')
            .values(
              records.slice(i, i + 200).map((r) => ({
                project_id: r.projectId,
                operation: r.operation,
                resource_type: r.resourceType,
                resource: r.resource,
                username: r.username,
                client_ip: r.clientIp,
                success: r.success ? 1 : 0,
                op_time: r.time,
              })),
            )
            .execute();
        }
      });
    },

    async list(q: AuditQuery, page: { offset: number; limit: number }, desc = true): Promise<{ rows: AuditLogRow[]; total: number }> {
      const [rows, total] = await Promise.all([
        filtered(q).selectAll().orderBy('op_time', desc ? 'desc' : 'asc').orderBy('id', desc ? 'desc' : 'asc').offset(page.offset).limit(page.limit).execute(),
        filtered(q).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { rows, total: Number(total.n) };
    },

    async purgeBefore(time: number): Promise<number> {
      const r = await db.deleteFrom('audit_logs').where('op_time', '<', time).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}

export type AuditStore = ReturnType<typeof createAuditStore>;
