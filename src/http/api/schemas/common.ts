import { z } from 'zod';

/**
 * Schemas shared by the API's routes. Request schemas validate at the edge (a mismatch is a 400
 * naming the field); response schemas are strict, so a handler that answers a field too many or
 * too few fails its request (500) and so its tests.
 */

/** A numeric id in the path (user_id, robot_id, mid): digits only, as Harbor's int64. */
export const idParam = z
  .string()
  .regex(/^\d{1,10}$/, 'must be a positive integer')
  .transform(Number)
  .meta({ type: 'integer', format: 'int64' });

/** A query integer with a default: absent or empty means the default, as Harbor's parser does. */
const queryInt = (dflt: number, min: number, max: number, rule: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return dflt;
      const n = /^\d{1,9}$/.test(v) ? Number(v) : Number.NaN;
      if (!(n >= min && n <= max)) {
        ctx.addIssue({ code: 'custom', message: rule });
        return z.NEVER;
      }
      return n;
    })
    .meta({ type: 'integer', format: 'int64', default: dflt });

/** Harbor's `page` (from 1) and `page_size` (default 10, at most 100). */
export const pagingQuery = z.object({
  page: queryInt(1, 1, 999_999_999, 'must be 1 or more'),
  page_size: queryInt(10, 1, 100, 'must be between 1 and 100'),
});

/** Harbor's `q` and `sort`, parsed by the services against their allow-lists. */
export const listQuery = pagingQuery.extend({
  q: z.string().optional(),
  sort: z.string().optional(),
});

/** A query boolean: "true" is true, anything else false; absent or empty means not given. */
export const queryBool = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v === 'true'))
  .meta({ type: 'boolean' });

/** The path parameter of project routes: a name or an id (X-Is-Resource-Name decides). */
export const projectRefParams = z.object({ project_name_or_id: z.string().min(1).max(255) });

const bodyShapes = new WeakMap<z.ZodType, z.ZodType>();

/**
 * A JSON request body. A missing body (Fastify hands validators null) reads as `{}`, so its
 * fields are checked one by one (a missing required field is a 400 naming it).
 */
export function jsonBody<T extends z.ZodType>(schema: T) {
  const body = z.preprocess((v) => v ?? {}, schema);
  bodyShapes.set(body, schema);
  return body;
}

/** What a body schema documents: the shape inside jsonBody's null-to-{} step. */
export const documentedShape = (schema: z.ZodType): z.ZodType => bodyShapes.get(schema) ?? schema;

/** No response body (Harbor's 200 without content). */
export const noContent = z.void().describe('Success, no content');

const responseHeaders = new WeakMap<z.ZodType, Record<string, { description: string; type: string }>>();

/** Headers a response schema documents (the handler sets them; the schema cannot check headers). */
export function withHeaders<T extends z.ZodType>(schema: T, headers: Record<string, { description: string; type: string }>): T {
  responseHeaders.set(schema, headers);
  return schema;
}
export const documentedHeaders = (schema: z.ZodType) => responseHeaders.get(schema);

const location = { Location: { description: 'The URL of the created resource', type: 'string' } };

/** 201 Created without a body, with the new resource's Location. */
export const created = withHeaders(z.void().describe('Created'), location);

/** A 201 body that comes with the new resource's Location. */
export const createdWith = <T extends z.ZodType>(schema: T) => withHeaders(z.lazy(() => schema), location);

/** A page of a list: the items, with X-Total-Count and Link headers (paging.ts writes them). */
export const listOf = <T extends z.ZodType>(item: T) =>
  withHeaders(z.array(item), {
    'X-Total-Count': { description: 'The total count of items', type: 'integer' },
    Link: { description: 'Link to previous page and next page', type: 'string' },
  });

export type PagingQuery = z.output<typeof pagingQuery>;
