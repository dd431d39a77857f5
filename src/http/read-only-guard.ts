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
  // Callback style: a read (the hot path, manifest and blob GETs) costs one Set lookup, no promise.
  app.addHook('onRequest', (req, _reply, done) => {
    if (safeMethods.has(req.method) || allowed.some(([method, path]) => method === req.method && path.test(req.url))) {
      done();
      return;
    }
    isOn().then(
      (on) => done(on ? new AppError('DENIED', readOnlyMessage) : undefined),
      (err: Error) => done(err),
    );
  });
}
