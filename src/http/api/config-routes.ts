import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SettingsService } from '../../services/identity/settings-service.js';
import { clientIp } from '../auth/credentials.js';
import { parseBody } from './validation.js';

export async function configRoutes(app: FastifyInstance, opts: { settings: SettingsService }) {
  app.get('/configurations', async (req) => opts.settings.get(req.principal));

  app.put('/configurations', async (req, reply) => {
    await opts.settings.update(req.principal, parseBody(z.record(z.string(), z.unknown()), req.body), clientIp(req));
    reply.code(200).send();
  });
}
