import { byName } from './resource-name.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { MemberService } from '../../services/identity/member-service.js';
import type { ProjectService } from '../../services/identity/project-service.js';
import { clientIp } from '../auth/credentials.js';
import { pageOf, sendPage } from './paging.js';
import { created, listOf, noContent, projectRefParams } from './schemas/common.js';
import {
  memberEntity,
  memberListQuery,
  memberParams,
  memberReq,
  permission,
  permissionsQuery,
  project,
  projectDeletable,
  projectHeadQuery,
  projectListQuery,
  projectReq,
  projectSummary,
  roleReq,
} from './schemas/projects.js';

const tags = ['project'];
const memberTags = ['member'];
const params = projectRefParams;

export const projectRoutes: FastifyPluginAsyncZod<{ projects: ProjectService; members: MemberService }> = async (app, { projects, members }) => {
  app.get('/users/current/permissions', { schema: { operationId: 'getCurrentUserPermissions', tags: ['user'], querystring: permissionsQuery, response: { 200: z.array(permission) } } }, async (req) =>
    projects.currentPermissions(req.principal, req.query.scope, req.query.relative === true),
  );

  app.get('/projects', { schema: { operationId: 'listProjects', tags, querystring: projectListQuery, response: { 200: listOf(project) } } }, async (req, reply) => {
    const { q, name, public: pub, owner, with_detail: withDetail, sort } = req.query;
    return sendPage(req, reply, req.query, projects.list(req.principal, { q, name, public: pub, owner, withDetail, sort }, pageOf(req.query)));
  });

  app.head('/projects', { config: { swagger: { exposeHeadRoute: true } }, schema: { operationId: 'headProject', tags, querystring: projectHeadQuery, response: { 200: noContent, 404: noContent } } }, async (req, reply) => {
    reply.code((await projects.probe(req.principal, req.query.project_name)) ? 200 : 404).send();
  });

  app.post('/projects', { schema: { operationId: 'createProject', tags, body: projectReq, response: { 201: created } } }, async (req, reply) => {
    const id = await projects.create(req.principal, req.body, clientIp(req));
    reply.code(201).header('Location', `/api/v2.0/projects/${id}`).send();
  });

  app.get('/projects/:project_name_or_id', { schema: { operationId: 'getProject', tags, params, response: { 200: project } } }, async (req) =>
    projects.get(req.principal, req.params.project_name_or_id, byName(req)),
  );

  app.put('/projects/:project_name_or_id', { schema: { operationId: 'updateProject', tags, params, body: projectReq, response: { 200: noContent } } }, async (req, reply) => {
    await projects.update(req.principal, req.params.project_name_or_id, byName(req), req.body, clientIp(req));
    reply.code(200).send();
  });

  app.delete('/projects/:project_name_or_id', { schema: { operationId: 'deleteProject', tags, params, response: { 200: noContent } } }, async (req, reply) => {
    await projects.delete(req.principal, req.params.project_name_or_id, byName(req), clientIp(req));
    reply.code(200).send();
  });

  app.get('/projects/:project_name_or_id/_deletable', { schema: { operationId: 'getProjectDeletable', tags, params, response: { 200: projectDeletable } } }, async (req) =>
    projects.deletable(req.principal, req.params.project_name_or_id, byName(req)),
  );

  app.get('/projects/:project_name_or_id/summary', { schema: { operationId: 'getProjectSummary', tags, params, response: { 200: projectSummary } } }, async (req) =>
    projects.summary(req.principal, req.params.project_name_or_id, byName(req)),
  );

  app.get('/projects/:project_name_or_id/members', { schema: { operationId: 'listProjectMembers', tags: memberTags, params, querystring: memberListQuery, response: { 200: listOf(memberEntity) } } }, async (req, reply) =>
    sendPage(req, reply, req.query, members.list(req.principal, req.params.project_name_or_id, byName(req), req.query.entityname, pageOf(req.query))),
  );

  app.post('/projects/:project_name_or_id/members', { schema: { operationId: 'createProjectMember', tags: memberTags, params, body: memberReq, response: { 201: created } } }, async (req, reply) => {
    const id = await members.add(req.principal, req.params.project_name_or_id, byName(req), req.body, clientIp(req));
    reply.code(201).header('Location', `/api/v2.0/projects/${req.params.project_name_or_id}/members/${id}`).send();
  });

  app.get('/projects/:project_name_or_id/members/:mid', { schema: { operationId: 'getProjectMember', tags: memberTags, params: memberParams, response: { 200: memberEntity } } }, async (req) =>
    members.get(req.principal, req.params.project_name_or_id, byName(req), req.params.mid),
  );

  app.put('/projects/:project_name_or_id/members/:mid', { schema: { operationId: 'updateProjectMember', tags: memberTags, params: memberParams, body: roleReq, response: { 200: noContent } } }, async (req, reply) => {
    await members.update(req.principal, req.params.project_name_or_id, byName(req), req.params.mid, req.body.role_id, clientIp(req));
    reply.code(200).send();
  });

  app.delete('/projects/:project_name_or_id/members/:mid', { schema: { operationId: 'deleteProjectMember', tags: memberTags, params: memberParams, response: { 200: noContent } } }, async (req, reply) => {
    await members.remove(req.principal, req.params.project_name_or_id, byName(req), req.params.mid, clientIp(req));
    reply.code(200).send();
  });
};
