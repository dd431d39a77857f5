import type { WebhookEventType } from '../domain/webhook/event-types.js';
import { duplicateNameMessage, type WebhookPolicyRecord, type WebhookPolicySpec, type WebhookTarget } from '../domain/webhook/policy.js';
import { AppError, isUniqueViolation } from '../platform/errors.js';
import type { Sealer } from '../platform/secret-box.js';
import type { Db } from './database.js';
import { escapeLike, likeEscaped } from './sql-helpers.js';
import { transaction } from './transaction.js';
import { deliveryVendorTypes } from './webhook-executions.js';
import type { Selectable } from 'kysely';
import type { WebhookPoliciesTable } from './schema.js';

/**
 * Webhook policies (Harbor's notification_policy). Targets are kept as JSON with each auth
 * header sealed by the sealer (plain when secrets.key is unset), bound to its policy's project so
 * a sealed value copied to another row does not open.
 */
export function createWebhookPolicyStore(db: Db, sealer: Sealer) {
  const context = (projectId: number) => `webhook-auth:${projectId}`;

  function toRecord(r: Selectable<WebhookPoliciesTable>): WebhookPolicyRecord {
    const targets = (JSON.parse(r.targets) as WebhookTarget[]).map((t) => ({ ...t, auth_header: t.auth_header === '' ? '' : sealer.open(t.auth_header, context(r.project_id)) }));
    return {
      id: r.id,
      project_id: r.project_id,
      name: r.name,
      description: r.description,
      enabled: r.enabled === 1,
      event_types: JSON.parse(r.event_types) as WebhookEventType[],
      targets,
      creator: r.creator,
      creation_time: new Date(Number(r.creation_time)),
      update_time: new Date(Number(r.update_time)),
    };
  }

  const sealTargets = (projectId: number, targets: WebhookTarget[]) =>
    JSON.stringify(targets.map((t) => ({ ...t, auth_header: t.auth_header === '' ? '' : sealer.seal(t.auth_header, context(projectId)) })));

  const conflict = (name: string) => (err: unknown): never => {
    if (isUniqueViolation(err)) throw new AppError('CONFLICT', duplicateNameMessage(name));
    throw err;
  };

  return {
    async create(projectId: number, spec: WebhookPolicySpec, creator: string, now = Date.now()): Promise<number> {
      const row = await db
        .insertInto('webhook_policies')
        .values({
          project_id: projectId,
          name: spec.name,
          description: spec.description,
          enabled: spec.enabled ? 1 : 0,
          event_types: JSON.stringify(spec.event_types),
          targets: sealTargets(projectId, spec.targets),
          creator,
          creation_time: now,
          update_time: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
        .catch(conflict(spec.name));
      return row.id;
    },

    /** The policy, only when it is the project's (another project's id reads as missing). */
    async get(projectId: number, id: number): Promise<WebhookPolicyRecord | null> {
      const r = await db.selectFrom('webhook_policies').selectAll().where('id', '=', id).where('project_id', '=', projectId).executeTakeFirst();
      return r ? toRecord(r) : null;
    },

    async list(projectId: number, filter: { name?: string | undefined; fuzzyName?: string | undefined }, sort: { column: 'id' | 'name' | 'creation_time' | 'update_time'; desc: boolean }, page: { limit: number; offset: number }) {
      let q = db.selectFrom('webhook_policies').where('project_id', '=', projectId);
      if (filter.name !== undefined) q = q.where('name', '=', filter.name);
      if (filter.fuzzyName !== undefined) q = q.where(likeEscaped('name', `%${escapeLike(filter.fuzzyName)}%`));
      const [rows, total] = await Promise.all([
        q.selectAll().orderBy(sort.column, sort.desc ? 'desc' : 'asc').orderBy('id').limit(page.limit).offset(page.offset).execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toRecord), total: Number(total.n) };
    },

    /** Every policy of the project (the consumer filters by event type and enabled). */
    async ofProject(projectId: number, runner: Db = db): Promise<WebhookPolicyRecord[]> {
      const rows = await runner.selectFrom('webhook_policies').selectAll().where('project_id', '=', projectId).orderBy('id').execute();
      return rows.map(toRecord);
    },

    /** False when the policy is not the project's. */
    async update(projectId: number, id: number, spec: WebhookPolicySpec, now = Date.now()): Promise<boolean> {
      const r = await db
        .updateTable('webhook_policies')
        .set({
          name: spec.name,
          description: spec.description,
          enabled: spec.enabled ? 1 : 0,
          event_types: JSON.stringify(spec.event_types),
          targets: sealTargets(projectId, spec.targets),
          update_time: now,
        })
        .where('id', '=', id)
        .where('project_id', '=', projectId)
        .executeTakeFirst()
        .catch(conflict(spec.name));
      return Number(r.numUpdatedRows) > 0;
    },

    /**
     * Deletes the policy with its delivery history, as Harbor does (tasks and logs cascade); a
     * delivery running meanwhile loses its rows and stops at its next heartbeat.
     */
    async delete(projectId: number, id: number): Promise<boolean> {
      return transaction(db, async (tx) => {
        const r = await tx.deleteFrom('webhook_policies').where('id', '=', id).where('project_id', '=', projectId).executeTakeFirst();
        if (Number(r.numDeletedRows) === 0) return false;
        await tx.deleteFrom('job_executions').where('vendor_type', 'in', [...deliveryVendorTypes]).where('vendor_id', '=', id).execute();
        return true;
      });
    },
  };
}

export type WebhookPolicyStore = ReturnType<typeof createWebhookPolicyStore>;
