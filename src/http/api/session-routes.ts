import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Sessions } from '../../auth/sessions.js';
import { AppError } from '../../platform/errors.js';
import type { Login } from '../../services/identity/login.js';
import { loginAttempt, loginRefusal, malformedCredentials } from '../auth/login-refusal.js';
import { isCrossOrigin } from '../auth/origin.js';

export const sessionCookie = 'sid';
export const csrfHeader = 'x-harbor-csrf-token';

export interface SessionRouteOptions {
  login: Login;
  sessions: Sessions;
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
  const { login, sessions } = opts;
  const cookie = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: opts.secureCookies };
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => done(null, body));

  const refuseCrossOrigin = (req: FastifyRequest): void => {
    const own = opts.externalUrl || `${req.protocol}://${req.host}`;
    if (isCrossOrigin(req.headers, own)) throw new AppError('FORBIDDEN', 'cross-origin request refused');
  };

  app.post('/c/login', async (req, reply) => {
    refuseCrossOrigin(req);
    const form = new URLSearchParams(typeof req.body === 'string' ? req.body : '');
    const username = form.get('principal');
    const password = form.get('password');
    if (!username || password === null) throw malformedCredentials({}, 'the form needs principal and password');
    const r = await login(loginAttempt(req, username, password, { usersOnly: true, auditSuccess: true }));
    if (!r.ok || r.principal.kind !== 'user') throw loginRefusal(r.ok ? { reason: 'invalid' } : r);
    const s = await sessions.start(r.principal.id);
    reply.setCookie(sessionCookie, s.id, cookie);
    reply.header(csrfHeader, s.csrf);
    return reply.code(200).send();
  });

  app.post('/c/log_out', async (req, reply) => {
    refuseCrossOrigin(req);
    const id = req.cookies[sessionCookie];
    if (id) await sessions.end(id);
    reply.clearCookie(sessionCookie, cookie);
    return reply.code(200).send();
  });

  // A GET must not change state: an <img src> on any page could log the user out.
  app.get('/c/log_out', async () => {
    throw new AppError('METHOD_NOT_ALLOWED', 'log out with POST', { headers: { Allow: 'POST' } });
  });
}
