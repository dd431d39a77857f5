import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { MemberService } from '../../services/identity/member-service.js';
import type { ProjectService } from '../../services/identity/project-service.js';
import { requireLogin } from '../../services/identity/guards.js';
import { clientIp } from '../auth/credentials.js';
import { readPaging, setPageHeaders } from './paging.js';
import { idParam, parseBody } from './validation.js';

const projectReq = z.object({
  project_name: z.string().max(255).optional(),
  public: z.boolean().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  storage_limit: z.number().optional(),
  registry_id: z.number().nullable().optional(),
  cve_allowlist: z.unknown().optional(),
});
const memberReq = z.object({
  role_id: z.number().int(),
  member_user: z.object({ user_id: z.number().int().optional(), username: z.string().max(255).optional() }).optional(),
  member_group: z.unknown().optional(),
});
const roleReq = z.object({ role_id: z.number().int() });

type Q = Record<string, string | undefined>;
type P = { Params: { p: string; mid?: string } };

/** Harbor's X-Is-Resource-Name header: "true" means {project_name_or_id} is a name. */
const byName = (req: FastifyRequest) => req.headers['x-is-resource-name'] === 'true';

export async function projectRoutes(app: FastifyInstance, opts: { projects: ProjectService; members: MemberService }) {
  const { projects, members } = opts;

  app.get('/users/current/permissions', async (req) => {
    const q = req.query as Q;
    return projects.currentPermissions(req.principal, q.scope, q.relative === 'true');
  });

  app.get('/projects', async (req, reply) => {
    const q = req.query as Q;
    const paging = readPaging(q);
    const pub = q.public === undefined || q.public === '' ? undefined : q.public === 'true';
    const { items, total } = await projects.list(req.principal, { q: q.q, name: q.name, public: pub, sort: q.sort }, { offset: paging.offset, limit: paging.pageSize });
    setPageHeaders(req, reply, paging, total);
    return items;
  });

  app.head('/projects', async (req, reply) => {
    // As Harbor: only logged-in users may probe project names (private ones included).
    requireLogin(req.principal);
    const name = (req.query as Q).project_name ?? '';
    reply.code((await projects.exists(name)) ? 200 : 404).send();
  });

  app.post('/projects', async (req, reply) => {
    const id = await projects.create(req.principal, parseBody(projectReq, req.body), clientIp(req));
    reply.code(201).header('Location', `/api/v2.0/projects/${id}`).send();
  });

  app.get<P>('/projects/:p', async (req) => {
    const { project } = await projects.resolve(req.principal, req.params.p, byName(req), 'self', 'read');
    return projects.view(req.principal, project);
  });

  app.put<P>('/projects/:p', async (req, reply) => {
    await projects.update(req.principal, req.params.p, byName(req), parseBody(projectReq, req.body), clientIp(req));
    reply.code(200).send();
  });

  app.delete<P>('/projects/:p', async (req, reply) => {
    await projects.delete(req.principal, req.params.p, byName(req), clientIp(req));
    reply.code(200).send();
  });

  app.get<P>('/projects/:p/_deletable', async (req) => projects.deletable(req.principal, req.params.p, byName(req)));
  app.get<P>('/projects/:p/summary', async (req) => projects.summary(req.principal, req.params.p, byName(req)));

  app.get<P>('/projects/:p/members', async (req, reply) => {
    const q = req.query as Q;
    const paging = readPaging(q);
    const all = await members.list(req.principal, req.params.p, byName(req), q.entityname || undefined);
    setPageHeaders(req, reply, paging, all.length);
    return all.slice(paging.offset, paging.offset + paging.pageSize);
  });

  app.post<P>('/projects/:p/members', async (req, reply) => {
    const id = await members.add(req.principal, req.params.p, byName(req), parseBody(memberReq, req.body), clientIp(req));
    reply.code(201).header('Location', `/api/v2.0/projects/${req.params.p}/members/${id}`).send();
  });

  app.get<P>('/projects/:p/members/:mid', async (req) => members.get(req.principal, req.params.p, byName(req), idParam(req.params.mid!, 'mid')));

  app.put<P>('/projects/:p/members/:mid', async (req, reply) => {
    await members.update(req.principal, req.params.p, byName(req), idParam(req.params.mid!, 'mid'), parseBody(roleReq, req.body).role_id, clientIp(req));
    reply.code(200).send();
  });

  app.delete<P>('/projects/:p/members/:mid', async (req, reply) => {
    await members.remove(req.principal, req.params.p, byName(req), idParam(req.params.mid!, 'mid'), clientIp(req));
    reply.code(200).send();
  });
}
