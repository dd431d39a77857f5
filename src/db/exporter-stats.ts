import type { Db } from './database.js';

/** One project as Harbor's exporter reports it. */
export interface ProjectStats {
  name: string;
  public: boolean;
  /** Bytes; -1 is unlimited (also when the project has no quota row). */
  quota: number;
  used: number;
  members: number;
  repositories: number;
  pulls: number;
}

/**
 * The aggregates behind Harbor's exporter gauges. Each query reads one row per project (or per
 * repository, through the repositories_project index), never manifests or blobs, so a
 * collection costs what the number of projects and repositories costs. Counts come back as
 * strings on PostgreSQL (int8): every value goes through Number().
 */
export function createExporterStatsStore(db: Db) {
  return {
    async projects(): Promise<ProjectStats[]> {
      const [projects, members, repositories] = await Promise.all([
        db
          .selectFrom('projects as p')
          .leftJoin('quotas as q', 'q.project_id', 'p.id')
          .select(['p.id', 'p.name', 'p.public', 'q.hard_storage', 'q.used_storage'])
          .execute(),
        db.selectFrom('project_members').select((eb) => ['project_id', eb.fn.countAll().as('n')]).groupBy('project_id').execute(),
        db
          .selectFrom('repositories')
          .where('project_id', 'is not', null)
          .select((eb) => ['project_id', eb.fn.countAll().as('n'), eb.fn.sum('pull_count').as('pulls')])
          .groupBy('project_id')
          .execute(),
      ]);
      const memberCount = new Map(members.map((m) => [Number(m.project_id), Number(m.n)]));
      const repoCount = new Map(repositories.map((r) => [Number(r.project_id), { n: Number(r.n), pulls: Number(r.pulls ?? 0) }]));
      return projects.map((p) => ({
        name: p.name,
        public: Number(p.public) === 1,
        quota: p.hard_storage === null ? -1 : Number(p.hard_storage),
        used: p.used_storage === null ? 0 : Number(p.used_storage),
        members: memberCount.get(Number(p.id)) ?? 0,
        repositories: repoCount.get(Number(p.id))?.n ?? 0,
        pulls: repoCount.get(Number(p.id))?.pulls ?? 0,
      }));
    },

    /**
     * Bytes of every stored blob, each counted once (Harbor's total storage consumption). This
     * one reads the whole blobs table, so the collector asks for it less often than the rest.
     */
    async storageBytes(): Promise<number> {
      const r = await db.selectFrom('blobs').select((eb) => eb.fn.sum<number | string | null>('size').as('bytes')).executeTakeFirst();
      return Number(r?.bytes ?? 0);
    },
  };
}

export type ExporterStatsStore = ReturnType<typeof createExporterStatsStore>;
