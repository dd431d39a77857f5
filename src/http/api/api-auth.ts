import type { FastifyRequest } from 'fastify';
import type { Authenticator } from '../../auth/authenticator.js';
import { anonymous, principalName, type Principal } from '../../domain/identity/principal.js';
import { AppError } from '../../platform/errors.js';
import type { AuditLog } from '../../services/audit/audit-log.js';
import { clientIp, readCredentials } from '../auth/credentials.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

/**
 * Who is calling the management API: Basic credentials (scripts, Harbor clients) or nobody.
 * Bad credentials are a 401 even on endpoints anonymous callers may use, as Harbor does.
 */
export function createApiAuth(deps: { authenticator: Authenticator; audit: AuditLog }) {
  return async function identify(req: FastifyRequest): Promise<Principal> {
    const creds = readCredentials(req);
    if (creds.kind === 'none') return anonymous;
    if (creds.kind !== 'basic') throw new AppError('UNAUTHORIZED', 'the API takes Basic credentials');
    const r = await deps.authenticator.password(creds.username, creds.password, clientIp(req));
    if (r.ok) return r.principal;
    deps.audit.record({ projectId: null, operation: 'login', resourceType: 'user', resource: creds.username, username: creds.username, clientIp: clientIp(req), success: false });
    req.log.warn({ username: creds.username, ip: clientIp(req), reason: r.reason }, 'api: login failed');
    if (r.reason === 'throttled') {
      throw new AppError('TOOMANYREQUESTS', 'too many failed logins; try again later', {
        status: 429,
        headers: { 'Retry-After': String(Math.ceil(r.retryAfterMs / 1000)) },
      });
    }
    throw new AppError('UNAUTHORIZED', 'invalid username or password');
  };
}

export { principalName };
