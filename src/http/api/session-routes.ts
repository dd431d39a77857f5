import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../../auth/authenticator.js';
import type { Sessions } from '../../auth/sessions.js';
import type { AuditLog } from '../../services/audit/audit-log.js';
import { clientIp } from '../auth/credentials.js';
import { recordLogin } from '../auth/login-audit.js';

export const sessionCookie = 'sid';
export const csrfHeader = 'x-harbor-csrf-token';

/** Harbor's portal login: POST /c/login (form: principal, password) and GET /c/log_out. */
export async function sessionRoutes(app: FastifyInstance, opts: { authenticator: Authenticator; sessions: Sessions; audit: AuditLog; secureCookies: boolean }) {
  const { authenticator, sessions, audit } = opts;
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => done(null, body));

  app.post('/c/login', async (req, reply) => {
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
    reply.setCookie(sessionCookie, s.id, { path: '/', httpOnly: true, sameSite: 'lax', secure: opts.secureCookies });
    reply.header(csrfHeader, s.csrf);
    return reply.code(200).send();
  });

  app.get('/c/log_out', async (req, reply) => {
    const id = req.cookies[sessionCookie];
    if (id) await sessions.end(id);
    reply.clearCookie(sessionCookie, { path: '/' });
    return reply.code(200).send();
  });
}
