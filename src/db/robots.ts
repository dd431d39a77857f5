import { transaction } from './transaction.js';
import type { RobotGrant } from '../domain/identity/principal.js';
import type { Db } from './database.js';
import type { RobotRow } from './schema.js';
import { escapeLike, likeEscaped } from './sql-helpers.js';

export interface NewRobot {
  name: string;
  description: string;
  secretHash: string;
  level: 'system' | 'project';
  projectId: number | null;
  duration: number;
  expiresAt: number;
  disabled: boolean;
  creator: string;
  grants: RobotGrant[];
}

export function createRobotStore(db: Db) {
  async function grantsOf(robotId: number): Promise<RobotGrant[]> {
    return db.selectFrom('robot_permissions').select(['namespace', 'resource', 'action']).where('robot_id', '=', robotId).execute();
  }

  return {
    grantsOf,

    /**
     * The grants of several robots in one query, by robot id, each saying whether the project it
     * names still exists ("*" always does), so a listing shows only live ones.
     */
    async grantsOfMany(robotIds: number[]): Promise<Map<number, Array<RobotGrant & { live: boolean }>>> {
      const out = new Map<number, Array<RobotGrant & { live: boolean }>>();
      for (let i = 0; i < robotIds.length; i += 500) {
        const rows = await db
          .selectFrom('robot_permissions as g')
          .leftJoin('projects as p', 'p.name', 'g.namespace')
          .select(['g.robot_id', 'g.namespace', 'g.resource', 'g.action', 'p.id as project_id'])
          .where('g.robot_id', 'in', robotIds.slice(i, i + 500))
          .orderBy('g.robot_id')
          .execute();
        for (const r of rows) {
          const list = out.get(r.robot_id) ?? [];
          list.push({ namespace: r.namespace, resource: r.resource, action: r.action, live: r.namespace === '*' || r.project_id !== null });
          out.set(r.robot_id, list);
        }
      }
      return out;
    },

    async create(r: NewRobot, now = Date.now()): Promise<number> {
      return transaction(db, async (tx) => {
        const { id } = await tx
          .insertInto('robots')
          .values({
            name: r.name,
            description: r.description,
            secret_hash: r.secretHash,
            level: r.level,
            project_id: r.projectId,
            duration: r.duration,
            expires_at: r.expiresAt,
            disabled: r.disabled ? 1 : 0,
            creator: r.creator,
            created_at: now,
            updated_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        if (r.grants.length > 0) {
          await tx
            .insertInto('robot_permissions')
            .values(r.grants.map((g) => ({ robot_id: id, ...g })))
            .onConflict((oc) => oc.doNothing())
            .execute();
        }
        return id;
      });
    },

    async byName(name: string): Promise<RobotRow | null> {
      return (await db.selectFrom('robots').selectAll().where('name', '=', name).executeTakeFirst()) ?? null;
    },

    async byId(id: number): Promise<RobotRow | null> {
      return (await db.selectFrom('robots').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
    },

    async list(filter: { level?: 'system' | 'project'; projectId?: number; name?: string; nameLike?: string }, page: { offset: number; limit: number }) {
      let q = db.selectFrom('robots');
      if (filter.level) q = q.where('level', '=', filter.level);
      if (filter.projectId !== undefined) q = q.where('project_id', '=', filter.projectId);
      if (filter.name !== undefined) q = q.where('name', '=', filter.name);
      if (filter.nameLike !== undefined) q = q.where(likeEscaped('name', `%${escapeLike(filter.nameLike)}%`));
      const [rows, total] = await Promise.all([
        q.selectAll().orderBy('id').offset(page.offset).limit(page.limit).execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { rows, total: Number(total.n) };
    },

    async update(
      id: number,
      changes: { description?: string; disabled?: boolean; duration?: number; expiresAt?: number; secretHash?: string; grants?: RobotGrant[] },
      now = Date.now(),
    ): Promise<void> {
      await transaction(db, async (tx) => {
        await tx
          .updateTable('robots')
          .set({
            ...(changes.description !== undefined ? { description: changes.description } : {}),
            ...(changes.disabled !== undefined ? { disabled: changes.disabled ? 1 : 0 } : {}),
            ...(changes.duration !== undefined ? { duration: changes.duration } : {}),
            ...(changes.expiresAt !== undefined ? { expires_at: changes.expiresAt } : {}),
            ...(changes.secretHash !== undefined ? { secret_hash: changes.secretHash } : {}),
            updated_at: now,
          })
          .where('id', '=', id)
          .execute();
        if (changes.grants) {
          await tx.deleteFrom('robot_permissions').where('robot_id', '=', id).execute();
          if (changes.grants.length > 0) {
            await tx.insertInto('robot_permissions').values(changes.grants.map((g) => ({ robot_id: id, ...g }))).onConflict((oc) => oc.doNothing()).execute();
          }
        }
      });
    },

    async delete(id: number): Promise<boolean> {
      const r = await db.deleteFrom('robots').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

export type RobotStore = ReturnType<typeof createRobotStore>;
