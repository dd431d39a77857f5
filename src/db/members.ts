import type { Db } from './database.js';

export interface MemberRow {
  id: number;
  projectId: number;
  userId: number;
  username: string;
  roleId: number;
}

export function createMemberStore(db: Db) {
  const base = () =>
    db
      .selectFrom('project_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['m.id', 'm.project_id as projectId', 'm.user_id as userId', 'u.username', 'm.role_id as roleId']);

  return {
    async add(projectId: number, userId: number, roleId: number, now = Date.now()): Promise<number> {
      const r = await db
        .insertInto('project_members')
        .values({ project_id: projectId, user_id: userId, role_id: roleId, created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },

    /** The user's role id in the project, or null when not a member. */
    async roleOf(projectId: number, userId: number): Promise<number | null> {
      const r = await db
        .selectFrom('project_members')
        .select('role_id')
        .where('project_id', '=', projectId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return r?.role_id ?? null;
    },

    async list(projectId: number, entityName?: string): Promise<MemberRow[]> {
      let q = base().where('m.project_id', '=', projectId).orderBy('m.id');
      if (entityName) q = q.where('u.username', '=', entityName);
      return q.execute();
    },

    /** One page of a project's members (by id), and how many there are in all. */
    async page(projectId: number, entityName: string | undefined, page: { offset: number; limit: number }): Promise<{ rows: MemberRow[]; total: number }> {
      let count = db.selectFrom('project_members as m').innerJoin('users as u', 'u.id', 'm.user_id').where('m.project_id', '=', projectId);
      let q = base().where('m.project_id', '=', projectId);
      if (entityName) {
        count = count.where('u.username', '=', entityName);
        q = q.where('u.username', '=', entityName);
      }
      const [rows, total] = await Promise.all([
        q.orderBy('m.id').limit(page.limit).offset(page.offset).execute(),
        count.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { rows, total: Number(total.n) };
    },

    async byId(projectId: number, memberId: number): Promise<MemberRow | null> {
      return (await base().where('m.project_id', '=', projectId).where('m.id', '=', memberId).executeTakeFirst()) ?? null;
    },

    async setRole(projectId: number, memberId: number, roleId: number, now = Date.now()): Promise<boolean> {
      const r = await db
        .updateTable('project_members')
        .set({ role_id: roleId, updated_at: now })
        .where('project_id', '=', projectId)
        .where('id', '=', memberId)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async remove(projectId: number, memberId: number): Promise<boolean> {
      const r = await db.deleteFrom('project_members').where('project_id', '=', projectId).where('id', '=', memberId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

export type MemberStore = ReturnType<typeof createMemberStore>;
