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
  /**
   * A mount's source repository: a token that does not mention it gets a challenge naming both
   * repositories (as distribution does), so the client can fetch a token that covers the mount.
   */
  mountFrom?: string;
}

/**
 * The access hook every /v2 route calls before its service call. Identity plugs in here (token
 * auth, RBAC) without touching the handlers; it throws UNAUTHORIZED/DENIED to refuse.
 */
export interface RegistryAccess {
  authorize(request: FastifyRequest, scope: AccessScope): Promise<void>;
  /** Whether the caller may read a repository (for cross-repository mounts). */
  canRead(request: FastifyRequest, repository: string): Promise<boolean>;
  /** Notes a completed artifact operation for the audit log (who is known only here). */
  record(request: FastifyRequest, event: RegistryEvent): void;
}

export interface RegistryEvent {
  /** Harbor's names: a push is "create". */
  operation: 'pull' | 'create' | 'delete';
  resourceType: 'artifact' | 'tag' | 'blob';
  repository: string;
  reference: string;
}
