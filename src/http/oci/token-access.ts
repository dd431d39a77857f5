import type { FastifyRequest } from 'fastify';
import { setEventOperator } from '../../events/event-context.js';
import type { Authenticator } from '../../auth/authenticator.js';
import type { IdentityCache } from '../../auth/identity-cache.js';
import type { TokenBinding, TokenClaims, TokenService } from '../../auth/token-service.js';
import { anonymous, isSysadmin, principalName, type Principal } from '../../domain/identity/principal.js';
import { projectOf } from '../../domain/oci/names.js';
import { AppError } from '../../platform/errors.js';
import type { Authorizer } from '../../services/identity/authorizer.js';
import type { AuditLog } from '../../services/audit/audit-log.js';
import type { Login } from '../../services/identity/login.js';
import { clientIp, readCredentials } from '../auth/credentials.js';
import { loginAttempt, loginRefusal, malformedCredentials } from '../auth/login-refusal.js';
import { quoted, requestOrigin } from '../auth/request-origin.js';
import type { AccessScope, RegistryAccess } from './access.js';

type Caller = { kind: 'token'; claims: TokenClaims } | { kind: 'principal'; principal: Principal };

export interface TokenAccessDeps {
  tokens: TokenService;
  authenticator: Pick<Authenticator, 'principalOf'>;
  login: Login;
  authorizer: Authorizer;
  identity: Pick<IdentityCache, 'projectId' | 'userExists' | 'robotUsable'>;
  audit: AuditLog;
  /** External URL; empty means "derive from the request's Host". */
  externalUrl: string;
}

/**
 * Registry access with identity: Bearer tokens from /service/token (the Docker flow), Basic
 * credentials straight to /v2 (simple clients), or anonymous (public projects only).
 */
export function createTokenAccess(deps: TokenAccessDeps): RegistryAccess & { caller(req: FastifyRequest): Promise<Caller> } {
  const callers = new WeakMap<FastifyRequest, Promise<Caller>>();
  const projectId = (name: string) => deps.identity.projectId(name);

  function realm(req: FastifyRequest): string {
    const base = deps.externalUrl ? deps.externalUrl.replace(/\/+$/, '') : requestOrigin(req);
    return `${base}/service/token`;
  }

  function challenge(req: FastifyRequest, scope: AccessScope | null, error?: string): Record<string, string> {
    let v = `Bearer realm=${quoted(realm(req))},service=${quoted(deps.tokens.service)}`;
    if (scope?.repository) {
      const from = scope.mountFrom ? ` repository:${scope.mountFrom}:pull` : '';
      v += `,scope=${quoted(`repository:${scope.repository}:${scope.actions.join(',')}${from}`)}`;
    }
    else if (scope?.catalog) v += ',scope="registry:catalog:*"';
    if (error) v += `,error=${quoted(error)}`;
    return { 'WWW-Authenticate': v };
  }

  /** The user or robot a token speaks for must still exist (and a robot be enabled and unexpired). */
  async function subjectValid(who: TokenBinding['principal']): Promise<boolean> {
    if (who === null) return true;
    return who.kind === 'user' ? deps.identity.userExists(who.id) : deps.identity.robotUsable(who.id);
  }

  async function identify(req: FastifyRequest): Promise<Caller> {
    const creds = readCredentials(req);
    if (creds.kind === 'bearer') {
      const claims = await deps.tokens.verify(creds.token);
      if (!claims || !(await subjectValid(claims.bound.principal))) {
        throw new AppError('UNAUTHORIZED', 'invalid or expired token', { headers: challenge(req, null, 'invalid_token') });
      }
      return { kind: 'token', claims };
    }
    if (creds.kind === 'basic') {
      const r = await deps.login(loginAttempt(req, creds.username, creds.password));
      if (r.ok) return { kind: 'principal', principal: r.principal };
      throw loginRefusal(r, challenge(req, null));
    }
    if (creds.kind === 'malformed') throw malformedCredentials(challenge(req, null));
    return { kind: 'principal', principal: anonymous };
  }

  function caller(req: FastifyRequest): Promise<Caller> {
    let c = callers.get(req);
    if (!c) {
      c = identify(req);
      callers.set(req, c);
      // The operator of the events this request writes (a push, a delete, a pull).
      c.then((x) => setEventOperator(x.kind === 'token' ? x.claims.subject : principalName(x.principal)), () => {});
    }
    return c;
  }

  /**
   * The actions the caller holds on a repository. A token's hold only while the project it was
   * granted in is still that project (`stale` otherwise: deleted, or re-created under the name).
   */
  async function granted(c: Caller, repository: string, actions: string[]): Promise<{ have: string[]; stale: boolean }> {
    if (c.kind === 'principal') return { have: await deps.authorizer.registryActions(c.principal, projectOf(repository), actions), stale: false };
    const held = new Set(c.claims.access.filter((a) => a.type === 'repository' && a.name === repository).flatMap((a) => a.actions));
    const have = actions.filter((a) => held.has(a));
    if (have.length === 0) return { have, stale: false };
    const project = projectOf(repository);
    const boundId = c.claims.bound.projects[project];
    if (boundId === undefined || (await projectId(project)) !== boundId) return { have: [], stale: true };
    return { have, stale: false };
  }

  /**
   * Whether the caller can see a project at all (it exists and they hold some registry action on
   * it). Only asked on the way to a refusal, so a token's subject is looked up afresh here.
   */
  async function canSee(c: Caller, project: string): Promise<boolean> {
    const principal = c.kind === 'principal' ? c.principal : await deps.authenticator.principalOf(c.claims.bound.principal);
    if (!principal) return false;
    return (await deps.authorizer.registryActions(principal, project, ['pull', 'push', 'delete'])).length > 0;
  }

  return {
    caller,

    async authorize(req, scope) {
      const c = await caller(req);
      const isAnonymous = c.kind === 'principal' && c.principal.kind === 'anonymous';
      if (scope.catalog) {
        const ok = c.kind === 'token'
          ? c.claims.access.some((a) => a.type === 'registry' && a.name === 'catalog' && a.actions.includes('*'))
          : isSysadmin(c.principal);
        if (ok) return;
      } else if (scope.repository === null) {
        if (!isAnonymous) return;
      } else {
        const { have, stale } = await granted(c, scope.repository, scope.actions);
        if (have.length === scope.actions.length) {
          const mountFrom = scope.mountFrom;
          if (mountFrom === undefined || c.kind !== 'token' || c.claims.access.some((a) => a.type === 'repository' && a.name === mountFrom)) return;
          throw new AppError('UNAUTHORIZED', `the token does not cover the mount source ${mountFrom}`, { headers: challenge(req, scope, 'insufficient_scope') });
        }
        // Whatever is refused below must read the same for a missing project and for a private
        // one the caller cannot see: anonymous callers get the same challenge either way (as
        // for HEAD in Harbor), and logged-in ones pushing get "does not exist" for both. So does
        // a logged-in HEAD, which has no body to explain itself: the one clients send before
        // pushing a blob, answered 401, leaves podman and skopeo printing only "error parsing
        // HTTP 401 response body"; a 404 sends them on to the POST, whose body names the project.
        if (stale) {
          throw new AppError('UNAUTHORIZED', `the project this token was granted for is gone; request a new token`, {
            headers: challenge(req, scope, 'invalid_token'),
          });
        }
        const loggedIn = !isAnonymous && !(c.kind === 'token' && c.claims.bound.principal === null);
        if (loggedIn && (scope.actions.includes('push') || req.method === 'HEAD') && !(await canSee(c, projectOf(scope.repository)))) {
          throw new AppError('NAME_UNKNOWN', `project "${projectOf(scope.repository)}" does not exist; create it before pushing`);
        }
      }
      const what = scope.catalog ? 'the catalog' : scope.repository ? `repository ${scope.repository} (${scope.actions.join(',')})` : 'the registry';
      if (isAnonymous) throw new AppError('UNAUTHORIZED', `authentication required to access ${what}`, { headers: challenge(req, scope) });
      if (c.kind === 'token') {
        throw new AppError('UNAUTHORIZED', `not allowed to access ${what}`, { headers: challenge(req, scope, 'insufficient_scope') });
      }
      throw new AppError('DENIED', `not allowed to access ${what}`);
    },

    async canRead(req, repository) {
      return (await granted(await caller(req), repository, ['pull'])).have.length === 1;
    },

    record(req, e) {
      void caller(req).then(async (c) => {
        const username = c.kind === 'token' ? c.claims.subject : principalName(c.principal);
        const sep = e.reference.includes(':') ? '@' : ':';
        deps.audit.record({
          projectId: await projectId(projectOf(e.repository)),
          operation: e.operation,
          resourceType: e.resourceType,
          resource: `${e.repository}${sep}${e.reference}`,
          username,
          clientIp: clientIp(req),
          success: true,
        });
      }, () => {});
    },
  };
}
