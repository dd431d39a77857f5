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
 * matrix; robots get exactly their grants; and anyone (anonymous included) gets Harbor's
 * public-project policies on a public project.
 */
export function allows(p: Principal, project: ProjectFacts, resource: string, action: string): boolean {
  if (p.kind === 'user' && p.sysadmin) return true;
  if (project.public && publicPolicies.has(`${resource}:${action}`)) return true;
  if (p.kind === 'user') return project.role !== null && roleAllows(project.role, resource, action);
  if (p.kind === 'robot') {
    return p.grants.some(
      (g) => (g.namespace === project.name || (g.namespace === '*' && p.level === 'system')) && g.resource === resource && g.action === action,
    );
  }
  return false;
}

/**
 * What Harbor grants everyone on a public project (publicProjectPolicies, rbac_util.go): fewer
 * than a limited guest's reads (no repository:read, for one).
 */
const publicPolicies = new Set([
  'self:read',
  'label:read',
  'label:list',
  'repository:list',
  'repository:pull',
  'scan:read',
  'scanner:read',
  'tag:list',
  'artifact:read',
  'artifact:list',
  'artifact-addition:read',
  'accessory:list',
]);

/** Registry (token scope) actions in terms of the matrix. */
export const registryActionPermission: Record<string, [resource: string, action: string]> = {
  pull: ['repository', 'pull'],
  push: ['repository', 'push'],
  delete: ['artifact', 'delete'],
};

/**
 * Whether the principal may know that the project exists: administrators, members, robots with a
 * grant on it, and everyone for a public project. Anyone else is answered as if it did not exist,
 * so a refusal never confirms a private project's id or name.
 */
export function sees(p: Principal, project: ProjectFacts): boolean {
  if (project.public) return true;
  if (p.kind === 'user') return p.sysadmin || project.role !== null;
  if (p.kind === 'robot') return p.grants.some((g) => g.namespace === project.name || (g.namespace === '*' && p.level === 'system'));
  return false;
}
