import type { FastifyInstance } from 'fastify';
import { runWithEventOrigin } from '../events/event-context.js';

/**
 * Gives every request its event origin (events/event-context.ts): the Host the client used and
 * the request id now, the operator once the caller is identified. Registered before the routes,
 * so every later hook and handler runs inside it.
 */
export function installEventOrigin(app: FastifyInstance): void {
  app.addHook('onRequest', (req, _reply, done) => {
    runWithEventOrigin({ operator: '', host: req.headers.host ?? '', requestId: String(req.id) }, done);
  });
}
