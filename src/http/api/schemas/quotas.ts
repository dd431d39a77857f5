import { z } from 'zod';
import { idParam, jsonBody, pagingQuery } from './common.js';

/** Harbor's ResourceList: resource name -> integer (only "storage" exists). */
export const resourceList = z.strictObject({ storage: z.number().int() }).meta({ id: 'ResourceList' });

/** Harbor's Quota. */
export const quota = z.strictObject({
  id: z.number().int(),
  ref: z.strictObject({ id: z.number().int(), name: z.string(), owner_name: z.string() }).meta({ id: 'QuotaRefObject' }),
  hard: resourceList,
  used: resourceList,
  creation_time: z.string(),
  update_time: z.string(),
}).meta({ id: 'Quota' });

/** Harbor's QuotaUpdateReq: the service checks the resource names and values (Harbor's messages). */
export const quotaUpdate = jsonBody(z.object({ hard: z.record(z.string().max(64), z.number().int()).optional() }).meta({ id: 'QuotaUpdateReq' }));

export const quotaParams = z.object({ id: idParam });

export const quotaListQuery = pagingQuery.extend({
  reference: z.string().max(64).optional(),
  reference_id: z.string().max(64).optional(),
  sort: z.string().max(200).optional(),
});
