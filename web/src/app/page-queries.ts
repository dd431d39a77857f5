import { queryOptions } from '@tanstack/react-query';
import { api } from '../api/client';
import type { Permission, Project } from '../api/types';
import { repositoryApi } from '../pages/repository/paths';
import type { Artifact, Repository } from '../pages/repository/types';

/**
 * The requests of the pages a person opens most, as one definition each, so that a page and the
 * route prefetch (route-prefetch.ts) ask for exactly the same thing and share one cache entry.
 */
export const pageQueries = {
  projects: (p: { page: number; pageSize: number; name: string }) =>
    queryOptions({
      queryKey: ['projects', p],
      queryFn: () => api.page<Project>('/projects', { page: p.page, page_size: p.pageSize, name: p.name, with_detail: true }),
    }),

  project: (id: number) => queryOptions({ queryKey: ['project', id], queryFn: () => api.get<Project>(`/projects/${id}`) }),

  permissions: (projectId: number | undefined) =>
    queryOptions({
      queryKey: ['permissions', projectId],
      queryFn: () => api.get<Permission[]>('/users/current/permissions', { scope: `/project/${projectId}`, relative: true }),
      staleTime: 60_000,
    }),

  repository: (project: string, repository: string) =>
    queryOptions({ queryKey: ['repository', project, repository], queryFn: () => api.get<Repository>(repositoryApi(project, repository)) }),

  artifacts: (project: string, repository: string, p: { page: number; pageSize: number; tagFilter: string }) =>
    queryOptions({
      queryKey: ['artifacts', project, repository, p],
      queryFn: () =>
        api.page<Artifact>(`${repositoryApi(project, repository)}/artifacts`, {
          page: p.page,
          page_size: p.pageSize,
          q: p.tagFilter ? `tags=~${p.tagFilter}` : undefined,
          sort: '-push_time',
          with_tag: true,
          with_label: true,
          with_immutable_status: true,
          with_accessory: true,
        }),
    }),
};
