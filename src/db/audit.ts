import { dialectOf, transaction } from './transaction.js';
import { sql } from 'kysely';
import type { Db } from './database.js';
import type { AuditLogRow } from './schema.js';
import { escapeLike, likeEscaped, prepared } from './sql-helpers.js';

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

/** A text column's filter: exact, substring (Harbor's `~`) or one of a list (`{a b}`). */
export type TextFilter = string | { eq: string } | { like: string } | { any: string[] };

export interface AuditQuery {
  operation?: TextFilter;
  username?: TextFilter;
  resource?: TextFilter;
  resourceType?: TextFilter;
  projectId?: number;
  /** Only records of projects where this user is a member with one of these role ids. */
  memberOf?: { userId: number; roleIds: number[] };
  from?: number;
  to?: number;
}

export function createAuditStore(db: Db) {
  const filtered = (q: AuditQuery) => {
    let s = db.selectFrom('audit_logs');
    const text = (column: 'operation' | 'username' | 'resource' | 'resource_type', f: TextFilter | undefined) => {
      if (f === undefined) return;
      if (typeof f === 'string') s = s.where(column, '=', f);
      else if ('eq' in f) s = s.where(column, '=', f.eq);
      else if ('like' in f) s = s.where(likeEscaped(column, `%${escapeLike(f.like)}%`));
      else s = f.any.length === 0 ? s.where(sql<boolean>`1 = 0`) : s.where(column, 'in', f.any);
    };
    text('operation', q.operation);
    text('username', q.username);
    text('resource', q.resource);
    text('resource_type', q.resourceType);
    if (q.projectId !== undefined) s = s.where('project_id', '=', q.projectId);
    if (q.memberOf !== undefined) {
      const { userId, roleIds } = q.memberOf;
      s =
        roleIds.length === 0
          ? s.where(sql<boolean>`1 = 0`)
          : s.where(({ exists, selectFrom }) =>
              exists(
                selectFrom('project_members as m')
                  .select('m.id')
                  .whereRef('m.project_id', '=', 'audit_logs.project_id')
                  .where('m.user_id', '=', userId)
                  .where('m.role_id', 'in', roleIds),
              ),
            );
    }
    if (q.from !== undefined) s = s.where('op_time', '>=', q.from);
    if (q.to !== undefined) s = s.where('op_time', '<=', q.to);
    return s;
  };

  const insertOne = prepared(
    db,
    (q, projectId: number | null, operation: string, resourceType: string, resource: string, username: string, clientIp: string, success: number, time: number) =>
      q.insertInto('audit_logs').values({ project_id: projectId, operation, resource_type: resourceType, resource, username, client_ip: clientIp, success, op_time: time }),
  );

  return {
    async insertMany(records: AuditRecord[]): Promise<void> {
      if (records.length === 0) return;
      if (dialectOf(db) === 'postgres') {
        // On PostgreSQL each statement is a network round trip, which cost more than the rest of
        // a pull: one statement for the batch, the same text whatever its length (arrays, unnested).
        const col = <K extends keyof AuditRecord>(k: K) => records.map((r) => r[k]);
        await sql`insert into audit_logs (project_id, operation, resource_type, resource, username, client_ip, success, op_time)
          select * from unnest(${col('projectId')}::bigint[], ${col('operation')}::text[], ${col('resourceType')}::text[], ${col('resource')}::text[],
            ${col('username')}::text[], ${col('clientIp')}::text[], ${records.map((r) => (r.success ? 1 : 0))}::int[], ${col('time')}::bigint[])`.execute(db);
        return;
      }
      // One prepared row insert per record: SQLite runs a reused statement in microseconds,
      // while building a 200-row insert cost more than running it (pulls are audited by the thousand).
      await transaction(db, async (tx) => {
        for (const r of records) {
          await insertOne(tx, r.projectId, r.operation, r.resourceType, r.resource, r.username, r.clientIp, r.success ? 1 : 0, r.time);
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

    /**
     * Audit records older than `before` whose operation (`create`) or event type
     * (`create_artifact`: operation and resource type) is in `include`, lowercased as Harbor
     * compares them; deleted in batches (or counted, for a dry run) so a large purge never holds
     * the database's writer for long. `onBatch` sees the running total and may stop the purge.
     */
    async purgeMatching(before: number, include: string[], dryRun: boolean, onBatch?: (done: number) => void, signal?: AbortSignal): Promise<number> {
      if (include.length === 0) return 0;
      const match = db
        .selectFrom('audit_logs')
        .select('id')
        .where('op_time', '<', before)
        .where((eb) => eb.or([eb(sql`lower(operation)`, 'in', include), eb(sql`lower(operation) || '_' || lower(resource_type)`, 'in', include)]));
      if (dryRun) {
        const r = await db.selectFrom(match.as('m')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        return Number(r.n);
      }
      let done = 0;
      for (;;) {
        signal?.throwIfAborted();
        const r = await db.deleteFrom('audit_logs').where('id', 'in', match.orderBy('id').limit(5000)).executeTakeFirst();
        const n = Number(r.numDeletedRows);
        done += n;
        onBatch?.(done);
        if (n < 5000) return done;
      }
    },

    async purgeBefore(time: number): Promise<number> {
      const r = await db.deleteFrom('audit_logs').where('op_time', '<', time).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}

export type AuditStore = ReturnType<typeof createAuditStore>;
