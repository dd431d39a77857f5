import type { Authenticator } from '../../auth/authenticator.js';
import type { Principal } from '../../domain/identity/principal.js';
import type { Logger } from '../../platform/logger.js';
import type { AuditLog } from '../audit/audit-log.js';

/** Why a login failed. A wrong password, an unknown name and a disabled robot read the same. */
export type LoginFailure = { reason: 'invalid' } | { reason: 'throttled'; retryAfterSeconds: number };

export type LoginResult = { ok: true; principal: Principal } | ({ ok: false } & LoginFailure);

export interface LoginAttempt {
  username: string;
  password: string;
  /** The client's address: the throttle counts per (account, client), and the audit names it. */
  ip: string;
  /** Where it came in (a path), for the log line. */
  via: string;
  /** The portal takes users only: a robot's right secret fails there like a wrong password. */
  usersOnly?: boolean;
  /**
   * Audit a success too. Failures always are; a success only where it is a login a person did
   * (the portal, `docker login`), not on every request that carries Basic credentials.
   */
  auditSuccess?: boolean;
  /** The request's logger (its lines carry the request id); else the service's. */
  log?: Pick<Logger, 'warn'>;
}

/**
 * The one login use case behind every way in (/v2 Basic, /service/token, API Basic, the portal's
 * /c/login): credentials in, a principal or a typed failure out. The authenticator throttles
 * and checks; this audits each failure once and logs it once (never the password).
 */
export function createLogin(deps: { authenticator: Pick<Authenticator, 'password'>; audit: Pick<AuditLog, 'record'>; log: Pick<Logger, 'warn'> }) {
  function audit(a: LoginAttempt, success: boolean): void {
    deps.audit.record({ projectId: null, operation: 'login', resourceType: 'user', resource: a.username, username: a.username, clientIp: a.ip, success });
  }

  return async function login(a: LoginAttempt): Promise<LoginResult> {
    const r = await deps.authenticator.password(a.username, a.password, a.ip);
    const refused = r.ok && a.usersOnly && r.principal.kind !== 'user';
    if (r.ok && !refused) {
      if (a.auditSuccess) audit(a, true);
      return r;
    }
    const failure: LoginFailure =
      !r.ok && r.reason === 'throttled' ? { reason: 'throttled', retryAfterSeconds: Math.max(1, Math.ceil(r.retryAfterMs / 1000)) } : { reason: 'invalid' };
    audit(a, false);
    (a.log ?? deps.log).warn({ username: a.username, ip: a.ip, reason: refused ? 'not a user' : failure.reason, path: a.via }, 'login failed');
    return { ok: false, ...failure };
  };
}

export type Login = ReturnType<typeof createLogin>;
