import { z } from 'zod';
import { idParam, jsonBody } from './common.js';

/** Harbor's ScheduleObj. */
export const scheduleObj = z.strictObject({
  type: z.string(),
  cron: z.string().optional(),
  next_scheduled_time: z.string().optional(),
}).meta({ id: 'ScheduleObj' });

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
}).meta({ id: 'ExecHistory' });

/** Harbor's Schedule body for POST/PUT …/schedule. Unknown fields are ignored, as Harbor does. */
export const scheduleBody = jsonBody(
  z.object({
    schedule: z.object({ type: z.string().max(32).optional(), cron: z.string().max(128).optional() }).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
);

export const executionParams = (name: string) => z.object({ [name]: idParam }) as z.ZodObject<Record<string, typeof idParam>>;
