import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { QuotaService } from '../../services/content/quota-service.js';
import { pageOf, sendPage } from './paging.js';
import { listOf, noContent } from './schemas/common.js';
import { quota, quotaListQuery, quotaParams, quotaUpdate } from './schemas/quotas.js';

const tags = ['quota'];

/** Harbor's /quotas: every project's storage limit and usage (system administrators). */
export const quotaRoutes: FastifyPluginAsyncZod<{ quotas: QuotaService }> = async (app, { quotas }) => {
  app.get('/quotas', { schema: { operationId: 'listQuotas', tags, querystring: quotaListQuery, response: { 200: listOf(quota) } } }, async (req, reply) =>
    sendPage(req, reply, req.query, quotas.list(req.principal, req.query, pageOf(req.query))),
  );

  app.get('/quotas/:id', { schema: { operationId: 'getQuota', tags, params: quotaParams, response: { 200: quota } } }, async (req) => quotas.get(req.principal, req.params.id));

  app.put('/quotas/:id', { schema: { operationId: 'updateQuota', tags, params: quotaParams, body: quotaUpdate, response: { 200: noContent } } }, async (req, reply) => {
    await quotas.update(req.principal, req.params.id, req.body.hard);
    reply.code(200).send();
  });
};
