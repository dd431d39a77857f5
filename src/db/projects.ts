import { transaction } from './transaction.js';
import type { Db } from './database.js';
import { escapeLike, likeEscaped } from './sql-helpers.js';
import type { SelectQueryBuilder } from 'kysely';
import type { Database, ProjectRow, ProjectsTable } from './schema.js';
import { hasArtifacts } from './index-children.js';

export interface ProjectFilter {
  /** Exact name. */
  name?: string;
  /** Name contains (fuzzy, Harbor's `name=~x`). */
  nameLike?: string;
  public?: boolean;
  /** Only projects this user (by name) owns: Harbor's `owner`. */
  ownerName?: string;
  /** Only projects that are public or have this user as a member (null: no restriction). */
  visibleTo?: { userId: number | null } | null;
}

/** A project row with the owner's name, its repository count and the viewer's role (null: none). */
export interface ProjectDetails extends ProjectRow {
  ownerName: string | null;
  repoCount: number;
  viewerRoleId: number | null;
}

/** Harbor's projectAdmin role id. */
const projectAdminRoleId = 1;

/** Repositories with an artifact (Harbor's repositories); blob-only rows are not counted. */
async function countRepositories(tx: Db, projectId: number): Promise<number> {
  const r = await tx
    .selectFrom('repositories as r')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('r.project_id', '=', projectId)
    .where(hasArtifacts)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Adds owner name, repository count and the viewer's role to a query over `projects as p`, as joins and subqueries. */
function withDetails(q: SelectQueryBuilder<Database & { p: ProjectsTable }, 'p', object>, viewerId: number | null) {
  return q
    .leftJoin('users as o', 'o.id', 'p.owner_id')
    .selectAll('p')
    .select((eb) => [
      'o.username as owner_name',
      eb.selectFrom('repositories as r').select(eb.fn.countAll<number>().as('n')).whereRef('r.project_id', '=', 'p.id').where(hasArtifacts).as('repo_count'),
      eb
        .selectFrom('project_members as m')
        .select('m.role_id')
        .whereRef('m.project_id', '=', 'p.id')
        .where('m.user_id', '=', viewerId ?? -1)
        .as('viewer_role_id'),
    ]);
}

function toDetails(row: ProjectRow & { owner_name: string | null; repo_count: number | null; viewer_role_id: number | null }): ProjectDetails {
  const { owner_name, repo_count, viewer_role_id, ...project } = row;
  return { ...project, ownerName: owner_name, repoCount: Number(repo_count ?? 0), viewerRoleId: viewer_role_id };
}

export function createProjectStore(db: Db) {
  const filtered = (f: ProjectFilter) => {
    let q = db.selectFrom('projects as p');
    if (f.name !== undefined) q = q.where('p.name', '=', f.name);
    if (f.nameLike !== undefined) q = q.where(likeEscaped('p.name', `%${escapeLike(f.nameLike)}%`));
    if (f.public !== undefined) q = q.where('p.public', '=', f.public ? 1 : 0);
    if (f.ownerName !== undefined) {
      const owner = f.ownerName;
      q = q.where('p.owner_id', 'in', (eb) => eb.selectFrom('users as ou').select('ou.id').where('ou.username', '=', owner));
    }
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
    /**
     * Creates a project with its creator as project admin, in one transaction: no crash leaves a
     * project nobody administers, nor one without its storage quota (`hardStorage` bytes, -1
     * unlimited). A taken name fails on the unique index (the caller maps it).
     */
    async createWithAdmin(name: string, ownerId: number, isPublic: boolean, metadata: Record<string, string>, now = Date.now(), hardStorage = -1): Promise<number> {
      return transaction(db, async (tx) => {
        const row = await tx
          .insertInto('projects')
          .values({ name, owner_id: ownerId, public: isPublic ? 1 : 0, metadata: JSON.stringify(metadata), created_at: now, updated_at: now })
          .returning('id')
          .executeTakeFirstOrThrow();
        await tx
          .insertInto('project_members')
          .values({ project_id: row.id, user_id: ownerId, role_id: projectAdminRoleId, created_at: now, updated_at: now })
          .execute();
        await tx.insertInto('quotas').values({ project_id: row.id, hard_storage: hardStorage, used_storage: 0, created_at: now, updated_at: now }).execute();
        return row.id;
      });
    },

    async byName(name: string): Promise<ProjectRow | null> {
      return (await db.selectFrom('projects').selectAll().where('name', '=', name).executeTakeFirst()) ?? null;
    },

    async byId(id: number): Promise<ProjectRow | null> {
      return (await db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
    },

    /** One page of projects with what a listing shows of each, in two queries whatever the page size. */
    async list(
      f: ProjectFilter,
      page: { offset: number; limit: number },
      sort: { column: 'name' | 'created_at' | 'updated_at' | 'id'; desc: boolean },
      viewerId: number | null,
    ): Promise<{ rows: ProjectDetails[]; total: number }> {
      const [rows, total] = await Promise.all([
        withDetails(filtered(f), viewerId)
          .orderBy(`p.${sort.column}`, sort.desc ? 'desc' : 'asc')
          .orderBy('p.id')
          .offset(page.offset)
          .limit(page.limit)
          .execute(),
        filtered(f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { rows: rows.map(toDetails), total: Number(total.n) };
    },

    /** One project with what its listing shows, in one query. */
    async details(id: number, viewerId: number | null): Promise<ProjectDetails | null> {
      const row = await withDetails(db.selectFrom('projects as p').where('p.id', '=', id), viewerId).executeTakeFirst();
      return row ? toDetails(row) : null;
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
     * Deletes a project with everything that names it, unless it still has repositories (the
     * count and the delete are one transaction, so a first push racing it cannot be orphaned).
     * Members and project robots cascade by id; system robots' grants name projects, so they go
     * here, lest a new project of the same name inherit them.
     */
    async deleteIfEmpty(id: number): Promise<{ deleted: true } | { deleted: false; repositories: number }> {
      return transaction(db, async (tx) => {
        const repositories = await countRepositories(tx, id);
        if (repositories > 0) return { deleted: false, repositories };
        // What blob uploads left without an artifact (their links go by cascade; GC takes the bytes).
        await tx.deleteFrom('repositories').where('project_id', '=', id).execute();
        const row = await tx.selectFrom('projects').select('name').where('id', '=', id).executeTakeFirst();
        if (row) await tx.deleteFrom('robot_permissions').where('namespace', '=', row.name).execute();
        await tx.deleteFrom('projects').where('id', '=', id).execute();
        return { deleted: true };
      });
    },

    repositoryCount: (projectId: number) => countRepositories(db, projectId),
    /** Artifacts (manifests) in the project's repositories, for the portal's summary. */
    async artifactCount(projectId: number): Promise<number> {
      const r = await db
        .selectFrom('manifests as m')
        .innerJoin('repositories as r', 'r.id', 'm.repository_id')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('r.project_id', '=', projectId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}

export type ProjectStore = ReturnType<typeof createProjectStore>;
