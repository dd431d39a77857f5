import { projectOf } from '../domain/oci/names.js';
import { AppError } from '../platform/errors.js';
import type { Db } from './database.js';
import { removeManifests } from './manifest-removal.js';

/**
 * Id of the repository, creating it on first use in the project its name starts with. Only ever
 * called inside the transaction that commits the repository's first blob link or manifest, so a
 * refused push leaves no repository, and a project deleted meanwhile is noticed here.
 */
export async function ensureRepository(tx: Db, name: string, now = Date.now()): Promise<number> {
  const existing = await tx.selectFrom('repositories').select('id').where('name', '=', name).executeTakeFirst();
  if (existing) return existing.id;
  const project = await tx.selectFrom('projects').select('id').where('name', '=', projectOf(name)).executeTakeFirst();
  if (!project) throw new AppError('NAME_UNKNOWN', `project "${projectOf(name)}" does not exist; create it before pushing`);
  await tx
    .insertInto('repositories')
    .values({ name, project_id: project.id, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await tx.selectFrom('repositories').select('id').where('name', '=', name).executeTakeFirstOrThrow();
  return row.id;
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
  return {
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
      return db.transaction().execute(async (tx) => {
        const repo = await tx.selectFrom('repositories').select('id').where('name', '=', name).executeTakeFirst();
        if (!repo) return false;
        const ids = await tx.selectFrom('manifests').select('id').where('repository_id', '=', repo.id).execute();
        await removeManifests(tx, repo.id, ids.map((m) => m.id));
        await tx.deleteFrom('repositories').where('id', '=', repo.id).execute();
        return true;
      });
    },
  };
}

export type RepositoryStore = ReturnType<typeof createRepositoryStore>;
