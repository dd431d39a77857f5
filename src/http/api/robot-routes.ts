import { byName } from './resource-name.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RobotService } from '../../services/identity/robot-service.js';
import { clientIp } from '../auth/credentials.js';
import { pageOf, sendPage } from './paging.js';
import { createdWith, listOf, noContent, projectRefParams } from './schemas/common.js';
import { projectRobotCreate, projectRobotListQuery, robot, robotCreate, robotCreated, robotListQuery, robotParams, robotSec, robotSecResp, robotUpdate } from './schemas/robots.js';

const tags = ['robot'];

/** Robot accounts (Harbor's /robots): the secret is in the create and refresh responses only. */
export const robotRoutes: FastifyPluginAsyncZod<{ robots: RobotService }> = async (app, { robots }) => {
  // Project-scoped forms (/projects/{p}/robots): the same robots, with the project taken from the
  // path (name or id, X-Is-Resource-Name as elsewhere) and the level fixed to "project".
  app.get('/projects/:project_name_or_id/robots', { schema: { operationId: 'listProjectRobots', tags, params: projectRefParams, querystring: projectRobotListQuery, response: { 200: listOf(robot) } } }, async (req, reply) =>
    sendPage(req, reply, req.query, robots.listOfProject(req.principal, req.params.project_name_or_id, byName(req), pageOf(req.query))),
  );

  app.post('/projects/:project_name_or_id/robots', { schema: { operationId: 'createProjectRobot', tags, params: projectRefParams, body: projectRobotCreate, response: { 201: createdWith(robotCreated) } } }, async (req, reply) => {
    const created = await robots.createInProject(req.principal, req.params.project_name_or_id, byName(req), req.body, clientIp(req));
    reply.code(201).header('Location', `/api/v2.0/robots/${created.id}`).header('Cache-Control', 'no-store');
    return created;
  });

  app.get('/robots', { schema: { operationId: 'ListRobot', tags, querystring: robotListQuery, response: { 200: listOf(robot) } } }, async (req, reply) =>
    sendPage(req, reply, req.query, robots.list(req.principal, req.query.q, pageOf(req.query))),
  );

  app.post('/robots', { schema: { operationId: 'CreateRobot', tags, body: robotCreate, response: { 201: createdWith(robotCreated) } } }, async (req, reply) => {
    const created = await robots.create(req.principal, req.body, clientIp(req));
    reply.code(201).header('Location', `/api/v2.0/robots/${created.id}`).header('Cache-Control', 'no-store');
    return created;
  });

  app.get('/robots/:robot_id', { schema: { operationId: 'GetRobotByID', tags, params: robotParams, response: { 200: robot } } }, async (req) => robots.get(req.principal, req.params.robot_id));

  app.put('/robots/:robot_id', { schema: { operationId: 'UpdateRobot', tags, params: robotParams, body: robotUpdate, response: { 200: noContent } } }, async (req, reply) => {
    await robots.update(req.principal, req.params.robot_id, req.body, clientIp(req));
    reply.code(200).send();
  });

  app.patch('/robots/:robot_id', { schema: { operationId: 'RefreshSec', tags, params: robotParams, body: robotSec, response: { 200: robotSecResp } } }, async (req, reply) => {
    reply.header('Cache-Control', 'no-store');
    return robots.refreshSecret(req.principal, req.params.robot_id, req.body.secret, clientIp(req));
  });

  app.delete('/robots/:robot_id', { schema: { operationId: 'DeleteRobot', tags, params: robotParams, response: { 200: noContent } } }, async (req, reply) => {
    await robots.delete(req.principal, req.params.robot_id, clientIp(req));
    reply.code(200).send();
  });
};
