import type { FastifyInstance } from 'fastify';
import type { RepositoryService } from '../../services/registry/repository-service.js';
import { AppError } from '../../platform/errors.js';
import { clientIp } from '../auth/credentials.js';

type P = { Params: { p: string; r: string } };

/**
 * Harbor's clients encode a slash in {repository_name} twice (a/b -> a%252Fb); the router has
 * decoded once. A second decode takes either spelling, and is safe because no repository name
 * has a "%" of its own.
 */
function repositoryName(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AppError('BAD_REQUEST', 'repository_name is not valid URL encoding');
  }
}

export async function repositoryRoutes(app: FastifyInstance, opts: { repositories: RepositoryService }) {
  const { repositories } = opts;

  app.delete<P>('/projects/:p/repositories/:r', async (req, reply) => {
    await repositories.delete(req.principal, req.params.p, repositoryName(req.params.r), clientIp(req));
    reply.code(200).send();
  });
}
