import type { FastifyRequest } from 'fastify';
import { AppError } from '../../platform/errors.js';
import type { LoginAttempt, LoginFailure } from '../../services/identity/login.js';
import { clientIp } from './credentials.js';

/** A login attempt as the request makes it: the client's address, the path, the request's logger. */
export function loginAttempt(req: FastifyRequest, username: string, password: string, opts: Pick<LoginAttempt, 'usersOnly' | 'auditSuccess'> = {}): LoginAttempt {
  return { username, password, ip: clientIp(req), via: req.url.split('?')[0]!, log: req.log, ...opts };
}

/**
 * A failed login as an error, the same for every way in: 401, or 429 with Retry-After while the
 * client is throttled. Each area adds its own challenge (Bearer on /v2, Basic on /service/token);
 * the error mapper writes the body in the area's format.
 */
export function loginRefusal(f: LoginFailure, challenge: Record<string, string> = {}): AppError {
  if (f.reason === 'throttled') {
    return new AppError('TOOMANYREQUESTS', 'too many failed logins; try again later', { headers: { 'Retry-After': String(f.retryAfterSeconds) } });
  }
  return new AppError('UNAUTHORIZED', 'invalid username or password', { headers: challenge });
}

/** Credentials that cannot be read are no login attempt: refused, neither audited nor throttled. */
export function malformedCredentials(challenge: Record<string, string> = {}, what = 'malformed Authorization header'): AppError {
  return new AppError('UNAUTHORIZED', what, { headers: challenge });
}
