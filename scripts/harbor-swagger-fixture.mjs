#!/usr/bin/env node
// Writes src/http/api/openapi.json: the part of Harbor's swagger (2.0) that Haven implements.
//
// The implemented operations are read from the route files (src/http/api/*-routes.ts: every
// `app.get('/path'...)`, `app.post(...)`, ...), matched to Harbor's paths by shape (a Fastify
// `:param` matches any `{param}`), and copied with every definition, parameter and response they
// reference. The server serves the committed file and never reads Harbor's swagger at run time.
//
//   node scripts/gen-openapi.mjs [path/to/harbor/swagger.yaml]    write the file
//   node scripts/gen-openapi.mjs --check [swagger.yaml]           exit 1 when the file is stale
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const apiDir = join(root, 'src/http/api');
const outFile = join(apiDir, 'openapi.json');
const args = process.argv.slice(2);
const check = args.includes('--check');
const swaggerFile = resolve(args.find((a) => !a.startsWith('--')) ?? process.env.HARBOR_SWAGGER ?? join(root, '../shared/harbor/swagger.yaml'));

/** Routes of our own that Harbor's swagger does not describe: path -> { method: operation }. */
const swaggerDocOperation = (operationId) => ({
  get: {
    summary: "This API's OpenAPI (Swagger 2.0) document",
    description: 'The Harbor operations Haven implements, with their definitions; the same at /swagger.json and /openapi.json. No authentication needed.',
    tags: ['haven'],
    operationId,
    security: [{}],
    responses: { 200: { description: 'The document', schema: { type: 'object' } } },
  },
});
const havenOnly = {
  '/swagger.json': swaggerDocOperation('getSwagger'),
  '/openapi.json': swaggerDocOperation('getOpenapi'),
};

/** Fields Haven adds to Harbor's definitions (named as Harbor names them elsewhere). */
const definitionExtensions = {
  AuditLog: {
    operation_result: { type: 'boolean', description: 'Whether the operation succeeded (false for a failed login). As in AuditLogExt.' },
  },
};

const methods = ['get', 'put', 'post', 'delete', 'head', 'patch', 'options'];

/** [method, fastify path] of every route registered in the API's route files. */
function implementedRoutes() {
  const found = [];
  for (const name of readdirSync(apiDir).sort()) {
    if (!name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
    const text = readFileSync(join(apiDir, name), 'utf8');
    for (const m of text.matchAll(/\bapp\.(get|put|post|delete|head|patch)\s*(?:<[^(]*>)?\(\s*['"`]([^'"`]+)['"`]/g)) {
      found.push([m[1], m[2], name]);
    }
  }
  return found;
}

const shape = (path) => path.replace(/\{[^}]+\}|:[A-Za-z_][A-Za-z0-9_]*/g, '*');

function build(swagger) {
  const byShape = new Map();
  for (const p of Object.keys(swagger.paths)) {
    const s = shape(p);
    if (byShape.has(s)) throw new Error(`two Harbor paths share the shape ${s}: ${byShape.get(s)} and ${p}`);
    byShape.set(s, p);
  }
  const wanted = new Map(); // harbor path -> Set(methods)
  const unknown = [];
  for (const [method, route, file] of implementedRoutes()) {
    if (havenOnly[route]) continue;
    const harborPath = byShape.get(shape(route));
    if (!harborPath || !swagger.paths[harborPath][method]) {
      unknown.push(`${method.toUpperCase()} ${route} (${file})`);
      continue;
    }
    if (!wanted.has(harborPath)) wanted.set(harborPath, new Set());
    wanted.get(harborPath).add(method);
  }

  const paths = {};
  for (const [p, item] of Object.entries(swagger.paths)) {
    const ms = wanted.get(p);
    if (!ms) continue;
    const out = {};
    for (const [k, v] of Object.entries(item)) if (!methods.includes(k) || ms.has(k)) out[k] = v;
    paths[p] = out;
  }
  Object.assign(paths, havenOnly);

  // Everything the chosen operations reference, transitively.
  const sections = { definitions: new Set(), parameters: new Set(), responses: new Set() };
  const visit = (node) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') {
        const m = /^#\/(definitions|parameters|responses)\/(.+)$/.exec(v);
        if (!m) throw new Error(`unsupported $ref ${v}`);
        const [, section, name] = m;
        if (!sections[section].has(name)) {
          if (!swagger[section]?.[name]) throw new Error(`dangling $ref ${v}`);
          sections[section].add(name);
          visit(swagger[section][name]);
        }
      } else {
        visit(v);
      }
    }
  };
  visit(paths);
  const pick = (section) => Object.fromEntries(Object.entries(swagger[section] ?? {}).filter(([name]) => sections[section].has(name)));

  const definitions = pick('definitions');
  for (const [name, props] of Object.entries(definitionExtensions)) {
    if (definitions[name]) definitions[name] = { ...definitions[name], properties: { ...definitions[name].properties, ...props } };
  }
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const doc = {
    swagger: '2.0',
    info: {
      title: 'Haven API',
      description: "Haven's management API: the Harbor v2.0 operations Haven implements, with Harbor's paths, parameters and JSON.",
      version: pkg.version,
    },
    basePath: swagger.basePath ?? '/api/v2.0',
    schemes: swagger.schemes,
    produces: swagger.produces,
    consumes: swagger.consumes,
    securityDefinitions: swagger.securityDefinitions,
    security: swagger.security,
    paths,
    parameters: pick('parameters'),
    responses: pick('responses'),
    definitions,
  };
  return { doc, unknown };
}

if (!existsSync(swaggerFile)) {
  process.stderr.write(`gen-openapi: Harbor's swagger not found at ${swaggerFile} (pass its path or set HARBOR_SWAGGER)\n`);
  process.exit(2);
}
const { doc, unknown } = build(parse(readFileSync(swaggerFile, 'utf8')));
const text = `${JSON.stringify(doc, null, 2)}\n`;
for (const u of unknown) process.stderr.write(`gen-openapi: not in Harbor's swagger, left out: ${u}\n`);
if (check) {
  const current = existsSync(outFile) ? readFileSync(outFile, 'utf8') : '';
  if (current !== text) {
    process.stderr.write(`gen-openapi: ${outFile} is stale; run node scripts/gen-openapi.mjs\n`);
    process.exit(1);
  }
  process.stdout.write(`gen-openapi: ${outFile} is up to date (${Object.keys(doc.paths).length} paths)\n`);
} else {
  writeFileSync(outFile, text);
  process.stdout.write(`gen-openapi: wrote ${outFile}: ${Object.keys(doc.paths).length} paths, ${Object.keys(doc.definitions).length} definitions\n`);
}
