#!/usr/bin/env node
// Writes test/fixtures/harbor-swagger.json: Harbor's own swagger (2.0), cut down to the operations
// Haven's API implements, with every definition, parameter and response they reference. The test
// test/api-openapi.test.ts holds the document Haven serves against it, so it must not go stale.
//
// The implemented operations are read from the route files (src/http/api/*-routes.ts: every
// `app.get('/path', ...)`, `app.post(...)`, ...) and matched to Harbor's paths by shape (a Fastify
// `:param` matches any `{param}`). Routes Harbor does not describe are listed and left out.
//
//   node scripts/harbor-swagger-fixture.mjs [path/to/harbor/swagger.yaml]    write the file
//   node scripts/harbor-swagger-fixture.mjs --check [swagger.yaml]           exit 1 when it is stale
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const apiDir = join(root, 'src/http/api');
const outFile = join(root, 'test/fixtures/harbor-swagger.json');
const args = process.argv.slice(2);
const check = args.includes('--check');
const swaggerFile = resolve(args.find((a) => !a.startsWith('--')) ?? process.env.HARBOR_SWAGGER ?? join(root, '../shared/harbor/swagger.yaml'));
const methods = ['get', 'put', 'post', 'delete', 'head', 'patch', 'options'];
/** Served by Haven about itself; Harbor has no such operation. */
const ownRoutes = new Set(['/swagger.json', '/openapi.json']);

/** [method, fastify path, file] of every route registered in the API's route files. */
function implementedRoutes() {
  const found = [];
  for (const name of readdirSync(apiDir).sort()) {
    // session-routes.ts serves the portal's /c/login, outside /api/v2.0.
    if (!name.endsWith('-routes.ts') || name === 'session-routes.ts') continue;
    const text = readFileSync(join(apiDir, name), 'utf8');
    // A route factory (system-job-routes.ts) writes its paths as templates of `spec.prefix` and
    // `spec.idName`; each `{ prefix: '…', idName: '…' }` it is called with gives one set of routes.
    const specs = [...text.matchAll(/prefix:\s*'([^']+)',\s*idName:\s*'([^']+)'/g)].map((m) => ({ prefix: m[1], idName: m[2] }));
    for (const m of text.matchAll(/\bapp\.(get|put|post|delete|head|patch)\s*(?:<[^(]*>)?\(\s*(['"`])([^'"`]+)\2/g)) {
      const path = m[3];
      if (m[2] !== '`' || !path.includes('${')) {
        found.push([m[1], path, name]);
        continue;
      }
      for (const spec of specs) found.push([m[1], path.replaceAll('${spec.prefix}', spec.prefix).replaceAll('${spec.idName}', spec.idName), name]);
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
    if (ownRoutes.has(route)) continue;
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
  const doc = {
    swagger: '2.0',
    info: { title: "Harbor's swagger, the operations Haven implements", version: swagger.info?.version ?? '' },
    basePath: swagger.basePath ?? '/api/v2.0',
    paths,
    parameters: pick('parameters'),
    responses: pick('responses'),
    definitions: pick('definitions'),
  };
  return { doc, unknown };
}

if (!existsSync(swaggerFile)) {
  process.stderr.write(`harbor-swagger-fixture: Harbor's swagger not found at ${swaggerFile} (pass its path or set HARBOR_SWAGGER)\n`);
  process.exit(2);
}
const { doc, unknown } = build(parse(readFileSync(swaggerFile, 'utf8')));
const text = `${JSON.stringify(doc, null, 2)}\n`;
for (const u of unknown) process.stderr.write(`harbor-swagger-fixture: not in Harbor's swagger, left out: ${u}\n`);
if (check) {
  const current = existsSync(outFile) ? readFileSync(outFile, 'utf8') : '';
  if (current !== text) {
    process.stderr.write(`harbor-swagger-fixture: ${outFile} is stale; run node scripts/harbor-swagger-fixture.mjs\n`);
    process.exit(1);
  }
  process.stdout.write(`harbor-swagger-fixture: ${outFile} is up to date (${Object.keys(doc.paths).length} paths)\n`);
} else {
  writeFileSync(outFile, text);
  process.stdout.write(`harbor-swagger-fixture: wrote ${outFile}: ${Object.keys(doc.paths).length} paths, ${Object.keys(doc.definitions).length} definitions\n`);
}
