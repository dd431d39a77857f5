import { createServer, type Server } from 'node:http';
import type { Logger } from '../../platform/logger.js';
import { metricsAuthorized, metricsChallenge, type MetricsCredentials } from './metrics-auth.js';
import type { Metrics } from './metrics.js';

export interface MetricsListener {
  /** http://host:port once listening. */
  address(): string | null;
  listen(): Promise<string>;
  close(): Promise<void>;
}

/**
 * /metrics on an address of its own (metrics.listen), as Harbor's exporter has: a scraper on an
 * internal network reaches it, clients of the registry port do not. Nothing else is served here.
 */
export function createMetricsListener(listen: string, metrics: Metrics, credentials: MetricsCredentials | null, log: Logger): MetricsListener {
  const i = listen.lastIndexOf(':');
  const host = listen.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(listen.slice(i + 1));
  let address: string | null = null;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    if (!metricsAuthorized(req.headers.authorization, credentials)) {
      res.writeHead(401, { 'WWW-Authenticate': metricsChallenge, 'Content-Type': 'text/plain; charset=utf-8' }).end('unauthorized\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
      (err: unknown) => {
        log.error({ err }, 'could not collect metrics');
        res.writeHead(500).end();
      },
    );
  });
  server.keepAliveTimeout = 10_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  return {
    address: () => address,
    listen: () =>
      new Promise<string>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const a = server.address();
          if (a === null || typeof a === 'string') return reject(new Error(`metrics listener has no address`));
          address = `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
          log.info({ address }, 'metrics listening');
          resolve(address);
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
