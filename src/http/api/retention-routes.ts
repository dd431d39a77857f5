import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RetentionService } from '../../services/retention/retention-service.js';
import { pageOf, sendPage } from './paging.js';
import { created, listOf, noContent, pagingQuery } from './schemas/common.js';
import {
  executionParams,
  operateBody,
  retentionExecution,
  retentionExecutionTask,
  retentionMetadata,
  retentionParams,
  retentionPolicy,
  retentionPolicyBody,
  taskParams,
  triggerBody,
} from './schemas/retention.js';

const tags = ['Retention'];

/** Harbor's /retentions routes: policies, their runs (dry or real), tasks per repository, task logs, stop. */
export const retentionRoutes: FastifyPluginAsyncZod<{ retentions: RetentionService }> = async (app, { retentions }) => {
  app.get('/retentions/metadatas', { schema: { operationId: 'getRentenitionMetadata', tags, response: { 200: retentionMetadata } } }, async (req) =>
    retentions.metadatas(req.principal),
  );

  app.post('/retentions', { schema: { operationId: 'createRetention', tags, body: retentionPolicyBody, response: { 201: created } } }, async (req, reply) => {
    const id = await retentions.create(req.principal, req.body);
    reply.header('Location', `/api/v2.0/retentions/${id}`).code(201).send();
  });

  app.get('/retentions/:id', { schema: { operationId: 'getRetention', tags, params: retentionParams, response: { 200: retentionPolicy } } }, async (req) =>
    retentions.get(req.principal, req.params.id),
  );

  app.put('/retentions/:id', { schema: { operationId: 'updateRetention', tags, params: retentionParams, body: retentionPolicyBody, response: { 200: noContent } } }, async (req, reply) => {
    await retentions.update(req.principal, req.params.id, req.body);
    reply.code(200).send();
  });

  app.delete('/retentions/:id', { schema: { operationId: 'deleteRetention', tags, params: retentionParams, response: { 200: noContent } } }, async (req, reply) => {
    await retentions.delete(req.principal, req.params.id);
    reply.code(200).send();
  });

  app.post(
    '/retentions/:id/executions',
    { schema: { operationId: 'triggerRetentionExecution', tags, params: retentionParams, body: triggerBody, response: { 201: created } } },
    async (req, reply) => {
      const eid = await retentions.trigger(req.principal, req.params.id, req.body.dry_run === true);
      reply.header('Location', `/api/v2.0/retentions/${req.params.id}/executions/${eid}`).code(201).send();
    },
  );

  app.get(
    '/retentions/:id/executions',
    { schema: { operationId: 'listRetentionExecutions', tags, params: retentionParams, querystring: pagingQuery, response: { 200: listOf(retentionExecution) } } },
    async (req, reply) => sendPage(req, reply, req.query, retentions.executions(req.principal, req.params.id, pageOf(req.query))),
  );

  app.patch(
    '/retentions/:id/executions/:eid',
    { schema: { operationId: 'operateRetentionExecution', tags, params: executionParams, body: operateBody, response: { 200: noContent } } },
    async (req, reply) => {
      await retentions.operate(req.principal, req.params.id, req.params.eid, req.body.action);
      reply.code(200).send();
    },
  );

  app.get(
    '/retentions/:id/executions/:eid/tasks',
    { schema: { operationId: 'listRetentionTasks', tags, params: executionParams, querystring: pagingQuery, response: { 200: listOf(retentionExecutionTask) } } },
    async (req, reply) => sendPage(req, reply, req.query, retentions.tasks(req.principal, req.params.id, req.params.eid, pageOf(req.query))),
  );

  app.get(
    '/retentions/:id/executions/:eid/tasks/:tid',
    { schema: { operationId: 'getRetentionTaskLog', tags, params: taskParams, response: { 200: z.string() } } },
    async (req, reply) => reply.type('text/plain; charset=utf-8').send(await retentions.log(req.principal, req.params.id, req.params.eid, req.params.tid)),
  );
};
