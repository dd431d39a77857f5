import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RepositoryService } from '../../services/registry/repository-service.js';
import { AppError } from '../../platform/errors.js';
import { clientIp } from '../auth/credentials.js';
import { pageOf, sendPage } from './paging.js';
import { listOf, noContent } from './schemas/common.js';
import { projectNameParams, repository, repositoryListQuery, repositoryParams, repositoryUpdate } from './schemas/repositories.js';

const tags = ['repository'];

/**
 * Harbor's clients encode a slash in {repository_name} twice (a/b -> a%252Fb); the router has
 * decoded once. A second decode takes either spelling, and is safe because no repository name
 * has a "%" of its own.
 */
export function repositoryName(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AppError('BAD_REQUEST', 'repository_name is not valid URL encoding');
  }
}

export const repositoryRoutes: FastifyPluginAsyncZod<{ repositories: RepositoryService }> = async (app, { repositories }) => {
  app.get(
    '/projects/:project_name/repositories',
    { schema: { operationId: 'listRepositories', tags, params: projectNameParams, querystring: repositoryListQuery, response: { 200: listOf(repository) } } },
    async (req, reply) => sendPage(req, reply, req.query, repositories.list(req.principal, req.params.project_name, req.query, pageOf(req.query))),
  );

  app.get(
    '/repositories',
    { schema: { operationId: 'listAllRepositories', tags, querystring: repositoryListQuery, response: { 200: listOf(repository) } } },
    async (req, reply) => sendPage(req, reply, req.query, repositories.listAll(req.principal, req.query, pageOf(req.query))),
  );

  app.get(
    '/projects/:project_name/repositories/:repository_name',
    { schema: { operationId: 'getRepository', tags, params: repositoryParams, response: { 200: repository } } },
    async (req) => repositories.get(req.principal, req.params.project_name, repositoryName(req.params.repository_name)),
  );

  app.put(
    '/projects/:project_name/repositories/:repository_name',
    { schema: { operationId: 'updateRepository', tags, params: repositoryParams, body: repositoryUpdate, response: { 200: noContent } } },
    async (req, reply) => {
      await repositories.update(req.principal, req.params.project_name, repositoryName(req.params.repository_name), req.body.description ?? '', clientIp(req));
      reply.code(200).send();
    },
  );

  app.delete(
    '/projects/:project_name/repositories/:repository_name',
    { schema: { operationId: 'deleteRepository', tags, params: repositoryParams, response: { 200: noContent } } },
    async (req, reply) => {
      await repositories.delete(req.principal, req.params.project_name, repositoryName(req.params.repository_name), clientIp(req));
      reply.code(200).send();
    },
  );
};
