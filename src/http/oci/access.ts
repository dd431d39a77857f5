import type { FastifyRequest } from 'fastify';

export type RegistryAction = 'pull' | 'push' | 'delete';

/**
 * What a request needs: actions on a repository; or, with `repository: null`, the registry
 * itself (GET /v2/: any authenticated caller) or the catalog (`catalog: true`).
 */
export interface AccessScope {
  repository: string | null;
  actions: RegistryAction[];
  catalog?: boolean;
}

/**
 * The access hook every /v2 route calls before its service call. Identity plugs in here (token
 * auth, RBAC) without touching the handlers; it throws UNAUTHORIZED/DENIED to refuse.
 */
export interface RegistryAccess {
  authorize(request: FastifyRequest, scope: AccessScope): Promise<void>;
  /** Whether the caller may read a repository (for cross-repository mounts). */
  canRead(request: FastifyRequest, repository: string): Promise<boolean>;
}

/** No authentication: everyone may do everything. */
export function createOpenAccess(): RegistryAccess {
  return {
    async authorize() {},
    async canRead() {
      return true;
    },
  };
}
