import { useQuery } from '@tanstack/react-query';
import { pageQueries } from '../app/page-queries';

/**
 * What the signed-in user may do in a project, as the API reports it (Harbor's
 * /users/current/permissions). The portal hides what is not allowed; the API refuses it anyway.
 */
export function useProjectPermissions(projectId: number | undefined) {
  const q = useQuery({ ...pageQueries.permissions(projectId), enabled: projectId !== undefined });
  const granted = new Set((q.data ?? []).map((p) => `${p.resource}:${p.action}`));
  return {
    loading: q.isPending,
    can: (resource: string, action: string) => granted.has(`${resource}:${action}`),
  };
}
