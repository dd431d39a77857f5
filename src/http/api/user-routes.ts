import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { UserService } from '../../services/identity/user-service.js';
import { clientIp } from '../auth/credentials.js';
import { readPaging, setPageHeaders } from './paging.js';
import { idParam, parseBody } from './validation.js';

const creation = z.object({
  username: z.string().min(1).max(255),
  password: z.string().min(1).max(128),
  email: z.string().max(255).optional(),
  realname: z.string().max(255).optional(),
  comment: z.string().max(1024).optional(),
});
const profile = z.object({ email: z.string().max(255).optional(), realname: z.string().max(255).optional(), comment: z.string().max(1024).optional() });
const passwordReq = z.object({ old_password: z.string().max(128).optional(), new_password: z.string().min(1).max(128) });
const sysadminReq = z.object({ sysadmin_flag: z.boolean() });

type Q = Record<string, string | undefined>;

export async function userRoutes(app: FastifyInstance, opts: { users: UserService }) {
  const { users } = opts;

  app.get('/users', async (req, reply) => {
    const q = req.query as Q;
    const paging = readPaging(q);
    const { items, total } = await users.list(req.principal, q.q, q.sort, { offset: paging.offset, limit: paging.pageSize });
    setPageHeaders(req, reply, paging, total);
    return items;
  });

  app.post('/users', async (req, reply) => {
    const body = parseBody(creation, req.body);
    const id = await users.create(req.principal, body, clientIp(req));
    reply.code(201).header('Location', `/api/v2.0/users/${id}`).send();
  });

  app.get('/users/current', async (req) => users.current(req.principal));

  app.get('/users/search', async (req, reply) => {
    const q = req.query as Q;
    const paging = readPaging(q);
    const { items, total } = await users.search(req.principal, q.username ?? '', { offset: paging.offset, limit: paging.pageSize });
    setPageHeaders(req, reply, paging, total);
    return items;
  });

  app.get<{ Params: { id: string } }>('/users/:id', async (req) => users.get(req.principal, idParam(req.params.id, 'user_id')));

  app.put<{ Params: { id: string } }>('/users/:id', async (req, reply) => {
    await users.updateProfile(req.principal, idParam(req.params.id, 'user_id'), parseBody(profile, req.body), clientIp(req));
    reply.code(200).send();
  });

  app.delete<{ Params: { id: string } }>('/users/:id', async (req, reply) => {
    await users.delete(req.principal, idParam(req.params.id, 'user_id'), clientIp(req));
    reply.code(200).send();
  });

  app.put<{ Params: { id: string } }>('/users/:id/password', async (req, reply) => {
    const body = parseBody(passwordReq, req.body);
    await users.changePassword(req.principal, idParam(req.params.id, 'user_id'), body.old_password, body.new_password, clientIp(req));
    reply.code(200).send();
  });

  app.put<{ Params: { id: string } }>('/users/:id/sysadmin', async (req, reply) => {
    const body = parseBody(sysadminReq, req.body);
    await users.setSysadmin(req.principal, idParam(req.params.id, 'user_id'), body.sysadmin_flag, clientIp(req));
    reply.code(200).send();
  });
}
