import { allows, registryActionPermission, type ProjectFacts } from '../../domain/identity/access-policy.js';
import type { Principal } from '../../domain/identity/principal.js';
import { roleOfId } from '../../domain/identity/roles.js';
import type { MemberStore } from '../../db/members.js';
import type { ProjectStore } from '../../db/projects.js';
import type { ProjectRow } from '../../db/schema.js';
import { cachedProject, type CachedProject } from '../../auth/identity-cache.js';

export interface ProjectAccess {
  project: ProjectRow;
  facts: ProjectFacts;
  can(resource: string, action: string): boolean;
}

/**
 * Loads what a permission decision needs (project, membership) and applies the access policy.
 * Registry decisions take the project from `project` when given (the identity cache: every
 * change of a project's existence or visibility forgets it on all instances), so an anonymous
 * or robot pull of a public project asks the database nothing; a user's role comes from `role`
 * when given (the same cache: member changes forget the project's memberships everywhere).
 */
export function createAuthorizer(deps: {
  projects: ProjectStore;
  members: MemberStore;
  project?: (name: string) => Promise<CachedProject | null>;
  role?: (projectId: number, userId: number) => Promise<number | null>;
}) {
  const { projects, members } = deps;
  const projectOf = deps.project ?? (async (name: string) => cachedProject(await projects.byName(name)));
  const roleOf = deps.role ?? ((projectId: number, userId: number) => members.roleOf(projectId, userId));

  /** What the policy decides on: the project's visibility and, for a user, their role in it. */
  async function factsOf(principal: Principal, name: string, project: CachedProject): Promise<ProjectFacts> {
    const roleId = principal.kind === 'user' ? await roleOf(project.id, principal.id) : null;
    return { name, public: project.public, role: roleId === null ? null : roleOfId(roleId) };
  }

  async function access(principal: Principal, project: ProjectRow | string | null): Promise<ProjectAccess | null> {
    const row = typeof project === 'string' ? await projects.byName(project) : project;
    if (!row) return null;
    const facts = await factsOf(principal, row.name, cachedProject(row));
    return { project: row, facts, can: (resource, action) => allows(principal, facts, resource, action) };
  }

  /** Of the registry actions asked for on a project, the ones the principal holds, and the project's id (null: no such project). */
  async function registryGrant(principal: Principal, projectName: string, requested: string[]): Promise<{ projectId: number; actions: string[] } | null> {
    const p = await projectOf(projectName);
    if (!p) return null;
    const facts = await factsOf(principal, projectName, p);
    const actions = requested.filter((action) => {
      const perm = registryActionPermission[action];
      return perm !== undefined && allows(principal, facts, perm[0], perm[1]);
    });
    return { projectId: p.id, actions };
  }

  return {
    access,

    async can(principal: Principal, project: ProjectRow | string, resource: string, action: string): Promise<boolean> {
      return (await access(principal, project))?.can(resource, action) ?? false;
    },

    async registryActions(principal: Principal, projectName: string, requested: string[]): Promise<string[]> {
      return (await registryGrant(principal, projectName, requested))?.actions ?? [];
    },

    registryGrant,
  };
}

export type Authorizer = ReturnType<typeof createAuthorizer>;
