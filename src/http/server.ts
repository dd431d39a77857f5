import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../platform/logger.js';
import { installErrorMapping } from './error-mapping.js';
import { installRequestLog } from './request-log.js';
import fastifyPlugin from 'fastify-plugin';
import { metricsPlugin } from './metrics/metrics-plugin.js';
import { registryRoutes } from './oci/registry-routes.js';
import type { OciServices } from './oci/context.js';
import { apiPlugin, type ApiDeps } from './api/api-plugin.js';
import { tokenRoutes, type TokenRouteDeps } from './token/token-routes.js';
import fastifyCookie from '@fastify/cookie';
import { sessionRoutes } from './api/session-routes.js';
import type { Sessions } from '../auth/sessions.js';

export interface ServerDeps {
  log: Logger;
  externalUrl: string;
  oci: OciServices;
  api: ApiDeps;
  token: TokenRouteDeps;
  sessions: Sessions;
  secureCookies: boolean;
  trustProxy: boolean | string[];
}

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
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
    keepAliveTimeout: 75_000,
    // Large blob uploads over slow links must not be cut off by Node's default request timeout.
    requestTimeout: 0,
    return503OnClosing: true,
    trustProxy: deps.trustProxy,
  });
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('X-Request-Id', req.id);
    done();
  });
  installRequestLog(app);
  await app.register(fastifyPlugin(metricsPlugin));
  installErrorMapping(app);
  await app.register(registryRoutes, { services: deps.oci, externalUrl: deps.externalUrl });
  await app.register(tokenRoutes, deps.token);
  // Cookies matter only to the portal's session routes and the API; /v2 never pays for them.
  await app.register(async (scope) => {
    await scope.register(fastifyCookie);
    await scope.register(sessionRoutes, { authenticator: deps.token.authenticator, sessions: deps.sessions, audit: deps.token.audit, secureCookies: deps.secureCookies });
    await scope.register(apiPlugin, { prefix: '/api/v2.0', ...deps.api });
  });
  return app;
}
