import type { FastifyError, FastifyInstance } from 'fastify';
import { isAppError } from '../../platform/errors.js';
import { isClientDisconnect } from '../client-disconnect.js';

const harborCodeByStatus: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  412: 'PRECONDITION',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_SERVER_ERROR',
};

/**
 * Harbor's error shape for the management API: {"errors":[{"code","message"}]}, the code named
 * after the HTTP status as Harbor does. Registered inside the /api scope, so /v2 keeps OCI's.
 */
export function installHarborErrors(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    let status: number;
    let message: string;
    if (isAppError(err)) {
      status = err.status;
      message = err.message;
      for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
    } else if (err.validation) {
      status = 400;
      message = err.message;
    } else {
      status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 500;
      message = status >= 500 ? 'internal server error' : err.message;
      if (isClientDisconnect(err, req.raw)) req.log.debug({ err }, 'request failed: client disconnected');
      else if (status >= 500) req.log.error({ err }, 'unhandled error');
    }
    const code = harborCodeByStatus[status] ?? (status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST');
    reply.code(status).send({ errors: [{ code, message }] });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ errors: [{ code: 'NOT_FOUND', message: `${req.method} ${req.url.split('?')[0]} not found` }] });
  });
}
