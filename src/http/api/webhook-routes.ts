import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { WebhookService } from '../../services/webhook/webhook-service.js';
import { pageOf, sendPage } from './paging.js';
import { byName } from './resource-name.js';
import { created, listOf, listQuery, noContent, projectRefParams } from './schemas/common.js';
import {
  execution,
  supportedWebhookEventTypes,
  task,
  webhookExecutionParams,
  webhookJob,
  webhookJobsQuery,
  webhookLastTrigger,
  webhookPolicy,
  webhookPolicyParams,
  webhookPolicyReq,
  webhookTaskParams,
} from './schemas/webhooks.js';

const tags = ['webhook'];

/** Harbor's webhook API (tags webhook and webhookjob), project-scoped. */
export const webhookRoutes: FastifyPluginAsyncZod<{ webhooks: WebhookService }> = async (app, { webhooks }) => {
  app.get('/projects/:project_name_or_id/webhook/policies', { schema: { operationId: 'ListWebhookPoliciesOfProject', tags, params: projectRefParams, querystring: listQuery, response: { 200: listOf(webhookPolicy) } } }, async (req, reply) =>
    sendPage(req, reply, req.query, webhooks.list(req.principal, req.params.project_name_or_id, byName(req), req.query, pageOf(req.query))),
  );

  app.post('/projects/:project_name_or_id/webhook/policies', { schema: { operationId: 'CreateWebhookPolicyOfProject', tags, params: projectRefParams, body: webhookPolicyReq, response: { 201: created } } }, async (req, reply) => {
    const id = await webhooks.create(req.principal, req.params.project_name_or_id, byName(req), req.body);
    reply.code(201).header('Location', `${req.url.split('?')[0]!.replace(/\/+$/, '')}/${id}`).send();
  });

  app.get('/projects/:project_name_or_id/webhook/policies/:webhook_policy_id', { schema: { operationId: 'GetWebhookPolicyOfProject', tags, params: webhookPolicyParams, response: { 200: webhookPolicy } } }, async (req) =>
    webhooks.get(req.principal, req.params.project_name_or_id, byName(req), req.params.webhook_policy_id),
  );

  app.put('/projects/:project_name_or_id/webhook/policies/:webhook_policy_id', { schema: { operationId: 'UpdateWebhookPolicyOfProject', tags, params: webhookPolicyParams, body: webhookPolicyReq, response: { 200: noContent } } }, async (req, reply) => {
    await webhooks.update(req.principal, req.params.project_name_or_id, byName(req), req.params.webhook_policy_id, req.body);
    reply.code(200).send();
  });

  app.delete('/projects/:project_name_or_id/webhook/policies/:webhook_policy_id', { schema: { operationId: 'DeleteWebhookPolicyOfProject', tags, params: webhookPolicyParams, response: { 200: noContent } } }, async (req, reply) => {
    await webhooks.delete(req.principal, req.params.project_name_or_id, byName(req), req.params.webhook_policy_id);
    reply.code(200).send();
  });

  app.get('/projects/:project_name_or_id/webhook/policies/:webhook_policy_id/executions', { schema: { operationId: 'ListExecutionsOfWebhookPolicy', tags, params: webhookPolicyParams, querystring: listQuery, response: { 200: listOf(execution) } } }, async (req, reply) =>
    sendPage(req, reply, req.query, webhooks.executions(req.principal, req.params.project_name_or_id, byName(req), req.params.webhook_policy_id, req.query, pageOf(req.query))),
  );

  app.get(
    '/projects/:project_name_or_id/webhook/policies/:webhook_policy_id/executions/:execution_id/tasks',
    { schema: { operationId: 'ListTasksOfWebhookExecution', tags, params: webhookExecutionParams, querystring: listQuery, response: { 200: listOf(task) } } },
    async (req, reply) =>
      sendPage(req, reply, req.query, webhooks.tasks(req.principal, req.params.project_name_or_id, byName(req), req.params.webhook_policy_id, req.params.execution_id, pageOf(req.query))),
  );

  app.get(
    '/projects/:project_name_or_id/webhook/policies/:webhook_policy_id/executions/:execution_id/tasks/:task_id/log',
    { schema: { operationId: 'GetLogsOfWebhookTask', tags, params: webhookTaskParams, response: { 200: z.string() } } },
    async (req, reply) =>
      reply
        .type('text/plain; charset=utf-8')
        .send(await webhooks.taskLog(req.principal, req.params.project_name_or_id, byName(req), req.params.webhook_policy_id, req.params.execution_id, req.params.task_id)),
  );

  app.get('/projects/:project_name_or_id/webhook/lasttrigger', { schema: { operationId: 'LastTrigger', tags, params: projectRefParams, response: { 200: z.array(webhookLastTrigger) } } }, async (req) =>
    webhooks.lastTrigger(req.principal, req.params.project_name_or_id, byName(req)),
  );

  app.get('/projects/:project_name_or_id/webhook/events', { schema: { operationId: 'GetSupportedEventTypes', tags, params: projectRefParams, response: { 200: supportedWebhookEventTypes } } }, async (req) =>
    webhooks.eventTypes(req.principal, req.params.project_name_or_id, byName(req)),
  );

  app.get('/projects/:project_name_or_id/webhook/jobs', { schema: { operationId: 'ListWebhookJobs', tags: ['webhookjob'], params: projectRefParams, querystring: webhookJobsQuery, response: { 200: listOf(webhookJob) } } }, async (req, reply) => {
    const status = req.query.status === undefined ? [] : Array.isArray(req.query.status) ? req.query.status : [req.query.status];
    return sendPage(req, reply, req.query, webhooks.jobs(req.principal, req.params.project_name_or_id, byName(req), req.query.policy_id, status, pageOf(req.query)));
  });
};
