import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createSystemService, type SystemInfo } from '../../services/system/system-service.js';
import { generalInfo, health } from './schemas/system.js';

export type { SystemInfo };

export const systemRoutes: FastifyPluginAsyncZod<{ system: SystemInfo }> = async (app, opts) => {
  const system = createSystemService(opts.system);

  app.get('/ping', { schema: { operationId: 'getPing', tags: ['ping'], response: { 200: z.string() } } }, async (_req, reply) => reply.type('text/plain; charset=utf-8').send('Pong'));

  app.get('/health', { schema: { operationId: 'getHealth', tags: ['health'], response: { 200: health, 503: health } } }, async (_req, reply) => {
    const h = await system.health();
    reply.code(h.status === 'healthy' ? 200 : 503);
    return h;
  });

  app.get('/systeminfo', { schema: { operationId: 'getSystemInfo', tags: ['systeminfo'], response: { 200: generalInfo } } }, async (req) => system.generalInfo(req));
};
