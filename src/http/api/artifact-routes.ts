import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ArtifactReads } from '../../services/content/artifact-reads.js';
import { pageOf, sendPage } from './paging.js';
import { repositoryName } from './repository-routes.js';
import { accessory, accessoryListQuery, artifact, artifactGetQuery, artifactListQuery, artifactParams, repositoryParams } from './schemas/artifacts.js';
import { listOf } from './schemas/common.js';

const tags = ['artifact'];

const options = (q: { with_tag: boolean; with_label: boolean; with_immutable_status: boolean; with_accessory: boolean; with_inherited_accessory: boolean }) => ({
  withTag: q.with_tag,
  withLabel: q.with_label,
  withImmutableStatus: q.with_immutable_status,
  withAccessory: q.with_accessory,
  withInheritedAccessory: q.with_inherited_accessory,
});

/** Harbor's artifact reads: list, get by digest or tag, and an artifact's accessories. */
export const artifactRoutes: FastifyPluginAsyncZod<{ artifacts: ArtifactReads }> = async (app, { artifacts }) => {
  app.get('/projects/:project_name/repositories/:repository_name/artifacts', { schema: { operationId: 'listArtifacts', tags, params: repositoryParams, querystring: artifactListQuery, response: { 200: listOf(artifact) } } }, async (req, reply) =>
    sendPage(req, reply, req.query, artifacts.list(req.principal, req.params.project_name, repositoryName(req.params.repository_name), req.query, options(req.query), pageOf(req.query))),
  );

  app.get('/projects/:project_name/repositories/:repository_name/artifacts/:reference', { schema: { operationId: 'getArtifact', tags, params: artifactParams, querystring: artifactGetQuery, response: { 200: artifact } } }, async (req) =>
    artifacts.get(req.principal, req.params.project_name, repositoryName(req.params.repository_name), req.params.reference, options(req.query)),
  );

  app.get('/projects/:project_name/repositories/:repository_name/artifacts/:reference/accessories', { schema: { operationId: 'listAccessories', tags, params: artifactParams, querystring: accessoryListQuery, response: { 200: listOf(accessory) } } }, async (req, reply) =>
    sendPage(req, reply, req.query, artifacts.accessories(req.principal, req.params.project_name, repositoryName(req.params.repository_name), req.params.reference, req.query, pageOf(req.query))),
  );
};
