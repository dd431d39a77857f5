import type { Db } from './database.js';
import { escapeLike, likeEscaped } from './sql-helpers.js';
import type { ProjectRow } from './schema.js';

export interface ProjectFilter {
  /** Exact name. */
  name?: string;
  /** Name contains (fuzzy, Harbor's `name=~x`). */
  nameLike?: string;
  public?: boolean;
  /** Only projects that are public or have this user as a member (null: no restriction). */
  visibleTo?: { userId: number | null } | null;
}

export function createProjectStore(db: Db) {
  const filtered = (f: ProjectFilter) => {
    let q = db.selectFrom('projects as p');
    if (f.name !== undefined) q = q.where('p.name', '=', f.name);
    if (f.nameLike !== undefined) q = q.where(likeEscaped('p.name', `%${escapeLike(f.nameLike)}%`));
    if (f.public !== undefined) q = q.where('p.public', '=', f.public ? 1 : 0);
    if (f.visibleTo) {
      const userId = f.visibleTo.userId;
      q = q.where((eb) =>
        userId === null
          ? eb('p.public', '=', 1)
          : eb.or([
              eb('p.public', '=', 1),
              eb.exists(
                eb
                  .selectFrom('project_members as m')
                  .select('m.id')
                  .whereRef('m.project_id', '=', 'p.id')
                  .where('m.user_id', '=', userId),
              ),
            ]),
      );
    }
    return q;
  };

  return {
    async create(name: string, ownerId: number | null, isPublic: boolean, metadata: Record<string, string>, now = Date.now()): Promise<number> {
      const row = await db
        .insertInto('projects')
        .values({ name, owner_id: ownerId, public: isPublic ? 1 : 0, metadata: JSON.stringify(metadata), created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },

    async byName(name: string): Promise<ProjectRow | null> {
      return (await db.selectFrom('projects').selectAll().where('name', '=', name).executeTakeFirst()) ?? null;
    },

    async byId(id: number): Promise<ProjectRow | null> {
      return (await db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
    },

    async list(f: ProjectFilter, page: { offset: number; limit: number }, sort: { column: 'name' | 'created_at' | 'updated_at' | 'id'; desc: boolean }) {
      const [rows, total] = await Promise.all([
        filtered(f)
          .selectAll('p')
          .orderBy(`p.${sort.column}`, sort.desc ? 'desc' : 'asc')
          .orderBy('p.id')
          .offset(page.offset)
          .limit(page.limit)
          .execute(),
        filtered(f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { rows, total: Number(total.n) };
    },

    async update(id: number, changes: { public?: boolean; metadata?: Record<string, string> }, now = Date.now()): Promise<void> {
      await db
        .updateTable('projects')
        .set({
          ...(changes.public !== undefined ? { public: changes.public ? 1 : 0 } : {}),
          ...(changes.metadata !== undefined ? { metadata: JSON.stringify(changes.metadata) } : {}),
          updated_at: now,
        })
        .where('id', '=', id)
        .execute();
    },

    /**
     * Deletes a project with everything that names it: members and project robots cascade by id;
     * system robots' grants name projects, so they go here, lest a new project of the same name
     * inherit them.
     */
    async delete(id: number): Promise<void> {
      await db.transaction().execute(async (tx) => {
        const row = await tx.selectFrom('projects').select('name').where('id', '=', id).executeTakeFirst();
        if (row) await tx.deleteFrom('robot_permissions').where('namespace', '=', row.name).execute();
        await tx.deleteFrom('projects').where('id', '=', id).execute();
      });
    },

    /** Repositories whose first path segment is the project ("p/" <= name < "p0": '0' follows '/'). */
    async repositoryCount(name: string): Promise<number> {
      const r = await db
        .selectFrom('repositories')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('name', '>=', `${name}/`)
        .where('name', '<', `${name}0`)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}

export type ProjectStore = ReturnType<typeof createProjectStore>;
