import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TokenService } from '../../auth/token-service.js';
import { anonymous, principalName, type Principal } from '../../domain/identity/principal.js';
import { parseScopes } from '../../domain/identity/scope.js';
import { AppError } from '../../platform/errors.js';
import type { AuditLog } from '../../services/audit/audit-log.js';
import type { Authorizer } from '../../services/identity/authorizer.js';
import type { Login } from '../../services/identity/login.js';
import { grantScopes } from '../../services/identity/token-grants.js';
import { readCredentials } from '../auth/credentials.js';
import { loginAttempt, loginRefusal, malformedCredentials } from '../auth/login-refusal.js';

export interface TokenRouteDeps {
  tokens: TokenService;
  login: Login;
  authorizer: Authorizer;
  audit: AuditLog;
}

const basicChallenge = { 'WWW-Authenticate': 'Basic realm="haven"' };

/**
 * The Docker token protocol at /service/token: GET with optional Basic credentials and repeated
 * `scope`, and the OAuth2 POST form (grant_type=password) newer clients use.
 */
export async function tokenRoutes(app: FastifyInstance, deps: TokenRouteDeps) {
  function checkService(service: string | null): void {
    if (service !== null && service !== deps.tokens.service) throw new AppError('BAD_REQUEST', `unknown service "${service.slice(0, 100)}"`);
  }

  async function authenticate(req: FastifyRequest, username: string, password: string, scopes: string[]): Promise<Principal> {
    // `docker login` asks for a token with no scope: that is the login worth recording.
    const r = await deps.login(loginAttempt(req, username, password, { auditSuccess: scopes.length === 0 }));
    if (r.ok) return r.principal;
    throw loginRefusal(r, basicChallenge);
  }

  async function issue(reply: FastifyReply, principal: Principal, scopes: string[], oauth: boolean) {
    const { access, projects } = await grantScopes(deps.authorizer, principal, parseScopes(scopes));
    const who = principal.kind === 'anonymous' ? null : { kind: principal.kind, id: principal.id };
    const { token, expiresIn, issuedAt } = await deps.tokens.issue(principalName(principal), access, { principal: who, projects });
    reply.header('Cache-Control', 'no-store');
    return reply.send({ token, access_token: token, expires_in: expiresIn, issued_at: issuedAt, ...(oauth ? { scope: scopes.join(' ') } : {}) });
  }

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) =>
    done(null, body),
  );

  app.get('/service/token', async (req, reply) => {
    const qi = req.url.indexOf('?');
    const q = new URLSearchParams(qi < 0 ? '' : req.url.slice(qi + 1));
    checkService(q.get('service'));
    const scopes = q.getAll('scope');
    const creds = readCredentials(req);
    if (creds.kind === 'malformed') throw malformedCredentials();
    if (creds.kind === 'bearer') throw malformedCredentials({}, 'token requests take Basic credentials or none');
    const principal = creds.kind === 'basic' ? await authenticate(req, creds.username, creds.password, scopes) : anonymous;
    return issue(reply, principal, scopes, false);
  });

  app.post('/service/token', async (req, reply) => {
    const form = new URLSearchParams(typeof req.body === 'string' ? req.body : '');
    if (form.get('grant_type') !== 'password') throw new AppError('UNSUPPORTED_GRANT_TYPE', 'only grant_type=password is supported');
    checkService(form.get('service'));
    const scopes = form.getAll('scope');
    const username = form.get('username');
    const password = form.get('password');
    if (!username || password === null) throw malformedCredentials({}, 'the form needs username and password');
    const principal = await authenticate(req, username, password, scopes);
    return issue(reply, principal, scopes, true);
  });
}
