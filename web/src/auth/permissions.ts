import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import type { Permission } from '../api/types';

/**
 * What the signed-in user may do in a project, as the API reports it (Harbor's
 * /users/current/permissions). The portal hides what is not allowed; the API refuses it anyway.
 */
export function useProjectPermissions(projectId: number | undefined) {
  const q = useQuery({
    queryKey: ['permissions', projectId],
    queryFn: () => api.get<Permission[]>('/users/current/permissions', { scope: `/project/${projectId}`, relative: true }),
    enabled: projectId !== undefined,
    staleTime: 60_000,
  });
  const granted = new Set((q.data ?? []).map((p) => `${p.resource}:${p.action}`));
  return {
    loading: q.isPending,
    can: (resource: string, action: string) => granted.has(`${resource}:${action}`),
  };
}
