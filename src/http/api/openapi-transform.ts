import type { FastifySchema } from 'fastify';
import { z } from 'zod';
import { documentedHeaders, documentedShape } from './schemas/common.js';

type JsonSchema = Record<string, unknown>;

/**
 * Turns a route's zod schemas into the JSON Schema @fastify/swagger builds a Swagger 2.0 document
 * from. fastify-type-provider-zod's jsonSchemaTransform writes OpenAPI 3 only, and Harbor's
 * clients are generated from Swagger 2.0, so the document stays 2.0: requests are described by
 * what they accept (zod's input side), responses by what they send (the output side).
 */
export function swagger2Transform({ schema, url, swaggerObject }: { schema: FastifySchema; url: string; swaggerObject?: { definitions?: JsonSchema } }): { schema: JsonSchema; url: string } {
  if (!schema) return { schema, url };
  // Schemas named with .meta({ id }) (Harbor's definition names) become shared definitions.
  const definitions: JsonSchema = swaggerObject?.definitions ?? {};
  if (swaggerObject) swaggerObject.definitions = definitions;
  const toJson = (value: unknown, io: 'input' | 'output') => {
    const json = toJsonSchema(value, io);
    Object.assign(definitions, json.definitions);
    delete json.definitions;
    return json;
  };
  const { params, querystring, body, headers, response, ...rest } = schema as Record<string, unknown>;
  const out: JsonSchema = { ...rest };
  // @fastify/swagger suffixes "-head" to tell a GET's automatic HEAD apart; Haven's documented
  // HEAD routes are operations of their own (Harbor's headProject), so they keep Harbor's id.
  if (typeof out.operationId === 'string') out.operationId = out.operationId.replace(/-head$/, '');
  for (const [key, value] of Object.entries({ params, querystring, body, headers })) {
    if (value) out[key] = toJson(value, 'input');
  }
  if (response) {
    out.response = Object.fromEntries(Object.entries(response as Record<string, unknown>).map(([status, s]) => [status, toJson(s, 'output')]));
  }
  return { schema: out, url };
}

function toJsonSchema(value: unknown, io: 'input' | 'output'): JsonSchema {
  if (!(value instanceof z.ZodType)) return value as JsonSchema;
  const schema = documentedShape(value);
  const headers = documentedHeaders(schema);
  // No body: @fastify/swagger writes a response of type null without a schema.
  if (schema instanceof z.ZodVoid) return { type: 'null', description: schema.description ?? 'Success', ...(headers ? { headers } : {}) };
  const json = z.toJSONSchema(schema, { target: 'draft-04', io, unrepresentable: 'any', override: tidy }) as JsonSchema;
  delete json.$schema;
  // A wrapper around a named schema (createdWith) is that schema: its $ref, not an allOf of one.
  const only = Array.isArray(json.allOf) && json.allOf.length === 1 && Object.keys(json).filter((k) => k !== 'definitions').length === 1;
  const out: JsonSchema = only ? { ...(json.allOf as JsonSchema[])[0], ...(json.definitions ? { definitions: json.definitions } : {}) } : json;
  if (headers) out.headers = headers;
  return out;
}

/** Harbor's swagger says "integer" and no more: drop zod's safe-integer bounds and the digits pattern of id params. */
function tidy({ jsonSchema }: { jsonSchema: JsonSchema }): void {
  if (jsonSchema.type !== 'integer') return;
  if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
  if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
  delete jsonSchema.pattern;
}
