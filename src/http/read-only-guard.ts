import type { FastifyInstance } from 'fastify';
import { AppError } from '../platform/errors.js';

/** Harbor's refusal (server/middleware/readonly), to registry clients and API callers alike. */
export const readOnlyMessage = 'The system is in read only mode. Any modification is prohibited.';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * What stays allowed in read-only mode, as Harbor's readonlySkippers: turning the mode off,
 * logging in and out, and the token endpoint (some clients POST there and need its own answer).
 */
const allowed: Array<[string, RegExp]> = [
  ['PUT', /^\/api\/v2\.0\/configurations\/?(\?|$)/],
  ['POST', /^\/c\/login\/?(\?|$)/],
  ['POST', /^\/c\/log_out\/?(\?|$)/],
  ['POST', /^\/service\/token\/?(\?|$)/],
];

/**
 * The one place read-only mode is enforced: every request that is not a read, on /v2, the API
 * and anything else, is refused with 403 DENIED while the mode is on. Reads never wait for the
 * setting; writes ask a cached switch.
 */
export function installReadOnlyGuard(app: FastifyInstance, isOn: () => Promise<boolean>): void {
  app.addHook('onRequest', async (req) => {
    if (safeMethods.has(req.method)) return;
    if (allowed.some(([method, path]) => method === req.method && path.test(req.url))) return;
    if (await isOn()) throw new AppError('DENIED', readOnlyMessage);
  });
}
