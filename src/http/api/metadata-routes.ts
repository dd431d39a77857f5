import { byName } from './resource-name.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ProjectMetadataService } from '../../services/identity/project-metadata-service.js';
import { clientIp } from '../auth/credentials.js';
import { noContent, projectRefParams } from './schemas/common.js';
import { metadataBody, metadataParams, metadataResp } from './schemas/metadata.js';

const tags = ['projectMetadata'];

/** Harbor's /projects/{project_name_or_id}/metadatas/ (with its trailing slash on the collection). */
export const metadataRoutes: FastifyPluginAsyncZod<{ metadata: ProjectMetadataService }> = async (app, { metadata }) => {
  app.get('/projects/:project_name_or_id/metadatas/', { schema: { operationId: 'listProjectMetadatas', tags, params: projectRefParams, response: { 200: metadataResp } } }, async (req) =>
    metadata.list(req.principal, req.params.project_name_or_id, byName(req)),
  );

  app.post('/projects/:project_name_or_id/metadatas/', { schema: { operationId: 'addProjectMetadatas', tags, params: projectRefParams, body: metadataBody, response: { 200: noContent } } }, async (req, reply) => {
    await metadata.add(req.principal, req.params.project_name_or_id, byName(req), req.body, clientIp(req));
    reply.code(200).send();
  });

  app.get('/projects/:project_name_or_id/metadatas/:meta_name', { schema: { operationId: 'getProjectMetadata', tags, params: metadataParams, response: { 200: metadataResp } } }, async (req) =>
    metadata.get(req.principal, req.params.project_name_or_id, byName(req), req.params.meta_name),
  );

  app.put('/projects/:project_name_or_id/metadatas/:meta_name', { schema: { operationId: 'updateProjectMetadata', tags, params: metadataParams, body: metadataBody, response: { 200: noContent } } }, async (req, reply) => {
    await metadata.update(req.principal, req.params.project_name_or_id, byName(req), req.params.meta_name, req.body, clientIp(req));
    reply.code(200).send();
  });

  app.delete('/projects/:project_name_or_id/metadatas/:meta_name', { schema: { operationId: 'deleteProjectMetadata', tags, params: metadataParams, response: { 200: noContent } } }, async (req, reply) => {
    await metadata.delete(req.principal, req.params.project_name_or_id, byName(req), req.params.meta_name, clientIp(req));
    reply.code(200).send();
  });
};
