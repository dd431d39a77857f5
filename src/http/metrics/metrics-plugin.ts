import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { bodyBytes } from '../body-bytes.js';

/** Which part of Haven a request went to: low-cardinality labels, never raw paths or names. */
function areaOf(url: string): string {
  if (url.startsWith('/v2')) {
    if (url.includes('/blobs/uploads')) return 'registry_upload';
    if (url.includes('/blobs/')) return 'registry_blob';
    if (url.includes('/manifests/')) return 'registry_manifest';
    if (url.includes('/tags/list') || url.includes('/_catalog') || url.includes('/referrers/')) return 'registry_discovery';
    return 'registry_base';
  }
  if (url.startsWith('/api/')) return 'api';
  if (url.startsWith('/service/token')) return 'token';
  if (url.startsWith('/c/')) return 'session';
  return 'other';
}

/**
 * Prometheus metrics at /metrics: process and event-loop defaults, and per-area request counts,
 * latencies and bytes, labelled by method and status only (bounded cardinality).
 */
export async function metricsPlugin(app: FastifyInstance) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'haven_' });
  const labelNames = ['area', 'method', 'status'] as const;
  const requests = new Counter({ name: 'haven_http_requests_total', help: 'HTTP requests served', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'haven_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
    registers: [registry],
  });
  const bytesIn = new Counter({ name: 'haven_http_request_bytes_total', help: 'Request body bytes received', labelNames: ['area'], registers: [registry] });
  const bytesOut = new Counter({ name: 'haven_http_response_bytes_total', help: 'Response body bytes sent', labelNames: ['area'], registers: [registry] });

  app.addHook('onResponse', (req, reply, done) => {
    const area = areaOf(req.url);
    const labels = { area, method: req.method, status: String(reply.statusCode) };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
    bytesIn.inc({ area }, bodyBytes(req.raw));
    if (req.method !== 'HEAD') bytesOut.inc({ area }, Number(reply.getHeader('content-length') ?? 0) || 0);
    done();
  });

  app.get('/metrics', async (_req, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
}
