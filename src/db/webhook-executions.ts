import type { Db } from './database.js';
import type { JobExecutionRow, JobStatus } from './schema.js';

/** The vendor types of delivery executions (Harbor's WEBHOOK and SLACK job vendors). */
export const deliveryVendorTypes = ['WEBHOOK', 'SLACK'] as const;

/**
 * Reads of the delivery executions of webhook policies: an execution's vendor id is its
 * policy's id, its extra_attrs start with the event type (the consumer writes them so).
 */
export function createWebhookExecutionStore(db: Db) {
  return {
    async ofPolicy(policyId: number, filter: { statuses?: string[] | undefined }, page: { limit: number; offset: number }): Promise<{ rows: JobExecutionRow[]; total: number }> {
      let q = db.selectFrom('job_executions').where('vendor_type', 'in', [...deliveryVendorTypes]).where('vendor_id', '=', policyId);
      if (filter.statuses && filter.statuses.length > 0) q = q.where('status', 'in', filter.statuses as JobStatus[]);
      const [rows, total] = await Promise.all([
        q.selectAll().orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { rows, total: Number(total.n) };
    },

    /** The execution, only when it is a delivery of this policy. */
    async inPolicy(policyId: number, executionId: number): Promise<JobExecutionRow | undefined> {
      return db
        .selectFrom('job_executions')
        .selectAll()
        .where('id', '=', executionId)
        .where('vendor_type', 'in', [...deliveryVendorTypes])
        .where('vendor_id', '=', policyId)
        .executeTakeFirst();
    },

    /** When each policy last caused a delivery of each event type (start of its newest execution). */
    async lastTriggers(policyIds: number[]): Promise<Map<string, number>> {
      const out = new Map<string, number>();
      if (policyIds.length === 0) return out;
      const rows = await db
        .selectFrom('job_executions')
        .select(['vendor_id', 'extra_attrs', 'start_time'])
        .where('vendor_type', 'in', [...deliveryVendorTypes])
        .where('vendor_id', 'in', policyIds)
        .orderBy('id', 'desc')
        .limit(10_000)
        .execute();
      for (const r of rows) {
        const m = /^\{"event_type":"([A-Z_]+)"/.exec(r.extra_attrs);
        if (!m) continue;
        const key = `${r.vendor_id} ${m[1]}`;
        if (!out.has(key)) out.set(key, Number(r.start_time));
      }
      return out;
    },
  };
}

export type WebhookExecutionStore = ReturnType<typeof createWebhookExecutionStore>;
