import type { FastifyInstance } from 'fastify';
import type { AuditService } from '../../services/audit/audit-service.js';
import { readPaging, setPageHeaders } from './paging.js';

type Q = Record<string, string | undefined>;

/** Harbor's audit log: GET /audit-logs and GET /projects/{project_name}/logs (q, sort, paging). */
export async function auditRoutes(app: FastifyInstance, opts: { audit: AuditService }) {
  const { audit } = opts;

  app.get('/audit-logs', async (req, reply) => {
    const q = req.query as Q;
    const paging = readPaging(q);
    const { items, total } = await audit.list(req.principal, { q: q.q, sort: q.sort }, { offset: paging.offset, limit: paging.pageSize });
    setPageHeaders(req, reply, paging, total);
    return items;
  });

  // ":p" as in project-routes, so the router sees one parameter name at this position.
  app.get<{ Params: { p: string } }>('/projects/:p/logs', async (req, reply) => {
    const q = req.query as Q;
    const paging = readPaging(q);
    const { items, total } = await audit.listProject(req.principal, req.params.p, { q: q.q, sort: q.sort }, { offset: paging.offset, limit: paging.pageSize });
    setPageHeaders(req, reply, paging, total);
    return items;
  });
}
