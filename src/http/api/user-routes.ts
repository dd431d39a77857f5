import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { UserService } from '../../services/identity/user-service.js';
import { clientIp } from '../auth/credentials.js';
import { pageOf, sendPage } from './paging.js';
import { created, listOf, noContent } from './schemas/common.js';
import { passwordReq, sysadminReq, userCreation, userListQuery, userParams, userProfile, userResp, userSearchItem, userSearchQuery } from './schemas/users.js';

const tags = ['user'];

export const userRoutes: FastifyPluginAsyncZod<{ users: UserService }> = async (app, { users }) => {
  app.get('/users', { schema: { operationId: 'listUsers', tags, querystring: userListQuery, response: { 200: listOf(userResp) } } }, async (req, reply) =>
    sendPage(req, reply, req.query, users.list(req.principal, req.query.q, req.query.sort, pageOf(req.query))),
  );

  app.post('/users', { schema: { operationId: 'createUser', tags, body: userCreation, response: { 201: created } } }, async (req, reply) => {
    const id = await users.create(req.principal, req.body, clientIp(req));
    reply.code(201).header('Location', `/api/v2.0/users/${id}`).send();
  });

  app.get('/users/current', { schema: { operationId: 'getCurrentUserInfo', tags, response: { 200: userResp } } }, async (req) => users.current(req.principal));

  app.get('/users/search', { schema: { operationId: 'searchUsers', tags, querystring: userSearchQuery, response: { 200: listOf(userSearchItem) } } }, async (req, reply) =>
    sendPage(req, reply, req.query, users.search(req.principal, req.query.username ?? '', pageOf(req.query))),
  );

  app.get('/users/:user_id', { schema: { operationId: 'getUser', tags, params: userParams, response: { 200: userResp } } }, async (req) => users.get(req.principal, req.params.user_id));

  app.put('/users/:user_id', { schema: { operationId: 'updateUserProfile', tags, params: userParams, body: userProfile, response: { 200: noContent } } }, async (req, reply) => {
    await users.updateProfile(req.principal, req.params.user_id, req.body, clientIp(req));
    reply.code(200).send();
  });

  app.delete('/users/:user_id', { schema: { operationId: 'deleteUser', tags, params: userParams, response: { 200: noContent } } }, async (req, reply) => {
    await users.delete(req.principal, req.params.user_id, clientIp(req));
    reply.code(200).send();
  });

  app.put('/users/:user_id/password', { schema: { operationId: 'updateUserPassword', tags, params: userParams, body: passwordReq, response: { 200: noContent } } }, async (req, reply) => {
    await users.changePassword(req.principal, req.params.user_id, req.body.old_password, req.body.new_password, clientIp(req));
    reply.code(200).send();
  });

  app.put('/users/:user_id/sysadmin', { schema: { operationId: 'setUserSysAdmin', tags, params: userParams, body: sysadminReq, response: { 200: noContent } } }, async (req, reply) => {
    await users.setSysadmin(req.principal, req.params.user_id, req.body.sysadmin_flag, clientIp(req));
    reply.code(200).send();
  });
};
