import type { FastifyPluginAsync } from 'fastify';
import type { LabelService } from '../../services/content/label-service.js';
import type { SearchService } from '../../services/content/search-service.js';
import type { ProjectMetadataService } from '../../services/identity/project-metadata-service.js';
import { labelRoutes } from './label-routes.js';
import { metadataRoutes } from './metadata-routes.js';
import { searchRoutes } from './search-routes.js';

export interface LabelsSystemApi {
  labels: LabelService;
  metadata: ProjectMetadataService;
  search: SearchService;
}

/** Labels, project metadata, /search and /statistics: one registration for api-plugin.ts. */
export const labelsSystemRoutes: FastifyPluginAsync<LabelsSystemApi> = async (app, deps) => {
  await app.register(labelRoutes, { labels: deps.labels });
  await app.register(metadataRoutes, { metadata: deps.metadata });
  await app.register(searchRoutes, { search: deps.search });
};
