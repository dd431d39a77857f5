import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { SearchService } from '../../services/content/search-service.js';
import { searchQuery, searchResult, statistic } from './schemas/search.js';

export const searchRoutes: FastifyPluginAsyncZod<{ search: SearchService }> = async (app, { search }) => {
  app.get('/search', { schema: { operationId: 'search', tags: ['search'], querystring: searchQuery, response: { 200: searchResult } } }, async (req) => search.search(req.principal, req.query.q));

  app.get('/statistics', { schema: { operationId: 'getStatistic', tags: ['statistic'], response: { 200: statistic } } }, async (req) => search.statistics(req.principal));
};
