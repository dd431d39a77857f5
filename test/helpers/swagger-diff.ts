/**
 * Differences between the Swagger 2.0 document Haven serves and Harbor's, operation by operation:
 * the operations and their operationIds, their path/query/body parameters, their success statuses and the top-level
 * fields and headers of each success response. Header parameters are left out: X-Request-Id and
 * X-Is-Resource-Name are read by the API's plugins for every route, not declared per route. Error
 * statuses are left out too: every error is Harbor's Errors JSON, from one error handler.
 */
type Json = Record<string, unknown>;
export interface SwaggerDoc {
  paths: Record<string, Record<string, Json>>;
  definitions?: Record<string, Json>;
  parameters?: Record<string, Json>;
}

const methods = ['get', 'put', 'post', 'delete', 'head', 'patch', 'options'];

function deref(doc: SwaggerDoc, node: Json): Json {
  const ref = node.$ref;
  if (typeof ref !== 'string') return node;
  const m = /^#\/(definitions|parameters)\/(.+)$/.exec(ref);
  const target = m ? (doc[m[1] as 'definitions' | 'parameters'] ?? {})[m[2]!] : undefined;
  if (!target) throw new Error(`dangling ${ref}`);
  return deref(doc, target);
}

function parameters(doc: SwaggerDoc, item: Record<string, Json>, op: Json): Set<string> {
  const out = new Set<string>();
  for (const raw of [...((item.parameters as unknown as Json[]) ?? []), ...((op.parameters as Json[]) ?? [])]) {
    const p = deref(doc, raw);
    if (p.in === 'body') out.add('body');
    else if (p.in === 'path' || p.in === 'query') out.add(`${p.in}:${String(p.name)}`);
  }
  return out;
}

/** The field names of a response: of the object, or of the items of an array; null when it has none. */
function fields(doc: SwaggerDoc, schema: Json | undefined): Set<string> | null {
  if (!schema) return null;
  const s = deref(doc, schema);
  if (s.type === 'array' && s.items) return fields(doc, s.items as Json);
  const names = new Set<string>(Object.keys((s.properties as Json | undefined) ?? {}));
  for (const part of (s.allOf as Json[] | undefined) ?? []) for (const f of fields(doc, part) ?? []) names.add(f);
  return names.size > 0 ? names : null;
}

const success = (op: Json) => Object.keys((op.responses as Json) ?? {}).filter((s) => /^2\d\d$/.test(s));

export function swaggerDifferences(ours: SwaggerDoc, harbor: SwaggerDoc): string[] {
  const out: string[] = [];
  const either = (a: Set<string>, b: Set<string>, mine: (x: string) => string, theirs: (x: string) => string) => {
    for (const x of [...a].sort()) if (!b.has(x)) out.push(mine(x));
    for (const x of [...b].sort()) if (!a.has(x)) out.push(theirs(x));
  };
  for (const [path, item] of Object.entries(ours.paths)) {
    for (const method of methods) {
      const op = item[method];
      if (!op) continue;
      const name = `${method.toUpperCase()} ${path}`;
      const theirItem = harbor.paths[path];
      const theirs = theirItem?.[method];
      if (!theirItem || !theirs) {
        out.push(`${name}: not in Harbor's swagger`);
        continue;
      }
      // Generated clients name their methods after operationId.
      if (op.operationId !== theirs.operationId) out.push(`${name}: operationId ${String(op.operationId)} is not Harbor's ${String(theirs.operationId)}`);
      either(parameters(ours, item, op), parameters(harbor, theirItem, theirs), (p) => `${name}: parameter ${p} is not Harbor's`, (p) => `${name}: Harbor's parameter ${p} is missing`);
      const ourStatuses = success(op);
      const theirStatuses = success(theirs);
      either(new Set(ourStatuses), new Set(theirStatuses), (s) => `${name}: status ${s} is not Harbor's`, (s) => `${name}: Harbor's status ${s} is missing`);
      for (const status of ourStatuses.filter((s) => theirStatuses.includes(s))) {
        const a = fields(ours, ((op.responses as Json)[status] as Json).schema as Json | undefined) ?? new Set<string>();
        const b = fields(harbor, ((theirs.responses as Json)[status] as Json).schema as Json | undefined) ?? new Set<string>();
        either(a, b, (f) => `${name} ${status}: field ${f} is not Harbor's`, (f) => `${name} ${status}: Harbor's field ${f} is missing`);
        const headers = (r: Json) => new Set(Object.keys(((r.responses as Json)[status] as Json).headers ?? {}));
        either(headers(op), headers(theirs), (x) => `${name} ${status}: header ${x} is not Harbor's`, (x) => `${name} ${status}: Harbor's header ${x} is missing`);
      }
    }
  }
  return out;
}
