import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SystemJob } from '../../services/jobs/system-job.js';
import { pageOf, sendPage } from './paging.js';
import { created, listOf, listQuery, noContent } from './schemas/common.js';
import { execHistory, executionParams, scheduleBody } from './schemas/jobs.js';

export interface SystemJobRouteSpec {
  /** e.g. /system/purgeaudit */
  prefix: string;
  /** The path parameter naming an execution: purge_id, gc_id. */
  idName: string;
  tag: string;
  /** Harbor's operationIds, by route. */
  ops: { history: string; get: string; log: string; stop: string; getSchedule: string; createSchedule: string; updateSchedule: string };
}

/**
 * Harbor's routes of a system job (purgeaudit, gc): its schedule (POST runs it now when the type
 * is Manual), its history, one run, its log as text, and stop.
 */
export function systemJobRoutes(spec: SystemJobRouteSpec): FastifyPluginAsyncZod<{ job: SystemJob }> {
  const tags = [spec.tag];
  const params = executionParams(spec.idName);
  const idOf = (p: Record<string, number>) => p[spec.idName]!;
  return async (app, { job }) => {
    app.get(`${spec.prefix}/schedule`, { schema: { operationId: spec.ops.getSchedule, tags, response: { 200: execHistory } } }, async (req, reply) => {
      const s = await job.schedule(req.principal);
      // Harbor answers 200 with no body when nothing is scheduled.
      if (s === null) return reply.code(200).send(undefined as never);
      return s;
    });

    app.post(`${spec.prefix}/schedule`, { schema: { operationId: spec.ops.createSchedule, tags, body: scheduleBody, response: { 201: created } } }, async (req, reply) => {
      const id = await job.kick(req.principal, req.body);
      if (id !== null) reply.header('Location', `/api/v2.0${spec.prefix}/${id}`);
      reply.code(201).send();
    });

    app.put(`${spec.prefix}/schedule`, { schema: { operationId: spec.ops.updateSchedule, tags, body: scheduleBody, response: { 200: noContent } } }, async (req, reply) => {
      await job.kick(req.principal, req.body);
      reply.code(200).send();
    });

    app.get(`${spec.prefix}`, { schema: { operationId: spec.ops.history, tags, querystring: listQuery, response: { 200: listOf(execHistory) } } }, async (req, reply) =>
      sendPage(req, reply, req.query, job.history(req.principal, pageOf(req.query))),
    );

    app.get(`${spec.prefix}/:${spec.idName}`, { schema: { operationId: spec.ops.get, tags, params, response: { 200: execHistory } } }, async (req) => job.get(req.principal, idOf(req.params)));

    app.get(`${spec.prefix}/:${spec.idName}/log`, { schema: { operationId: spec.ops.log, tags, params, response: { 200: z.string() } } }, async (req, reply) =>
      reply.type('text/plain; charset=utf-8').send(await job.log(req.principal, idOf(req.params))),
    );

    app.put(`${spec.prefix}/:${spec.idName}`, { schema: { operationId: spec.ops.stop, tags, params, response: { 200: noContent } } }, async (req, reply) => {
      await job.stop(req.principal, idOf(req.params));
      reply.code(200).send();
    });
  };
}

export const purgeAuditRoutes = systemJobRoutes({
  prefix: '/system/purgeaudit',
  idName: 'purge_id',
  tag: 'purge',
  ops: { history: 'getPurgeHistory', get: 'getPurgeJob', log: 'getPurgeJobLog', stop: 'stopPurge', getSchedule: 'getPurgeSchedule', createSchedule: 'createPurgeSchedule', updateSchedule: 'updatePurgeSchedule' },
});

export const gcRoutes = systemJobRoutes({
  prefix: '/system/gc',
  idName: 'gc_id',
  tag: 'gc',
  ops: { history: 'getGCHistory', get: 'getGC', log: 'getGCLog', stop: 'stopGC', getSchedule: 'getGCSchedule', createSchedule: 'createGCSchedule', updateSchedule: 'updateGCSchedule' },
});
