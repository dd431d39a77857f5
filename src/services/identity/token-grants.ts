import { validateRepositoryName, projectOf } from '../../domain/oci/names.js';
import { isSysadmin, type Principal } from '../../domain/identity/principal.js';
import type { ResourceScope } from '../../domain/identity/scope.js';
import type { Authorizer } from './authorizer.js';

const registryActions = ['pull', 'push', 'delete'];

export interface Grants {
  access: ResourceScope[];
  /** Name -> id of each project the access grants anything in: the token is bound to these. */
  projects: Record<string, number>;
}

/**
 * The token service's decision: of each requested scope, the actions the principal holds.
 * Asking for more than one may have is never an error; the token just carries less.
 */
export async function grantScopes(authorizer: Authorizer, principal: Principal, scopes: ResourceScope[]): Promise<Grants> {
  const access: ResourceScope[] = [];
  const projects: Record<string, number> = Object.create(null);
  for (const s of scopes) {
    if (s.type === 'registry' && s.name === 'catalog') {
      access.push({ ...s, actions: isSysadmin(principal) ? s.actions.filter((a) => a === '*') : [] });
      continue;
    }
    if (s.type !== 'repository') continue;
    try {
      validateRepositoryName(s.name);
    } catch {
      continue;
    }
    const wanted = s.actions.includes('*') ? registryActions : s.actions.filter((a) => registryActions.includes(a));
    const grant = await authorizer.registryGrant(principal, projectOf(s.name), wanted);
    const actions = grant?.actions ?? [];
    if (grant && actions.length > 0) projects[projectOf(s.name)] = grant.projectId;
    access.push({ type: 'repository', name: s.name, actions });
  }
  return { access, projects };
}
