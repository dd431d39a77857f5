import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditService } from '../../services/audit/audit-service.js';
import { pageOf, sendPage } from './paging.js';
import { listOf } from './schemas/common.js';
import { auditListQuery, auditLog } from './schemas/system.js';

const response = { 200: listOf(auditLog) };

/** Harbor's audit log: GET /audit-logs and GET /projects/{project_name}/logs (q, sort, paging). */
export const auditRoutes: FastifyPluginAsyncZod<{ audit: AuditService }> = async (app, { audit }) => {
  app.get('/audit-logs', { schema: { operationId: 'listAuditLogs', tags: ['auditlog'], querystring: auditListQuery, response } }, async (req, reply) =>
    sendPage(req, reply, req.query, audit.list(req.principal, { q: req.query.q, sort: req.query.sort }, pageOf(req.query))),
  );

  app.get('/projects/:project_name/logs', { schema: { operationId: 'getLogs', tags: ['project'], params: z.object({ project_name: z.string().min(1).max(255) }), querystring: auditListQuery, response } }, async (req, reply) =>
    sendPage(req, reply, req.query, audit.listProject(req.principal, req.params.project_name, { q: req.query.q, sort: req.query.sort }, pageOf(req.query))),
  );
};
