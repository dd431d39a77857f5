import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { SettingsService } from '../../services/identity/settings-service.js';
import { clientIp } from '../auth/credentials.js';
import { noContent } from './schemas/common.js';
import { configurations, configurationsReq } from './schemas/system.js';

const tags = ['configure'];

export const configRoutes: FastifyPluginAsyncZod<{ settings: SettingsService }> = async (app, { settings }) => {
  app.get('/configurations', { schema: { operationId: 'getConfigurations', tags, response: { 200: configurations } } }, async (req) => settings.get(req.principal));

  app.put('/configurations', { schema: { operationId: 'updateConfigurations', tags, body: configurationsReq, response: { 200: noContent } } }, async (req, reply) => {
    await settings.update(req.principal, req.body, clientIp(req));
    reply.code(200).send();
  });
};
