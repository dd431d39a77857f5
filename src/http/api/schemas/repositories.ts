import { z } from 'zod';
import { jsonBody, listQuery } from './common.js';

export const projectNameParams = z.object({ project_name: z.string().min(1).max(255) });

export const repositoryParams = projectNameParams.extend({ repository_name: z.string().min(1).max(4096) });

export const repositoryListQuery = listQuery;

export const repository = z
  .strictObject({
    id: z.number().int(),
    project_id: z.number().int(),
    name: z.string(),
    description: z.string(),
    artifact_count: z.number().int(),
    pull_count: z.number().int(),
    creation_time: z.string(),
    update_time: z.string(),
  })
  .meta({ id: 'Repository' });

/**
 * Harbor's PUT body is a whole Repository of which only the description counts; the other
 * fields are accepted (clients send back what they read) and ignored.
 */
export const repositoryUpdate = jsonBody(
  z.object({
    id: z.number().int().optional(),
    project_id: z.number().int().optional(),
    name: z.string().max(4096).optional(),
    description: z.string().max(100_000).optional(),
    artifact_count: z.number().int().optional(),
    pull_count: z.number().int().optional(),
    creation_time: z.string().max(64).nullable().optional(),
    update_time: z.string().max(64).optional(),
  }),
);
