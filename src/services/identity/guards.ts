import { isSysadmin, type Principal } from '../../domain/identity/principal.js';
import { AppError } from '../../platform/errors.js';

/** Anonymous callers get 401 (log in and retry); authenticated ones without the right get 403. */
export function requireLogin(p: Principal): asserts p is Exclude<Principal, { kind: 'anonymous' }> {
  if (p.kind === 'anonymous') throw new AppError('UNAUTHORIZED', 'authentication required');
}

export function requireSysadmin(p: Principal): void {
  requireLogin(p);
  if (!isSysadmin(p)) throw new AppError('FORBIDDEN', 'only system administrators may do this');
}
