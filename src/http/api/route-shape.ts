import type { FastifyInstance, FastifySchemaValidationError } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';

/**
 * Every route's params, query, body and response are zod schemas: requests are parsed by them (a
 * mismatch is a 400 naming the field, in Harbor's error JSON) and responses are checked by them
 * before they are sent (a mismatch is a 500, so a drifting handler fails its tests).
 */
export function installSchemas(app: FastifyInstance): void {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setSchemaErrorFormatter((errors: FastifySchemaValidationError[], dataVar: string) => {
    const first = errors[0];
    const field = first?.instancePath.replace(/^\//, '').replaceAll('/', '.') || dataVar;
    return new Error(`${field}: ${first?.message ?? 'invalid'}`);
  });
}

/**
 * Harbor accepts `Content-Type: application/json` with no body (generated clients send it on
 * DELETE); Fastify's own parser answers 400 "Body cannot be empty". Here an empty body is none.
 */
export function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    // biome-ignore lint/nursery/noFloatingPromises: Fastify's default JSON parser is callback-style and returns nothing
    parse(req, text, done);
  });
}
