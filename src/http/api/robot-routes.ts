import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ProjectService } from '../../services/identity/project-service.js';
import { z } from 'zod';
import type { RobotService } from '../../services/identity/robot-service.js';
import { AppError } from '../../platform/errors.js';
import { clientIp } from '../auth/credentials.js';
import { readPaging, setPageHeaders } from './paging.js';
import { idParam, parseBody } from './validation.js';

const access = z.object({
  resource: z.string().max(64),
  action: z.string().max(64),
  effect: z.string().max(16).optional(),
});
const permission = z.object({
  kind: z.string().max(32),
  namespace: z.string().max(255),
  access: z.array(access).max(200),
});
/** Harbor's RobotCreate. */
const robotCreate = z.object({
  name: z.string().max(255),
  description: z.string().max(1024).optional(),
  secret: z.string().max(128).optional(),
  level: z.string().max(16),
  disable: z.boolean().optional(),
  duration: z.number().int().optional(),
  permissions: z.array(permission).max(100),
});
/** Harbor's Robot, as PUT takes it (read-only fields such as id or creation_time are ignored). */
const robotUpdate = z.object({
  name: z.string().max(255).optional(),
  description: z.string().max(1024).optional(),
  level: z.string().max(16).optional(),
  disable: z.boolean().optional(),
  duration: z.number().int().nullable().optional(),
  permissions: z.array(permission).max(100).optional(),
});
/** Harbor's RobotSec. */
const robotSec = z.object({ secret: z.string().max(128).optional() });

type Q = Record<string, string | undefined>;
type P = { Params: { id: string } };

/** Robot accounts (Harbor's /robots): the secret is in the create and refresh responses only. */
export async function robotRoutes(app: FastifyInstance, opts: { robots: RobotService; projects: ProjectService }) {
  const { robots, projects } = opts;

  // Project-scoped forms (/projects/{p}/robots): the same robots, with the project taken from the
  // path (name or id, X-Is-Resource-Name as elsewhere) and the level fixed to "project".
  type PP = { Params: { p: string } };
  const projectOf = async (req: FastifyRequest<PP>) =>
    (await projects.resolve(req.principal, req.params.p, req.headers['x-is-resource-name'] === 'true', 'robot', 'list')).project;

  app.get<PP>('/projects/:p/robots', async (req, reply) => {
    const q = req.query as Q;
    const paging = readPaging(q);
    const project = await projectOf(req);
    const { items, total } = await robots.list(req.principal, `level=project,project_id=${project.id}`, { offset: paging.offset, limit: paging.pageSize });
    setPageHeaders(req, reply, paging, total);
    return items;
  });

  app.post<PP>('/projects/:p/robots', async (req, reply) => {
    const project = await projectOf(req);
    const body = parseBody(robotCreate.extend({ level: z.string().max(16).optional(), permissions: z.array(permission).max(100).optional() }), req.body);
    if (body.permissions?.some((p) => p.namespace !== project.name)) {
      throw new AppError('BAD_REQUEST', `permissions of a robot created under /projects/${project.name} must name that project`);
    }
    const created = await robots.create(
      req.principal,
      { ...body, level: 'project', permissions: body.permissions ?? [{ kind: 'project', namespace: project.name, access: [{ resource: 'repository', action: 'pull' }] }] },
      clientIp(req),
    );
    reply.code(201).header('Location', `/api/v2.0/robots/${created.id}`).header('Cache-Control', 'no-store');
    return created;
  });

  app.get('/robots', async (req, reply) => {
    const q = req.query as Q;
    const paging = readPaging(q);
    const { items, total } = await robots.list(req.principal, q.q, { offset: paging.offset, limit: paging.pageSize });
    setPageHeaders(req, reply, paging, total);
    return items;
  });

  app.post('/robots', async (req, reply) => {
    const created = await robots.create(req.principal, parseBody(robotCreate, req.body), clientIp(req));
    reply.code(201).header('Location', `/api/v2.0/robots/${created.id}`).header('Cache-Control', 'no-store');
    return created;
  });

  app.get<P>('/robots/:id', async (req) => robots.get(req.principal, idParam(req.params.id, 'robot_id')));

  app.put<P>('/robots/:id', async (req, reply) => {
    await robots.update(req.principal, idParam(req.params.id, 'robot_id'), parseBody(robotUpdate, req.body), clientIp(req));
    reply.code(200).send();
  });

  app.patch<P>('/robots/:id', async (req, reply) => {
    const body = parseBody(robotSec, req.body);
    const result = await robots.refreshSecret(req.principal, idParam(req.params.id, 'robot_id'), body.secret, clientIp(req));
    reply.header('Cache-Control', 'no-store');
    return result;
  });

  app.delete<P>('/robots/:id', async (req, reply) => {
    await robots.delete(req.principal, idParam(req.params.id, 'robot_id'), clientIp(req));
    reply.code(200).send();
  });
}
