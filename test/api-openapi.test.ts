import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { swaggerDifferences, type SwaggerDoc } from './helpers/swagger-diff.js';

const root = resolve(import.meta.dirname, '..');
const harborSwagger = resolve(root, '../shared/harbor/swagger.yaml');
const fixture = join(root, 'test/fixtures/harbor-swagger.json');
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

type Doc = SwaggerDoc & {
  swagger: string;
  info: { title: string; version: string };
  basePath: string;
  definitions: Record<string, unknown>;
};

/** The deliberate differences (test/fixtures/openapi-differences.json): key (may end in *) -> reason. */
function allowList(): Array<{ key: string; reason: string; matches(d: string): boolean }> {
  const entries = Object.entries(readJson<Record<string, string>>(join(root, 'test/fixtures/openapi-differences.json'))).filter(([k]) => k !== '//');
  return entries.map(([key, reason]) => ({
    key,
    reason,
    matches: (d: string) => (key.endsWith('*') ? d.startsWith(key.slice(0, -1)) : d === key),
  }));
}

describe('the API describes itself', () => {
  let h: RunningHaven;
  let doc: Doc;
  // An empty Authorization is anonymous (test/helpers/haven.ts would otherwise add admin's).
  const anonymous = () => ({ signal: AbortSignal.timeout(10_000) });
  before(async () => {
    h = await startHaven({ env: { HAVEN_ADMIN_PASSWORD: 'Admin12345' } });
    const r = await fetch(`${h.url}/api/v2.0/swagger.json`, anonymous());
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    doc = (await r.json()) as Doc;
  });
  after(async () => {
    await h?.cleanup();
  });

  test('GET /api/v2.0/swagger.json is a Swagger 2.0 document of the implemented paths, without login', async () => {
    assert.equal(doc.swagger, '2.0');
    assert.equal(doc.basePath, '/api/v2.0');
    assert.ok(doc.info.title && doc.info.version);
    for (const p of ['/projects', '/projects/{project_name_or_id}', '/users', '/users/current', '/audit-logs', '/projects/{project_name}/logs', '/ping']) {
      assert.ok(doc.paths[p], `missing ${p}`);
    }
    assert.ok(doc.paths['/projects']!.get && doc.paths['/projects']!.post && doc.paths['/projects']!.head);
    // Only what Haven implements: none of Harbor's replication, scanners, ...
    assert.equal(doc.paths['/replication/policies'], undefined);
    assert.equal(doc.paths['/scanners'], undefined);

    // Every operation has responses, and every $ref resolves inside the document.
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(item)) if (m !== 'parameters') assert.ok(op.responses, `${m} ${p} has no responses`);
    }
    let count = 0;
    for (const [, section, name] of JSON.stringify(doc).matchAll(/"\$ref":"#\/(definitions|parameters|responses)\/([^"]+)"/g)) {
      count++;
      assert.ok((doc[section as 'definitions'] as Record<string, unknown>)[name!], `dangling #/${section}/${name}`);
    }
    assert.ok(count > 10);
    assert.ok(doc.definitions.AuditLog && doc.definitions.Project && doc.definitions.UserResp);

    const again = await fetch(`${h.url}/api/v2.0/openapi.json`, anonymous());
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), doc);
  });

  test("every operation's path, parameters, statuses and response fields are Harbor's, or a listed deliberate difference", () => {
    const allowed = allowList();
    const differences = swaggerDifferences(doc, readJson<SwaggerDoc>(fixture));
    const unexplained = differences.filter((d) => !allowed.some((a) => a.matches(d)));
    assert.deepEqual(unexplained, [], 'differences from Harbor not in test/fixtures/openapi-differences.json');
    const stale = allowed.filter((a) => !differences.some((d) => a.matches(d))).map((a) => a.key);
    assert.deepEqual(stale, [], 'entries of test/fixtures/openapi-differences.json that no longer differ');
    for (const a of allowed) assert.ok(a.reason.length > 10, `${a.key} needs a reason`);
  });

  test('the comparison sees a renamed field, a dropped parameter, a renamed operation and an unknown one', () => {
    const harbor = readJson<SwaggerDoc>(fixture);
    const ours = structuredClone(doc);
    const user = ours.definitions!.UserResp as { properties: Record<string, unknown> };
    user.properties.login = user.properties.username;
    delete user.properties.username;
    const listUsers = ours.paths['/users']!.get as { parameters: Array<{ name: string }> };
    listUsers.parameters = listUsers.parameters.filter((p) => p.name !== 'sort');
    (ours.paths['/users/current']!.get as { operationId: string }).operationId = 'currentUser';
    ours.paths['/users/{user_id}/avatar'] = { get: { responses: { 200: { description: 'x' } } } };
    const d = swaggerDifferences(ours, harbor);
    assert.ok(d.includes("GET /users/{user_id} 200: field login is not Harbor's"), d.join('\n'));
    assert.ok(d.includes("GET /users/{user_id} 200: Harbor's field username is missing"));
    assert.ok(d.includes("GET /users: Harbor's parameter query:sort is missing"));
    assert.ok(d.includes("GET /users/{user_id}/avatar: not in Harbor's swagger"));
    assert.ok(d.includes("GET /users/current: operationId currentUser is not Harbor's getCurrentUserInfo"));
  });

  test("the fixture is Harbor's swagger cut to the route files (scripts/harbor-swagger-fixture.mjs --check)", { skip: !existsSync(harborSwagger) && 'no Harbor swagger here' }, () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts/harbor-swagger-fixture.mjs'), '--check', harborSwagger], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr + r.stdout);
  });
});
