import { z } from 'zod';
import { project } from './projects.js';

export const searchQuery = z.object({ q: z.string().max(255) });

/** Harbor's SearchRepository. */
export const searchRepository = z.strictObject({
  project_id: z.number().int(),
  project_name: z.string(),
  project_public: z.boolean(),
  repository_name: z.string(),
  pull_count: z.number().int(),
  artifact_count: z.number().int(),
}).meta({ id: 'SearchRepository' });

/** Harbor's Search. */
export const searchResult = z.strictObject({ project: z.array(project), repository: z.array(searchRepository) }).meta({ id: 'Search' });

/** Harbor's Statistic. */
export const statistic = z.strictObject({
  private_project_count: z.number().int(),
  private_repo_count: z.number().int(),
  public_project_count: z.number().int(),
  public_repo_count: z.number().int(),
  total_project_count: z.number().int(),
  total_repo_count: z.number().int(),
  total_storage_consumption: z.number().int(),
}).meta({ id: 'Statistic' });
