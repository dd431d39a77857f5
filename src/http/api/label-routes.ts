import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError } from '../../platform/errors.js';
import type { LabelService } from '../../services/content/label-service.js';
import { pageOf, sendPage } from './paging.js';
import { created, listOf, noContent } from './schemas/common.js';
import { artifactLabelParams, artifactLabelReq, artifactParams, label, labelListQuery, labelParams, labelReq } from './schemas/labels.js';

const tags = ['label'];
const artifactTags = ['artifact'];

/** {repository_name} in Harbor's double-encoded (a%252Fb) or single-encoded spelling, as repository-routes.ts takes it. */
function repositoryName(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AppError('BAD_REQUEST', 'repository_name is not valid URL encoding');
  }
}

/** Harbor's /labels and the artifact label operations (addLabel, removeLabel). */
export const labelRoutes: FastifyPluginAsyncZod<{ labels: LabelService }> = async (app, { labels }) => {
  app.get('/labels', { schema: { operationId: 'ListLabels', tags, querystring: labelListQuery, response: { 200: listOf(label) } } }, async (req, reply) => {
    const { scope, project_id: projectId, name, q, sort } = req.query;
    return sendPage(req, reply, req.query, labels.list(req.principal, { scope, projectId, name, q, sort }, pageOf(req.query)));
  });

  app.post('/labels', { schema: { operationId: 'CreateLabel', tags, body: labelReq, response: { 201: created } } }, async (req, reply) => {
    const id = await labels.create(req.principal, req.body);
    reply.code(201).header('Location', `/api/v2.0/labels/${id}`).send();
  });

  app.get('/labels/:label_id', { schema: { operationId: 'GetLabelByID', tags, params: labelParams, response: { 200: label } } }, async (req) => labels.get(req.principal, req.params.label_id));

  app.put('/labels/:label_id', { schema: { operationId: 'UpdateLabel', tags, params: labelParams, body: labelReq, response: { 200: noContent } } }, async (req, reply) => {
    await labels.update(req.principal, req.params.label_id, req.body);
    reply.code(200).send();
  });

  app.delete('/labels/:label_id', { schema: { operationId: 'DeleteLabel', tags, params: labelParams, response: { 200: noContent } } }, async (req, reply) => {
    await labels.delete(req.principal, req.params.label_id);
    reply.code(200).send();
  });

  app.post(
    '/projects/:project_name/repositories/:repository_name/artifacts/:reference/labels',
    { schema: { operationId: 'addLabel', tags: artifactTags, params: artifactParams, body: artifactLabelReq, response: { 200: noContent } } },
    async (req, reply) => {
      const p = req.params;
      await labels.attach(req.principal, p.project_name, repositoryName(p.repository_name), p.reference, req.body.id);
      reply.code(200).send();
    },
  );

  app.delete(
    '/projects/:project_name/repositories/:repository_name/artifacts/:reference/labels/:label_id',
    { schema: { operationId: 'removeLabel', tags: artifactTags, params: artifactLabelParams, response: { 200: noContent } } },
    async (req, reply) => {
      const p = req.params;
      await labels.detach(req.principal, p.project_name, repositoryName(p.repository_name), p.reference, p.label_id);
      reply.code(200).send();
    },
  );
};
