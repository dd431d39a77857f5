import { isSysadmin, type Principal } from '../../domain/identity/principal.js';
import type { SearchStore, Visibility } from '../../db/search.js';
import type { ProjectService, ProjectView } from '../identity/project-service.js';
import { requireLogin } from '../identity/guards.js';

/**
 * At most this many projects and this many repositories per search. Harbor answers every match,
 * which over 100,000 repositories is megabytes per keystroke of its search box; the first
 * matches in name order are what a person reads.
 */
export const searchLimit = 100;

export interface SearchRepositoryView {
  project_id: number;
  project_name: string;
  project_public: boolean;
  repository_name: string;
  pull_count: number;
  artifact_count: number;
}

/** Harbor's visibility for listings: administrators everything, users public and their own, robots and anonymous public only. */
function visibilityOf(actor: Principal): Visibility {
  if (isSysadmin(actor)) return null;
  return { userId: actor.kind === 'user' ? actor.id : null };
}

/** Harbor's /search and /statistics. */
export function createSearchService(deps: { search: SearchStore; projects: Pick<ProjectService, 'list'> }) {
  const { search, projects } = deps;

  return {
    /** Projects and repositories whose names contain `text`, of those the caller can see (anonymous: public ones). */
    async search(actor: Principal, text: string): Promise<{ project: ProjectView[]; repository: SearchRepositoryView[] }> {
      const [found, repos] = await Promise.all([
        projects.list(actor, { name: text }, { offset: 0, limit: searchLimit }),
        search.repositories(text, visibilityOf(actor), searchLimit),
      ]);
      return {
        project: found.items,
        repository: repos.map((r) => ({
          project_id: r.projectId,
          project_name: r.projectName,
          project_public: r.projectPublic,
          repository_name: r.repositoryName,
          pull_count: r.pullCount,
          artifact_count: r.artifactCount,
        })),
      };
    },

    /**
     * Harbor's counts: public projects and repositories for everyone logged in; private ones of
     * the caller's projects (all of them, the totals and the storage used, for administrators).
     */
    async statistics(actor: Principal) {
      requireLogin(actor);
      const admin = isSysadmin(actor);
      // A robot is not a member of anything: public counts only, as Harbor's robot context.
      const c = await search.counts(visibilityOf(actor));
      return {
        private_project_count: c.privateProjects,
        private_repo_count: c.privateRepos,
        public_project_count: c.publicProjects,
        public_repo_count: c.publicRepos,
        total_project_count: admin ? c.publicProjects + c.privateProjects : 0,
        total_repo_count: admin ? c.publicRepos + c.privateRepos : 0,
        total_storage_consumption: admin ? await search.storageUsed() : 0,
      };
    },
  };
}

export type SearchService = ReturnType<typeof createSearchService>;
