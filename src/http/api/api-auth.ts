import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Sessions } from '../../auth/sessions.js';
import { csrfHeader, sessionCookie } from './session-routes.js';
import { anonymous, type Principal } from '../../domain/identity/principal.js';
import { AppError } from '../../platform/errors.js';
import type { Login } from '../../services/identity/login.js';
import { readCredentials } from '../auth/credentials.js';
import { loginAttempt, loginRefusal, malformedCredentials } from '../auth/login-refusal.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

/**
 * Who is calling the management API: Basic credentials (scripts, Harbor clients) or nobody.
 * Bad credentials are a 401 even on endpoints anonymous callers may use, as Harbor does.
 */
export function createApiAuth(deps: { login: Login; sessions: Sessions }) {
  return async function identify(req: FastifyRequest, reply: FastifyReply): Promise<Principal> {
    const creds = readCredentials(req);
    if (creds.kind === 'none') return fromSession(req, reply);
    if (creds.kind === 'malformed') throw malformedCredentials();
    if (creds.kind !== 'basic') throw new AppError('UNAUTHORIZED', 'the API takes Basic credentials');
    const r = await deps.login(loginAttempt(req, creds.username, creds.password));
    if (r.ok) return r.principal;
    throw loginRefusal(r);
  };

  /**
   * A portal session (cookie). State-changing requests must echo the session's CSRF token in
   * X-Harbor-CSRF-Token; every response carries it so the portal always has the current one.
   */
  async function fromSession(req: FastifyRequest, reply: FastifyReply): Promise<Principal> {
    const id = req.cookies?.[sessionCookie];
    if (!id) return anonymous;
    const principal = await deps.sessions.resolve(id);
    if (!principal) return anonymous;
    if (!safeMethods.has(req.method) && !deps.sessions.csrfMatches(id, req.headers[csrfHeader] as string | undefined)) {
      throw new AppError('FORBIDDEN', 'CSRF token missing or invalid');
    }
    reply.header(csrfHeader, deps.sessions.csrf(id));
    return principal;
  }
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

