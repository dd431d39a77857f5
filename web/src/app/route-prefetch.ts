import type { QueryClient } from '@tanstack/react-query';
import { matchPath } from 'react-router';
import { firstPage } from '../components/server-paging';
import { pageQueries } from './page-queries';
import { chunks } from './route-chunks';

/**
 * Starts what the opened page will need at once, beside the session check: its code and its first
 * requests. Rendered one after the other (session, then the page's chunk, then the project, then
 * the list), a deep link waited on four round trips in a row. Only reads are prefetched, and a
 * failure is left for the page itself to ask again and show.
 */
export function prefetchRoute(pathname: string, client: QueryClient): void {
  const ignore = () => undefined;
  if (pathname === '/' || matchPath('/projects', pathname)) {
    void chunks.projects().catch(ignore);
    void client.prefetchQuery(pageQueries.projects({ ...firstPage, name: '' }));
    return;
  }
  const inProject = matchPath('/projects/:projectId/*', pathname);
  const id = Number(inProject?.params.projectId);
  if (!inProject || !Number.isInteger(id) || id <= 0) return;
  void chunks.project().catch(ignore);
  void client.prefetchQuery(pageQueries.permissions(id));
  const artifacts = matchPath('/projects/:projectId/repositories/:repositoryName/artifacts', pathname);
  const rest = inProject.params['*'] ?? '';
  if (rest === '' || rest === 'repositories') void chunks.repositories().catch(ignore);
  if (artifacts) void chunks.artifacts().catch(ignore);
  else if (matchPath('/projects/:projectId/repositories/:repositoryName/artifacts/:reference', pathname)) void chunks.artifactDetail().catch(ignore);
  void client
    .fetchQuery(pageQueries.project(id))
    .then((project) => {
      const repository = artifacts?.params.repositoryName;
      if (repository) {
        void client.prefetchQuery(pageQueries.repository(project.name, repository));
        void client.prefetchQuery(pageQueries.artifacts(project.name, repository, { ...firstPage, tagFilter: '' }));
      }
    })
    .catch(ignore);
}
