import { z } from 'zod';
import { idParam, jsonBody, listQuery } from './common.js';

/**
 * Harbor's Label as POST and PUT take it. Read-only fields (id, times) are accepted and ignored,
 * as Harbor's JSON copy does; anything else is refused, never silently dropped.
 */
export const labelReq = jsonBody(
  z.strictObject({
    id: z.number().int().optional(),
    name: z.string().max(1024).optional(),
    description: z.string().max(4096).optional(),
    color: z.string().max(32).optional(),
    scope: z.string().max(16).optional(),
    project_id: z.number().int().optional(),
    creation_time: z.string().optional(),
    update_time: z.string().optional(),
  }).meta({ id: 'LabelReq' }),
);

/** Harbor's Label. */
export const label = z.strictObject({
  id: z.number().int(),
  name: z.string(),
  description: z.string(),
  color: z.string(),
  scope: z.enum(['g', 'p']),
  project_id: z.number().int(),
  creation_time: z.string(),
  update_time: z.string(),
}).meta({ id: 'Label' });

const queryId = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return undefined;
    if (!/^\d{1,10}$/.test(v)) {
      ctx.addIssue({ code: 'custom', message: 'must be a positive integer' });
      return z.NEVER;
    }
    return Number(v);
  })
  .meta({ type: 'integer', format: 'int64' });

export const labelListQuery = listQuery.extend({ name: z.string().max(128).optional(), scope: z.string().max(16).optional(), project_id: queryId });
export const labelParams = z.object({ label_id: idParam });

/** The body of addLabel: only the id matters (Harbor's Label, other fields ignored). */
export const artifactLabelReq = jsonBody(
  z.object({ id: z.number().int().min(1) }).meta({ id: 'ArtifactLabelReq' }),
);

export const artifactParams = z.object({
  project_name: z.string().min(1).max(255),
  repository_name: z.string().min(1).max(4096),
  reference: z.string().min(1).max(255),
});
export const artifactLabelParams = artifactParams.extend({ label_id: idParam });
