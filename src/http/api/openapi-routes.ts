import type { FastifyInstance } from 'fastify';
// Generated from Harbor's swagger by scripts/gen-openapi.mjs (committed; tsc copies it to dist).
import doc from './openapi.json' with { type: 'json' };

/** The API's own Swagger 2.0 document, at Harbor's /swagger.json and at /openapi.json. */
export async function openapiRoutes(app: FastifyInstance) {
  const body = JSON.stringify(doc);
  for (const path of ['/swagger.json', '/openapi.json']) {
    app.get(path, async (_req, reply) => {
      reply.type('application/json; charset=utf-8');
      return body;
    });
  }
}
