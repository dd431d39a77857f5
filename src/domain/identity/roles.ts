import type { ProjectRole } from '../rbac/matrix.js';

/** Harbor's role ids, as the members API speaks them. */
export const roleIds: Record<number, ProjectRole> = {
  1: 'projectAdmin',
  2: 'developer',
  3: 'guest',
  4: 'maintainer',
  5: 'limitedGuest',
};

export function roleOfId(id: number): ProjectRole | null {
  return roleIds[id] ?? null;
}
