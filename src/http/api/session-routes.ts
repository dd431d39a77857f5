import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator } from '../../auth/authenticator.js';
import type { Sessions } from '../../auth/sessions.js';
import type { AuditLog } from '../../services/audit/audit-log.js';
import { clientIp } from '../auth/credentials.js';
import { recordLogin } from '../auth/login-audit.js';
import { isCrossOrigin } from '../auth/origin.js';

export const sessionCookie = 'sid';
export const csrfHeader = 'x-harbor-csrf-token';

export interface SessionRouteOptions {
  authenticator: Authenticator;
  sessions: Sessions;
  audit: AuditLog;
  secureCookies: boolean;
  /** Haven's own origin when configured; else the request's scheme and host are. */
  externalUrl: string;
}

/**
 * Harbor's portal login: POST /c/login (form: principal, password) and POST /c/log_out. Both
 * refuse a browser request from another site's page (login CSRF: a hostile page logging the
 * victim into the attacker's account); the cookie is SameSite=Lax besides.
 */
export async function sessionRoutes(app: FastifyInstance, opts: SessionRouteOptions) {
  const { authenticator, sessions, audit } = opts;
  const cookie = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: opts.secureCookies };
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => done(null, body));

  const refuseCrossOrigin = (req: FastifyRequest, reply: FastifyReply): boolean => {
    const own = opts.externalUrl || `${req.protocol}://${req.host}`;
    if (!isCrossOrigin(req.headers, own)) return false;
    void reply.code(403).send({ errors: [{ code: 'FORBIDDEN', message: 'cross-origin request refused' }] });
    return true;
  };

  app.post('/c/login', async (req, reply) => {
    if (refuseCrossOrigin(req, reply)) return reply;
    const form = new URLSearchParams(typeof req.body === 'string' ? req.body : '');
    const username = form.get('principal') ?? '';
    const r = await authenticator.password(username, form.get('password') ?? '', clientIp(req));
    const ok = r.ok && r.principal.kind === 'user';
    recordLogin(audit, req, username, ok, r.ok ? 'not a user' : r.reason);
    if (!r.ok && r.reason === 'throttled') {
      return reply.code(429).header('Retry-After', Math.ceil(r.retryAfterMs / 1000)).send({ errors: [{ code: 'TOO_MANY_REQUESTS', message: 'too many failed logins; try again later' }] });
    }
    if (!ok || r.principal.kind !== 'user') {
      return reply.code(401).send({ errors: [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }] });
    }
    const s = await sessions.start(r.principal.id);
    reply.setCookie(sessionCookie, s.id, cookie);
    reply.header(csrfHeader, s.csrf);
    return reply.code(200).send();
  });

  app.post('/c/log_out', async (req, reply) => {
    if (refuseCrossOrigin(req, reply)) return reply;
    const id = req.cookies[sessionCookie];
    if (id) await sessions.end(id);
    reply.clearCookie(sessionCookie, cookie);
    return reply.code(200).send();
  });

  // A GET must not change state: an <img src> on any page could log the user out.
  app.get('/c/log_out', async (_req, reply) =>
    reply.code(405).header('Allow', 'POST').send({ errors: [{ code: 'METHOD_NOT_ALLOWED', message: 'log out with POST' }] }),
  );
}
