import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bodyBytes } from './body-bytes.js';

const pathOf = (url: string) => {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
};

/**
 * The line for a request whose client closed the connection before the exchange ended (the
 * request line of it, since no response completes): info, because a client going away is
 * routine for a registry (a cancelled pull, a killed push), not a server fault.
 */
function logClientDisconnect(req: FastifyRequest, during: 'request' | 'response', extra: Record<string, unknown>): void {
  req.log.info({ method: req.method, path: pathOf(req.url), during, ip: req.ip, ...extra }, 'client disconnected');
}

/** One JSON line per request: who asked what, how it ended, how many bytes, how long. */
export function installRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', (req, reply, done) => {
    req.log.info(
      {
        method: req.method,
        path: pathOf(req.url),
        status: reply.statusCode,
        bytesIn: bodyBytes(req.raw),
        bytesOut: req.method === 'HEAD' ? 0 : Number(reply.getHeader('content-length') ?? 0),
        ms: Math.round(reply.elapsedTime * 10) / 10,
        ip: req.ip,
      },
      'request',
    );
    done();
  });
  // Fastify calls this when the connection closes before the response was sent: mid-upload
  // (the request is incomplete) or mid-download.
  app.addHook('onRequestAbort', (req, done) => {
    const during = req.raw.complete ? 'response' : 'request';
    logClientDisconnect(req, during, during === 'request' ? { bytesInExpected: Number(req.headers['content-length'] ?? 0) || undefined } : {});
    done();
  });
}
