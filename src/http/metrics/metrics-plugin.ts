import type { FastifyInstance } from 'fastify';
import { AppError } from '../../platform/errors.js';
import { bodyBytes } from '../body-bytes.js';
import { metricsAuthorized, metricsChallenge, type MetricsCredentials } from './metrics-auth.js';
import type { Metrics } from './metrics.js';

export interface MetricsPluginOptions {
  metrics: Metrics;
  /** Serve GET /metrics here; false when it has a listener of its own (metrics.listen). */
  route: boolean;
  credentials: MetricsCredentials | null;
}

/** Observes every response; serves /metrics on this server unless it has its own listener. */
export async function metricsPlugin(app: FastifyInstance, opts: MetricsPluginOptions) {
  const { metrics } = opts;
  app.addHook('onRequest', (_req, reply, done) => {
    // 'close' comes once per response, finished or cut off: the gauge never drifts.
    metrics.inflight.inc();
    reply.raw.once('close', () => metrics.inflight.dec());
    done();
  });
  app.addHook('onResponse', (req, reply, done) => {
    metrics.observe({
      operationId: (req.routeOptions.schema as { operationId?: string } | undefined)?.operationId,
      url: req.url,
      method: req.method,
      status: reply.statusCode,
      seconds: reply.elapsedTime / 1000,
      bytesIn: bodyBytes(req.raw),
      bytesOut: req.method === 'HEAD' ? 0 : Number(reply.getHeader('content-length') ?? 0) || 0,
    });
    done();
  });

  if (!opts.route) return;
  app.get('/metrics', async (req, reply) => {
    if (!metricsAuthorized(req.headers.authorization, opts.credentials)) {
      throw new AppError('UNAUTHORIZED', 'metrics need the credentials in metrics.username/metrics.password', { headers: { 'WWW-Authenticate': metricsChallenge } });
    }
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
