import { z } from 'zod';
import { idParam, jsonBody } from './common.js';

/** Harbor's ScheduleObj. */
export const scheduleObj = z.strictObject({
  type: z.string(),
  cron: z.string().optional(),
  next_scheduled_time: z.string().optional(),
}).meta({ id: 'ScheduleObj' });

/** Haven's addition to Harbor's runs: items done of the total, and the share in per cent. */
export const progress = z.strictObject({
  done: z.number().int(),
  total: z.number().int(),
  percent: z.number().int().nullable(),
}).meta({ id: 'Progress' });

/** Harbor's ExecHistory (purge and GC history, and their schedule). */
export const execHistory = z.strictObject({
  id: z.number().int(),
  job_name: z.string(),
  job_kind: z.string(),
  job_parameters: z.string(),
  schedule: scheduleObj,
  job_status: z.string(),
  deleted: z.boolean(),
  creation_time: z.string(),
  update_time: z.string(),
  progress: progress.optional(),
}).meta({ id: 'ExecHistory' });

/** Harbor's Schedule body for POST/PUT …/schedule. Unknown fields are ignored, as Harbor does. */
export const scheduleBody = jsonBody(
  z.object({
    schedule: z.object({ type: z.string().max(32).optional(), cron: z.string().max(128).optional() }).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
);

export const executionParams = (name: string) => z.object({ [name]: idParam }) as z.ZodObject<Record<string, typeof idParam>>;

export const jobQueue = z.strictObject({ job_type: z.string(), count: z.number().int(), latency: z.number().int(), paused: z.boolean() }).meta({ id: 'JobQueue' });

export const workerPool = z.strictObject({
  pid: z.number().int(),
  worker_pool_id: z.string(),
  start_at: z.string(),
  heartbeat_at: z.string(),
  concurrency: z.number().int(),
  host: z.string(),
}).meta({ id: 'WorkerPool' });

export const worker = z.strictObject({
  id: z.string(),
  pool_id: z.string(),
  job_name: z.string(),
  job_id: z.string(),
  start_at: z.string().optional(),
  check_in: z.string(),
  checkin_at: z.string(),
}).meta({ id: 'Worker' });

export const scheduleTask = z.strictObject({ id: z.number().int(), vendor_type: z.string(), vendor_id: z.number().int(), cron: z.string(), update_time: z.string() }).meta({ id: 'ScheduleTask' });

export const schedulerStatus = z.strictObject({ paused: z.boolean() }).meta({ id: 'SchedulerStatus' });
