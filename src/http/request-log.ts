import type { FastifyInstance } from 'fastify';
import { bodyBytes } from './body-bytes.js';

/** One JSON line per request: who asked what, how it ended, how many bytes, how long. */
export function installRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', (req, reply, done) => {
    const q = req.url.indexOf('?');
    req.log.info(
      {
        method: req.method,
        path: q < 0 ? req.url : req.url.slice(0, q),
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
}
