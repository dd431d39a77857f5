import type { FastifyRequest } from 'fastify';

/** Harbor's X-Is-Resource-Name header: "true" means {project_name_or_id} is a name. */
export const byName = (req: FastifyRequest): boolean => req.headers['x-is-resource-name'] === 'true';
