import { repoPath } from '../../api/client';

/** The API path of a repository, given the project name and the name inside it ("team/app"). */
export const repositoryApi = (project: string, repository: string) => `/projects/${encodeURIComponent(project)}/repositories/${repoPath(repository)}`;

export const artifactApi = (project: string, repository: string, reference: string) => `${repositoryApi(project, repository)}/artifacts/${encodeURIComponent(reference)}`;

/** The portal's own page paths; the repository name is one path segment (its slashes encoded). */
export const artifactsPage = (projectId: number, repository: string) => `/projects/${projectId}/repositories/${encodeURIComponent(repository)}/artifacts`;

export const artifactPage = (projectId: number, repository: string, digest: string) => `${artifactsPage(projectId, repository)}/${encodeURIComponent(digest)}`;

/** The name inside the project ("team/app" of "project/team/app"): what the pages and paths use. */
export const nameInProject = (project: string, fullName: string) => (fullName.startsWith(`${project}/`) ? fullName.slice(project.length + 1) : fullName);

/** How a person names an artifact in a title: its first tag, else its short digest. */
export const shortRef = (a: { digest: string; tags: Array<{ name: string }> | null }) => a.tags?.[0]?.name ?? (a.digest.startsWith('sha256:') ? `sha256:${a.digest.slice(7, 19)}` : a.digest.slice(0, 19));
