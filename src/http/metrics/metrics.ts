import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { WindowSummary } from './window-summary.js';
import { registerHarborExporter, type HarborExporterSource } from './harbor-exporter.js';

/** What the audit log reports about its queue (services/audit/audit-log.ts). */
export interface AuditQueueStats {
  queued: number;
  written: number;
  dropped: number;
}

/** Which part of Haven a request went to: low-cardinality labels, never raw paths or names. */
export function areaOf(url: string): string {
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
 * Harbor's `operation` label: the swagger operationId of an API route, Harbor's v2_* names for
 * the registry (src/server/middleware/metric), "unknown" for what has neither.
 */
export function harborOperation(url: string, operationId: string | undefined): string {
  if (operationId) return operationId;
  if (!url.startsWith('/v2/')) return 'unknown';
  if (url.includes('/blobs/uploads')) return 'v2_blob_upload';
  if (url.includes('/blobs/')) return 'v2_blob';
  if (url.includes('/manifests/')) return 'v2_manifest';
  if (url.includes('/tags/list')) return 'v2_tags';
  if (url.startsWith('/v2/_catalog')) return 'v2_catalog';
  if (url.includes('/referrers/')) return 'v2_referrers';
  return 'v2_others';
}

/**
 * The process's Prometheus registry: process and event-loop defaults, per-area request counts,
 * latencies and bytes labelled by method and status only (bounded cardinality), refused
 * connections, and the audit queue.
 */
export function createMetrics(opts: { auditStats?: () => AuditQueueStats; harbor?: HarborExporterSource; onError?: (err: unknown, what: string) => void } = {}) {
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
  const connectionsRefused = new Counter({
    name: 'haven_http_connections_refused_total',
    help: 'Connections closed at once because their client address had http.maxConnectionsPerIp open',
    registers: [registry],
  });
  // Harbor core's own request metrics (src/lib/metric), so its dashboards' panels fill.
  const harborRequests = new Counter({ name: 'harbor_core_http_request_total', help: 'The total number of requests', labelNames: ['method', 'code', 'operation'], registers: [registry] });
  // A summary, as Harbor's; WindowSummary because prom-client's costs ~8 µs per request.
  const harborDuration = new WindowSummary({
    name: 'harbor_core_http_request_duration_seconds',
    help: 'The time duration of the requests',
    labelNames: ['method', 'operation'],
    percentiles: [0.5, 0.9, 0.99],
    // client_golang's defaults, which Harbor keeps: a 10-minute window in 5 buckets.
    maxAgeSeconds: 600,
    ageBuckets: 5,
    registers: [registry],
  });
  const inflight = new Gauge({ name: 'harbor_core_http_inflight_requests', help: 'The total number of requests', registers: [registry] });
  if (opts.harbor) registerHarborExporter(registry, opts.harbor, opts.onError ? { onError: opts.onError } : {});
  const auditStats = opts.auditStats;
  if (auditStats) {
    new Gauge({
      name: 'haven_audit_queue_records',
      help: 'Audit records waiting to be written',
      registers: [registry],
      collect() {
        this.set(auditStats().queued);
      },
    });
    // Counters read from the audit log's own tally at scrape time.
    new Counter({
      name: 'haven_audit_records_written_total',
      help: 'Audit records written to the database',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(auditStats().written);
      },
    });
    new Counter({
      name: 'haven_audit_records_dropped_total',
      help: 'Audit records dropped because the audit queue was full',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(auditStats().dropped);
      },
    });
  }

  return {
    registry,
    connectionsRefused,
    inflight,
    observe(r: { url: string; method: string; status: number; seconds: number; bytesIn: number; bytesOut: number; operationId?: string }): void {
      const operation = harborOperation(r.url, r.operationId);
      harborRequests.inc({ method: r.method, code: String(r.status), operation });
      harborDuration.observe({ method: r.method, operation }, r.seconds);
      const area = areaOf(r.url);
      const labels = { area, method: r.method, status: String(r.status) };
      requests.inc(labels);
      duration.observe(labels, r.seconds);
      bytesIn.inc({ area }, r.bytesIn);
      bytesOut.inc({ area }, r.bytesOut);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
