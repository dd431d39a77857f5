import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RepositoryService } from '../../services/registry/repository-service.js';
import { AppError } from '../../platform/errors.js';
import { clientIp } from '../auth/credentials.js';
import { noContent } from './schemas/common.js';

const tags = ['repository'];

const repositoryParams = z.object({
  project_name: z.string().min(1).max(255),
  repository_name: z.string().min(1).max(4096),
});

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
  app.delete(
    '/projects/:project_name/repositories/:repository_name',
    { schema: { operationId: 'deleteRepository', tags, params: repositoryParams, response: { 200: noContent } } },
    async (req, reply) => {
      await repositories.delete(req.principal, req.params.project_name, repositoryName(req.params.repository_name), clientIp(req));
      reply.code(200).send();
    },
  );
};
