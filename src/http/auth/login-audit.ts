import type { FastifyRequest } from 'fastify';
import type { AuditLog } from '../../services/audit/audit-log.js';
import { clientIp } from './credentials.js';

/**
 * One place for login records: every way in (API, registry, token service, portal) audits a
 * login the same way, and logs a failure (never the password) as a warning.
 */
export function recordLogin(audit: AuditLog, req: FastifyRequest, username: string, success: boolean, reason?: string): void {
  audit.record({ projectId: null, operation: 'login', resourceType: 'user', resource: username, username, clientIp: clientIp(req), success });
  if (!success) req.log.warn({ username, ip: clientIp(req), reason, path: req.url.split('?')[0] }, 'login failed');
}
