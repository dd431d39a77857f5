/**
 * The code-split pages, one import each: React's lazy() loads them when they render, and the
 * route prefetch starts the same import earlier, while the session is still being checked.
 */
export const chunks = {
  projects: () => import('../pages/projects/ProjectsPage'),
  project: () => import('../pages/project/ProjectPage'),
  admin: () => import('../pages/admin/AdminRoutes'),
  repositories: () => import('../pages/repository/RepositoriesTab'),
  artifacts: () => import('../pages/repository/ArtifactsPage'),
  artifactDetail: () => import('../pages/repository/ArtifactDetailPage'),
};
