import { transaction } from './transaction.js';
import { projectOf } from '../domain/oci/names.js';
import { AppError } from '../platform/errors.js';
import type { Db } from './database.js';
import { hasArtifacts } from './index-children.js';
import { removeManifests } from './manifest-removal.js';
import { recordRepositoryDelete } from './artifact-events.js';
import { escapeLike, likeEscaped } from './sql-helpers.js';

/** What Harbor's Repository shows, with the artifact count. */
export interface RepositoryDetails {
  id: number;
  projectId: number;
  name: string;
  description: string;
  artifactCount: number;
  pullCount: number;
  createdAt: number;
  updatedAt: number;
}

export interface RepositoryFilter {
  projectId?: number;
  name?: string;
  nameLike?: string;
  /** Only repositories of public projects, of projects the user is a member of, or named projects. */
  visibleTo?: { userId: number | null; projectNames: string[] };
}

export type RepositorySortColumn = 'name' | 'created_at' | 'updated_at' | 'pull_count' | 'id';

/**
 * Id of the repository, creating it on first use in the project its name starts with. Only ever
 * called inside the transaction that commits the repository's first blob link or manifest, so a
 * refused push leaves no repository, and a project deleted meanwhile is noticed here.
 */
export async function ensureRepository(tx: Db, name: string, now = Date.now()): Promise<number> {
  return (await ensureRepositoryRow(tx, name, now)).id;
}

/** ensureRepository, with the project the repository belongs to (a manifest PUT charges its quota). */
export async function ensureRepositoryRow(tx: Db, name: string, now = Date.now()): Promise<{ id: number; projectId: number | null }> {
  const existing = await tx.selectFrom('repositories').select(['id', 'project_id as projectId']).where('name', '=', name).executeTakeFirst();
  if (existing) return existing;
  const project = await tx.selectFrom('projects').select('id').where('name', '=', projectOf(name)).executeTakeFirst();
  if (!project) throw new AppError('NAME_UNKNOWN', `project "${projectOf(name)}" does not exist; create it before pushing`);
  await tx
    .insertInto('repositories')
    .values({ name, project_id: project.id, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  return tx.selectFrom('repositories').select(['id', 'project_id as projectId']).where('name', '=', name).executeTakeFirstOrThrow();
}

/**
 * Deletes the repository once it holds no manifest, inside the caller's transaction: Harbor shows
 * no empty repositories, and an empty one would keep its project from being deleted. Its tags
 * and blob links go with it (foreign keys cascade); the bytes stay for garbage collection.
 */
export async function dropIfEmpty(tx: Db, repositoryId: number): Promise<boolean> {
  const r = await tx
    .deleteFrom('repositories')
    .where('id', '=', repositoryId)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('manifests').select('id').where('repository_id', '=', repositoryId))))
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export function createRepositoryStore(db: Db) {
  const filtered = (f: RepositoryFilter) => {
    let q = db.selectFrom('repositories as r').where('r.project_id', 'is not', null).where(hasArtifacts);
    if (f.projectId !== undefined) q = q.where('r.project_id', '=', f.projectId);
    if (f.name !== undefined) q = q.where('r.name', '=', f.name);
    if (f.nameLike !== undefined) q = q.where(likeEscaped('r.name', `%${escapeLike(f.nameLike)}%`));
    if (f.visibleTo) {
      const { userId, projectNames } = f.visibleTo;
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('projects as p')
            .select('p.id')
            .whereRef('p.id', '=', 'r.project_id')
            .where((e) =>
              e.or([
                e('p.public', '=', 1),
                ...(projectNames.length > 0 ? [e('p.name', 'in', projectNames)] : []),
                ...(userId !== null
                  ? [e.exists(e.selectFrom('project_members as m').select('m.id').whereRef('m.project_id', '=', 'p.id').where('m.user_id', '=', userId))]
                  : []),
              ]),
            ),
        ),
      );
    }
    return q;
  };
  const details = (q: ReturnType<typeof filtered>) =>
    q.select((eb) => [
      'r.id',
      'r.project_id',
      'r.name',
      'r.description',
      'r.pull_count',
      'r.created_at',
      'r.updated_at',
      eb.selectFrom('manifests as m').select(eb.fn.countAll<number>().as('n')).whereRef('m.repository_id', '=', 'r.id').as('artifact_count'),
    ]);
  type Row = { id: number; project_id: number | null; name: string; description: string; pull_count: number; created_at: number; updated_at: number; artifact_count: number | null };
  const toDetails = (r: Row): RepositoryDetails => ({
    id: r.id,
    projectId: r.project_id ?? 0,
    name: r.name,
    description: r.description,
    artifactCount: Number(r.artifact_count ?? 0),
    pullCount: Number(r.pull_count),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });

  return {
    /** One page of repositories with their artifact counts, in two queries whatever the page size. */
    async list(
      f: RepositoryFilter,
      page: { offset: number; limit: number },
      sort: { column: RepositorySortColumn; desc: boolean },
    ): Promise<{ items: RepositoryDetails[]; total: number }> {
      const [rows, total] = await Promise.all([
        details(filtered(f))
          .orderBy(`r.${sort.column}`, sort.desc ? 'desc' : 'asc')
          .orderBy('r.id', sort.desc ? 'desc' : 'asc')
          .offset(page.offset)
          .limit(page.limit)
          .execute(),
        filtered(f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toDetails), total: Number(total.n) };
    },

    /** The repository of that full name in that project (a name of another project is not found). */
    async get(projectId: number, name: string): Promise<RepositoryDetails | null> {
      const row = await details(filtered({ projectId, name })).executeTakeFirst();
      return row ? toDetails(row) : null;
    },

    /** Sets the description (markdown, stored as given); false when there is no such repository. */
    async setDescription(projectId: number, name: string, description: string, now = Date.now()): Promise<boolean> {
      const r = await db
        .updateTable('repositories')
        .set({ description, updated_at: now })
        .where('project_id', '=', projectId)
        .where('name', '=', name)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async findId(name: string): Promise<number | null> {
      const row = await db.selectFrom('repositories').select('id').where('name', '=', name).executeTakeFirst();
      return row?.id ?? null;
    },

    /** Names in lexical order after `last`, at most `limit` of them. */
    async listNames(limit: number, last?: string): Promise<string[]> {
      let q = db.selectFrom('repositories').select('name').orderBy('name').limit(limit);
      if (last !== undefined) q = q.where('name', '>', last);
      return (await q.execute()).map((r) => r.name);
    },

    async touch(id: number, now = Date.now()): Promise<void> {
      await db.updateTable('repositories').set({ updated_at: now }).where('id', '=', id).execute();
    },

    /**
     * Deletes a repository with all its manifests, tags and blob links in one transaction, so a
     * reader sees all of it or none, through removeManifests (immutable tags and quota).
     * False when there was no such repository.
     */
    async delete(name: string): Promise<boolean> {
      return transaction(db, async (tx) => {
        const repo = await tx.selectFrom('repositories').select('id').where('name', '=', name).executeTakeFirst();
        if (!repo) return false;
        const ids = await tx.selectFrom('manifests').select('id').where('repository_id', '=', repo.id).execute();
        await recordRepositoryDelete(tx, repo.id);
        await removeManifests(tx, repo.id, ids.map((m) => m.id));
        await tx.deleteFrom('repositories').where('id', '=', repo.id).execute();
        return true;
      });
    },
  };
}

export type RepositoryStore = ReturnType<typeof createRepositoryStore>;
