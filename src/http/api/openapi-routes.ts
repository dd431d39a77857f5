import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

const document = z.looseObject({ swagger: z.literal('2.0') }).describe("This API's Swagger 2.0 document");

/**
 * The API's own Swagger 2.0 document, at Harbor's /swagger.json and at /openapi.json: built by
 * @fastify/swagger (registered in api-plugin.ts) from the routes' schemas, so it cannot go stale.
 */
export const openapiRoutes: FastifyPluginAsyncZod = async (app) => {
  for (const [path, operationId] of [['/swagger.json', 'getSwagger'], ['/openapi.json', 'getOpenapi']] as const) {
    app.get(path, { schema: { tags: ['haven'], operationId, summary: "This API's OpenAPI (Swagger 2.0) document", security: [], response: { 200: document } } }, async () => app.swagger() as unknown as z.output<typeof document>);
  }
};
