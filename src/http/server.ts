import { randomUUID } from 'node:crypto';
import { installEventOrigin } from './event-origin.js';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../platform/logger.js';
import { installErrorMapping } from './error-mapping.js';
import { installRequestLog } from './request-log.js';
import fastifyPlugin from 'fastify-plugin';
import { createMetrics } from './metrics/metrics.js';
import { metricsPlugin } from './metrics/metrics-plugin.js';
import { createMetricsListener, type MetricsListener } from './metrics/metrics-listener.js';
import { registryRoutes } from './oci/registry-routes.js';
import type { OciServices } from './oci/context.js';
import { apiPlugin, type ApiDeps } from './api/api-plugin.js';
import { tokenRoutes, type TokenRouteDeps } from './token/token-routes.js';
import fastifyCookie from '@fastify/cookie';
import { sessionRoutes } from './api/session-routes.js';
import { portalRoutes } from './portal/portal-routes.js';
import type { Sessions } from '../auth/sessions.js';
import { limitConnectionsPerIp } from './connection-limit.js';
import { installReadOnlyGuard } from './read-only-guard.js';
import type { Server as HttpsServer } from 'node:https';
import type { TlsSettings } from '../config/tls-files.js';
import { httpsOptions, secureListener } from './tls-listener.js';
import type { HarborExporterSource } from './metrics/harbor-exporter.js';

export interface HttpLimits {
  headersTimeout: number;
  bodyIdleTimeout: number;
  keepAliveTimeout: number;
  maxConnectionsPerIp: number;
}

export interface MetricsSettings {
  /** host:port of a listener for /metrics alone; empty: /metrics is on the main listener. */
  listen: string;
  username: string;
  password: string;
}

export interface ServerDeps {
  log: Logger;
  externalUrl: string;
  oci: OciServices;
  api: ApiDeps;
  token: TokenRouteDeps;
  sessions: Sessions;
  secureCookies: boolean;
  trustProxy: boolean | string[];
  http: HttpLimits;
  metrics: MetricsSettings;
  /** Whether the system is in read-only mode (every write refused); absent: never. */
  readOnly?: () => Promise<boolean>;
  /** Sources of Harbor's exporter metrics on /metrics; absent: only Haven's own. */
  harborMetrics?: HarborExporterSource;
  /** tls.*: HTTPS (and client certificates) on the main listener when a certificate is set. */
  tls?: TlsSettings;
}

const metricsListeners = new WeakMap<FastifyInstance, MetricsListener>();

/** The address of the separate /metrics listener of a started server (metrics.listen), if any. */
export function metricsAddress(app: FastifyInstance): string | null {
  return metricsListeners.get(app)?.address() ?? null;
}

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const limits = deps.http;
  const nodeOptions = {
    headersTimeout: limits.headersTimeout,
    // Node looks for connections past headersTimeout only this often (30 s by default).
    connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(limits.headersTimeout / 4))),
  };
  const tls = deps.tls ? httpsOptions(deps.tls) : null;
  // Typed as the http variant: routes and hooks are the same over https, only the socket differs.
  const serverOptions = (tls ? { https: { ...tls, ...nodeOptions } } : { http: nodeOptions }) as { http: typeof nodeOptions };
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // Our own one-line-per-request log (request-log.ts) replaces Fastify's two lines.
    logController: new LogController({ disableRequestLogging: true }),
    exposeHeadRoutes: false,
    // Blob bodies are streamed by the handlers; this limit only guards parsed (JSON) bodies.
    bodyLimit: 1024 * 1024,
    routerOptions: { maxParamLength: 4096 },
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    ...serverOptions,
    // Large blob uploads over slow links must not be cut off by a total request deadline; what
    // ends a stalled one is the inactivity timeout below, which every chunk in or out restarts.
    requestTimeout: 0,
    connectionTimeout: limits.bodyIdleTimeout,
    keepAliveTimeout: limits.keepAliveTimeout,
    return503OnClosing: true,
    trustProxy: deps.trustProxy,
  });
  if (tls && deps.tls) {
    const stop = secureListener(app.server as unknown as HttpsServer, deps.tls, { externalUrl: deps.externalUrl, firstByteTimeout: limits.headersTimeout, log: deps.log });
    app.addHook('onClose', async () => stop());
  }
  const metrics = createMetrics({
    auditStats: deps.token.audit.stats,
    ...(deps.harborMetrics ? { harbor: deps.harborMetrics, onError: (err: unknown, metric: string) => deps.log.error({ err, metric }, 'could not collect a metric') } : {}),
  });
  let lastRefusalWarning = 0;
  limitConnectionsPerIp(app.server, limits.maxConnectionsPerIp, (address) => {
    metrics.connectionsRefused.inc();
    // At most one line a minute: a client hammering the cap must not fill the disk too.
    if (Date.now() - lastRefusalWarning > 60_000) {
      lastRefusalWarning = Date.now();
      deps.log.warn({ address, maxConnectionsPerIp: limits.maxConnectionsPerIp }, 'connection refused: too many open connections from this address');
    }
  });
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('X-Request-Id', req.id);
    // Blob GETs hijack the reply but send these headers too (reply.getHeaders()).
    reply.header('X-Content-Type-Options', 'nosniff');
    done();
  });
  installRequestLog(app);
  installEventOrigin(app);
  const credentials = deps.metrics.username !== '' ? { username: deps.metrics.username, password: deps.metrics.password } : null;
  await app.register(fastifyPlugin(metricsPlugin), { metrics, route: deps.metrics.listen === '', credentials });
  if (deps.metrics.listen !== '') {
    const listener = createMetricsListener(deps.metrics.listen, metrics, credentials, deps.log);
    metricsListeners.set(app, listener);
    // onReady runs within listen(), so a metrics address in use stops startup like the main one.
    app.addHook('onReady', async () => {
      await listener.listen();
    });
    app.addHook('onClose', async () => {
      await listener.close();
    });
  }
  installErrorMapping(app);
  if (deps.readOnly) installReadOnlyGuard(app, deps.readOnly);
  await app.register(registryRoutes, { services: deps.oci, externalUrl: deps.externalUrl });
  await app.register(tokenRoutes, deps.token);
  // Cookies matter only to the portal's session routes and the API; /v2 never pays for them.
  await app.register(async (scope) => {
    await scope.register(fastifyCookie);
    await scope.register(sessionRoutes, {
      login: deps.token.login,
      sessions: deps.sessions,
      secureCookies: deps.secureCookies,
      externalUrl: deps.externalUrl,
    });
    await scope.register(apiPlugin, { prefix: '/api/v2.0', ...deps.api });
  });
  await app.register(portalRoutes, {});
  return app;
}
