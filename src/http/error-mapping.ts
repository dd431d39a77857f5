import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, isAppError, type OciErrorCode } from '../platform/errors.js';
import { isClientDisconnect } from './client-disconnect.js';

/** Wire code for statuses Fastify itself raises (bad headers, unsupported media types...). */
function codeForStatus(status: number): OciErrorCode {
  if (status === 404) return 'NAME_UNKNOWN';
  if (status === 405 || status === 415) return 'UNSUPPORTED';
  if (status === 413) return 'SIZE_INVALID';
  if (status >= 500) return 'UNKNOWN';
  return 'UNSUPPORTED';
}

/**
 * The one place errors become responses. Under /v2 that is the distribution-spec's error JSON;
 * the management API will map the same AppErrors to Harbor's shape here too.
 */
export function installErrorMapping(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    let e: AppError;
    if (isAppError(err)) {
      e = err;
    } else {
      const status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 500;
      // A client that left mid-upload is logged by the request log's abort hook, at info.
      if (isClientDisconnect(err, req.raw)) req.log.debug({ err }, 'request failed: client disconnected');
      else if (status >= 500) req.log.error({ err }, 'unhandled error');
      e = new AppError(codeForStatus(status), status >= 500 ? 'internal server error' : err.message, { status });
    }
    for (const [k, v] of Object.entries(e.headers)) reply.header(k, v);
    // An unread request body (a refused upload) is drained and discarded by Node once the
    // response is sent, so the connection stays usable and the client reads the error.
    const code = e.code === 'RANGE_INVALID' ? 'BLOB_UPLOAD_INVALID' : e.code;
    const body = { errors: [{ code, message: e.message, ...(e.detail !== undefined ? { detail: e.detail } : {}) }] };
    reply.code(e.status).header('Content-Type', 'application/json; charset=utf-8');
    return req.method === 'HEAD' ? reply.send() : reply.send(JSON.stringify(body));
  });

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).header('Content-Type', 'application/json; charset=utf-8');
    reply.send(JSON.stringify({ errors: [{ code: 'NOT_FOUND', message: `${req.method} ${req.url.split('?')[0]} not found` }] }));
  });
}
