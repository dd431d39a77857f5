import { byName } from './resource-name.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ImmutableRuleService } from '../../services/immutable/immutable-rule-service.js';
import { clientIp } from '../auth/credentials.js';
import { pageOf, sendPage } from './paging.js';
import { created, listOf, noContent, projectRefParams } from './schemas/common.js';
import { immutableRule, immutableRuleListQuery, immutableRuleParams, immutableRuleReq } from './schemas/immutable.js';

const tags = ['immutable'];

/** Harbor's immutable tag rules of a project (/projects/{p}/immutabletagrules). */
export const immutableRoutes: FastifyPluginAsyncZod<{ immutableRules: ImmutableRuleService }> = async (app, { immutableRules: rules }) => {
  app.get('/projects/:project_name_or_id/immutabletagrules', { schema: { operationId: 'ListImmuRules', tags, params: projectRefParams, querystring: immutableRuleListQuery, response: { 200: listOf(immutableRule) } } }, async (req, reply) =>
    sendPage(req, reply, req.query, rules.list(req.principal, req.params.project_name_or_id, byName(req), req.query, pageOf(req.query))),
  );

  app.post('/projects/:project_name_or_id/immutabletagrules', { schema: { operationId: 'CreateImmuRule', tags, params: projectRefParams, body: immutableRuleReq, response: { 201: created } } }, async (req, reply) => {
    const id = await rules.create(req.principal, req.params.project_name_or_id, byName(req), req.body, clientIp(req));
    // Harbor's Location is the request path plus the id.
    reply.code(201).header('Location', `${req.url.split('?')[0]!.replace(/\/$/, '')}/${id}`).send();
  });

  app.put('/projects/:project_name_or_id/immutabletagrules/:immutable_rule_id', { schema: { operationId: 'UpdateImmuRule', tags, params: immutableRuleParams, body: immutableRuleReq, response: { 200: noContent } } }, async (req, reply) => {
    await rules.update(req.principal, req.params.project_name_or_id, byName(req), req.params.immutable_rule_id, req.body, clientIp(req));
    reply.code(200).send();
  });

  app.delete('/projects/:project_name_or_id/immutabletagrules/:immutable_rule_id', { schema: { operationId: 'DeleteImmuRule', tags, params: immutableRuleParams, response: { 200: noContent } } }, async (req, reply) => {
    await rules.delete(req.principal, req.params.project_name_or_id, byName(req), req.params.immutable_rule_id, clientIp(req));
    reply.code(200).send();
  });
};
