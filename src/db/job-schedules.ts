import type { Db } from './database.js';
import type { JobScheduleRow } from './schema.js';
import { transaction } from './transaction.js';

export interface ScheduleSpec {
  vendorType: string;
  vendorId?: number;
  cronType: string;
  cron: string;
  params?: Record<string, unknown>;
}

/**
 * Schedules in the database (Harbor's `schedule` table): one per (vendor type, vendor id), with
 * the time it fires next. Instances fire a due schedule by moving that time forward with a
 * compare-and-set in the same transaction that queues its execution, so exactly one instance
 * fires each firing, and a crash between the two loses neither.
 */
export function createScheduleStore(db: Db) {
  return {
    /** Creates or replaces the schedule of a vendor. */
    async put(spec: ScheduleSpec, nextFire: number, now = Date.now()): Promise<JobScheduleRow> {
      const values = { cron_type: spec.cronType, cron: spec.cron, params: JSON.stringify(spec.params ?? {}), next_fire: nextFire, update_time: now };
      return db
        .insertInto('job_schedules')
        .values({ vendor_type: spec.vendorType, vendor_id: spec.vendorId ?? 0, creation_time: now, ...values })
        .onConflict((oc) => oc.columns(['vendor_type', 'vendor_id']).doUpdateSet(values))
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    /**
     * Haven's own schedules, declared at every start: created if missing; when its cron or
     * parameters changed (a new setting), replaced and due at `firstFire`; otherwise left as it
     * is, so instances restarting one after another do not keep pushing its next firing back.
     */
    async ensure(spec: ScheduleSpec, firstFire: number, now = Date.now()): Promise<void> {
      const params = JSON.stringify(spec.params ?? {});
      const existing = await db.selectFrom('job_schedules').select(['cron', 'params']).where('vendor_type', '=', spec.vendorType).where('vendor_id', '=', spec.vendorId ?? 0).executeTakeFirst();
      if (existing && existing.cron === spec.cron && existing.params === params) return;
      await this.put(spec, firstFire, now);
    },

    async remove(vendorType: string, vendorId = 0): Promise<boolean> {
      const r = await db.deleteFrom('job_schedules').where('vendor_type', '=', vendorType).where('vendor_id', '=', vendorId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    async get(vendorType: string, vendorId = 0): Promise<JobScheduleRow | undefined> {
      return db.selectFrom('job_schedules').selectAll().where('vendor_type', '=', vendorType).where('vendor_id', '=', vendorId).executeTakeFirst();
    },

    async list(page: { limit: number; offset: number }): Promise<{ rows: JobScheduleRow[]; total: number }> {
      const [rows, total] = await Promise.all([
        db.selectFrom('job_schedules').selectAll().orderBy('id').limit(page.limit).offset(page.offset).execute(),
        db.selectFrom('job_schedules').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { rows, total: Number(total.n) };
    },

    async due(now: number, limit = 100): Promise<JobScheduleRow[]> {
      return db.selectFrom('job_schedules').selectAll().where('next_fire', '<=', now).orderBy('next_fire').limit(limit).execute();
    },

    /**
     * Fires one due schedule if no other instance has: moves next_fire from the value this
     * instance read to `next` (or removes a schedule that never fires again) and, in the same
     * transaction, runs `onFire` (which queues the execution). False when another instance won.
     */
    async fire(row: JobScheduleRow, next: number | null, onFire: (tx: Db) => Promise<void>, now = Date.now()): Promise<boolean> {
      return transaction(db, async (tx) => {
        const q = next === null
          ? tx.deleteFrom('job_schedules').where('id', '=', row.id).where('next_fire', '=', row.next_fire)
          : tx.updateTable('job_schedules').set({ next_fire: next, update_time: now }).where('id', '=', row.id).where('next_fire', '=', row.next_fire);
        const r = await q.executeTakeFirst();
        const changed = 'numUpdatedRows' in r ? r.numUpdatedRows : r.numDeletedRows;
        if (Number(changed) === 0) return false;
        await onFire(tx);
        return true;
      });
    },
  };
}

export type ScheduleStore = ReturnType<typeof createScheduleStore>;
