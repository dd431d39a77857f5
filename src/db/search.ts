import type { ExpressionBuilder } from 'kysely';
import type { Db } from './database.js';
import type { Database } from './schema.js';
import { escapeLike, likeEscaped } from './sql-helpers.js';
import { hasArtifacts } from './index-children.js';

/** Who is looking: null sees everything (an administrator); a user id sees public projects and its own; null user id only public ones. */
export type Visibility = { userId: number | null } | null;

export interface RepositoryHit {
  repositoryName: string;
  projectId: number;
  projectName: string;
  projectPublic: boolean;
  pullCount: number;
  artifactCount: number;
}

const countOf = (r: { n: number | string | bigint } | undefined) => Number(r?.n ?? 0);

/** Rows of `projects as p` the viewer may see. */
function visible(v: Visibility) {
  return (eb: ExpressionBuilder<Database & { p: Database['projects'] }, 'p'>) => {
    if (v === null) return eb.lit(true);
    if (v.userId === null) return eb('p.public', '=', 1);
    return eb.or([eb('p.public', '=', 1), eb.exists(eb.selectFrom('project_members as m').select('m.id').whereRef('m.project_id', '=', 'p.id').where('m.user_id', '=', v.userId))]);
  };
}

/**
 * The reads behind /search, /statistics and the project summary's quota: counts and one page of
 * names, each a single query, so their cost does not grow with the number of results shown.
 */
export function createSearchStore(db: Db) {
  return {
    /**
     * Repositories whose name contains `text`, in name order, at most `limit`: the unique index
     * on the name gives the order, so a common word stops after `limit` matches instead of
     * sorting every one of 100,000 repositories.
     */
    async repositories(text: string, v: Visibility, limit: number): Promise<RepositoryHit[]> {
      let q = db
        .selectFrom('repositories as r')
        .innerJoin('projects as p', 'p.id', 'r.project_id')
        .where(visible(v))
        .where(hasArtifacts)
        .select((eb) => [
          'r.name as repositoryName',
          'p.id as projectId',
          'p.name as projectName',
          'p.public as projectPublic',
          'r.pull_count as pullCount',
          eb.selectFrom('manifests as a').select(eb.fn.countAll<number>().as('n')).whereRef('a.repository_id', '=', 'r.id').as('artifactCount'),
        ])
        .orderBy('r.name')
        .limit(limit);
      if (text !== '') q = q.where(likeEscaped('r.name', `%${escapeLike(text)}%`));
      const rows = await q.execute();
      return rows.map((r) => ({
        repositoryName: r.repositoryName,
        projectId: r.projectId,
        projectName: r.projectName,
        projectPublic: r.projectPublic === 1,
        pullCount: Number(r.pullCount),
        artifactCount: Number(r.artifactCount ?? 0),
      }));
    },

    /** Projects and their repositories, public or private, of those the viewer may see (null: all). */
    async counts(v: Visibility): Promise<{ publicProjects: number; privateProjects: number; publicRepos: number; privateRepos: number }> {
      const projects = await db
        .selectFrom('projects as p')
        .where(visible(v))
        .select(['p.public', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('p.public')
        .execute();
      const repos = await db
        .selectFrom('repositories as r')
        .innerJoin('projects as p', 'p.id', 'r.project_id')
        .where(visible(v))
        .where(hasArtifacts)
        .select(['p.public', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('p.public')
        .execute();
      const pick = (rows: Array<{ public: number; n: number }>, pub: number) => countOf(rows.find((r) => r.public === pub));
      return { publicProjects: pick(projects, 1), privateProjects: pick(projects, 0), publicRepos: pick(repos, 1), privateRepos: pick(repos, 0) };
    },

    /**
     * Bytes the registry's artifacts hold: each distinct digest any project's manifests are or
     * reference, once, however many projects share it (Harbor's total_storage_consumption).
     */
    async storageUsed(): Promise<number> {
      const r = await db
        .selectFrom((eb) => eb.selectFrom('project_blobs').select(['digest', (e) => e.fn.max('size').as('size')]).groupBy('digest').as('d'))
        .select((eb) => eb.fn.sum<number>('d.size').as('n'))
        .executeTakeFirst();
      return Number(r?.n ?? 0);
    },
  };
}

export type SearchStore = ReturnType<typeof createSearchStore>;
