import { roleAllows, type ProjectRole } from '../rbac/matrix.js';
import type { Principal } from './principal.js';

export interface ProjectFacts {
  name: string;
  public: boolean;
  /** The principal's role in this project, when a user member. */
  role: ProjectRole | null;
}

/**
 * The one permission rule: system admins may do anything; members get their role's row of the
 * matrix; robots get exactly their grants; and anyone (anonymous included) may read a public
 * project as a limited guest would.
 */
export function allows(p: Principal, project: ProjectFacts, resource: string, action: string): boolean {
  if (p.kind === 'user' && p.sysadmin) return true;
  if (project.public && roleAllows('limitedGuest', resource, action) && isReadAction(action)) return true;
  if (p.kind === 'user') return project.role !== null && roleAllows(project.role, resource, action);
  if (p.kind === 'robot') {
    return p.grants.some(
      (g) => (g.namespace === project.name || (g.namespace === '*' && p.level === 'system')) && g.resource === resource && g.action === action,
    );
  }
  return false;
}

function isReadAction(action: string): boolean {
  return action === 'pull' || action === 'read' || action === 'list';
}

/** Registry (token scope) actions in terms of the matrix. */
export const registryActionPermission: Record<string, [resource: string, action: string]> = {
  pull: ['repository', 'pull'],
  push: ['repository', 'push'],
  delete: ['artifact', 'delete'],
};
