import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator } from '../../auth/authenticator.js';
import type { TokenService } from '../../auth/token-service.js';
import { anonymous, principalName, type Principal } from '../../domain/identity/principal.js';
import { parseScopes } from '../../domain/identity/scope.js';
import type { AuditLog } from '../../services/audit/audit-log.js';
import type { Authorizer } from '../../services/identity/authorizer.js';
import { grantScopes } from '../../services/identity/token-grants.js';
import { clientIp, readCredentials } from '../auth/credentials.js';
import { recordLogin } from '../auth/login-audit.js';

export interface TokenRouteDeps {
  tokens: TokenService;
  authenticator: Authenticator;
  authorizer: Authorizer;
  audit: AuditLog;
}

function tokenError(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).send({ errors: [{ code, message }] });
}

/**
 * The Docker token protocol at /service/token: GET with optional Basic credentials and repeated
 * `scope`, and the OAuth2 POST form (grant_type=password) newer clients use.
 */
export async function tokenRoutes(app: FastifyInstance, deps: TokenRouteDeps) {
  async function authenticate(req: FastifyRequest, reply: FastifyReply, username?: string, password?: string): Promise<Principal | null> {
    if (username === undefined) return anonymous;
    const r = await deps.authenticator.password(username, password ?? '', clientIp(req));
    if (r.ok) return r.principal;
    recordLogin(deps.audit, req, username, false, r.reason);
    if (r.reason === 'throttled') {
      reply.header('Retry-After', Math.ceil(r.retryAfterMs / 1000));
      tokenError(reply, 429, 'TOO_MANY_REQUESTS', 'too many failed logins; try again later');
      return null;
    }
    reply.header('WWW-Authenticate', 'Basic realm="haven"');
    tokenError(reply, 401, 'UNAUTHORIZED', 'invalid username or password');
    return null;
  }

  async function issue(req: FastifyRequest, reply: FastifyReply, principal: Principal, service: string | undefined, scopes: string[], oauth: boolean) {
    if (service !== undefined && service !== deps.tokens.service) {
      return tokenError(reply, 400, 'BAD_REQUEST', `unknown service "${service.slice(0, 100)}"`);
    }
    const { access, projects } = await grantScopes(deps.authorizer, principal, parseScopes(scopes));
    const who = principal.kind === 'anonymous' ? null : { kind: principal.kind, id: principal.id };
    const { token, expiresIn, issuedAt } = await deps.tokens.issue(principalName(principal), access, { principal: who, projects });
    if (principal.kind !== 'anonymous' && scopes.length === 0) {
      // `docker login` asks for a token with no scope: that is the login worth recording.
      recordLogin(deps.audit, req, principalName(principal), true);
    }
    reply.header('Cache-Control', 'no-store');
    return reply.send({ token, access_token: token, expires_in: expiresIn, issued_at: issuedAt, ...(oauth ? { scope: scopes.join(' ') } : {}) });
  }

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) =>
    done(null, body),
  );

  app.get('/service/token', async (req, reply) => {
    const qi = req.url.indexOf('?');
    const q = new URLSearchParams(qi < 0 ? '' : req.url.slice(qi + 1));
    const creds = readCredentials(req);
    if (creds.kind === 'malformed' || creds.kind === 'bearer') {
      return tokenError(reply, 401, 'UNAUTHORIZED', 'token requests take Basic credentials or none');
    }
    const principal = await authenticate(req, reply, creds.kind === 'basic' ? creds.username : undefined, creds.kind === 'basic' ? creds.password : undefined);
    if (!principal) return reply;
    return issue(req, reply, principal, q.get('service') ?? undefined, q.getAll('scope'), false);
  });

  app.post('/service/token', async (req, reply) => {
    const form = new URLSearchParams(typeof req.body === 'string' ? req.body : '');
    const grant = form.get('grant_type');
    if (grant !== 'password') {
      return reply.code(400).send({ error: 'unsupported_grant_type', error_description: 'only grant_type=password is supported' });
    }
    const principal = await authenticate(req, reply, form.get('username') ?? '', form.get('password') ?? '');
    if (!principal) return reply;
    return issue(req, reply, principal, form.get('service') ?? undefined, form.getAll('scope'), true);
  });
}
