import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { JobDashboard } from '../../services/jobs/job-dashboard.js';
import { pageOf, sendPage } from './paging.js';
import { jsonBody, listOf, noContent, pagingQuery, withHeaders } from './schemas/common.js';
import { jobQueue, scheduleTask, schedulerStatus, worker, workerPool } from './schemas/jobs.js';

const tags = ['jobservice'];
const jobId = z.object({ job_id: z.string().min(1).max(64) });
/** A job log as text, with its Content-Type named as Harbor's document does. */
const textLog = withHeaders(z.string(), { 'Content-Type': { description: 'The content type of response body', type: 'string' } });

/** Harbor's job service dashboard and schedule list (tags jobservice, schedule). */
export const jobserviceRoutes: FastifyPluginAsyncZod<{ dashboard: JobDashboard }> = async (app, { dashboard }) => {
  app.get('/jobservice/pools', { schema: { operationId: 'getWorkerPools', tags, response: { 200: z.array(workerPool) } } }, async (req) => dashboard.pools(req.principal));

  app.get('/jobservice/pools/:pool_id/workers', { schema: { operationId: 'getWorkers', tags, params: z.object({ pool_id: z.string().min(1).max(128) }), response: { 200: z.array(worker) } } }, async (req) =>
    dashboard.workers(req.principal, req.params.pool_id),
  );

  app.put('/jobservice/jobs/:job_id', { schema: { operationId: 'stopRunningJob', tags, params: jobId, response: { 200: noContent } } }, async (req, reply) => {
    await dashboard.stopJob(req.principal, req.params.job_id);
    reply.code(200).send();
  });

  app.get('/jobservice/jobs/:job_id/log', { schema: { operationId: 'actionGetJobLog', tags, params: jobId, response: { 200: textLog } } }, async (req, reply) =>
    reply.type('text/plain; charset=utf-8').send(await dashboard.jobLog(req.principal, req.params.job_id)),
  );

  app.get('/jobservice/queues', { schema: { operationId: 'listJobQueues', tags, response: { 200: z.array(jobQueue) } } }, async (req) => dashboard.queues(req.principal));

  app.put(
    '/jobservice/queues/:job_type',
    { schema: { operationId: 'actionPendingJobs', tags, params: z.object({ job_type: z.string().min(1).max(64) }), body: jsonBody(z.object({ action: z.string().max(16) })), response: { 200: noContent } } },
    async (req, reply) => {
      await dashboard.queueAction(req.principal, req.params.job_type, req.body.action);
      reply.code(200).send();
    },
  );

  app.get('/schedules', { schema: { operationId: 'listSchedules', tags: ['schedule'], querystring: pagingQuery, response: { 200: listOf(scheduleTask) } } }, async (req, reply) =>
    sendPage(req, reply, req.query, dashboard.schedules(req.principal, pageOf(req.query))),
  );

  app.get('/schedules/:job_type/paused', { schema: { operationId: 'getSchedulePaused', tags: ['schedule'], params: z.object({ job_type: z.string().min(1).max(64) }), response: { 200: schedulerStatus } } }, async (req) =>
    dashboard.schedulerPaused(req.principal, req.params.job_type),
  );
};
