import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startHaven, type RunningHaven } from './helpers/haven.js';

const root = resolve(import.meta.dirname, '..');
const harborSwagger = resolve(root, '../shared/harbor/swagger.yaml');

type Doc = {
  swagger: string;
  info: { title: string; version: string };
  basePath: string;
  paths: Record<string, Record<string, { responses?: unknown }>>;
  definitions: Record<string, unknown>;
  parameters: Record<string, unknown>;
  responses: Record<string, unknown>;
};

describe('the API describes itself', () => {
  let h: RunningHaven;
  before(async () => {
    h = await startHaven({ env: { HAVEN_ADMIN_PASSWORD: 'Admin12345' } });
  });
  after(async () => {
    await h?.cleanup();
  });

  test('GET /api/v2.0/swagger.json is a Swagger 2.0 document of the implemented paths, without login', async () => {
    const anonymous = { signal: AbortSignal.timeout(10_000) };
    const r = await fetch(`${h.url}/api/v2.0/swagger.json`, anonymous);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    const doc = (await r.json()) as Doc;
    assert.equal(doc.swagger, '2.0');
    assert.equal(doc.basePath, '/api/v2.0');
    assert.ok(doc.info.title && doc.info.version);
    for (const p of ['/projects', '/projects/{project_name_or_id}', '/users', '/users/current', '/audit-logs', '/projects/{project_name}/logs', '/ping']) {
      assert.ok(doc.paths[p], `missing ${p}`);
    }
    assert.ok(doc.paths['/projects']!.get && doc.paths['/projects']!.post);
    // Only what Haven implements: none of Harbor's replication, scanners, ...
    assert.equal(doc.paths['/replication/policies'], undefined);
    assert.equal(doc.paths['/scanners'], undefined);

    // Every operation has responses, and every $ref resolves inside the document.
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(item)) if (m !== 'parameters') assert.ok(op.responses, `${m} ${p} has no responses`);
    }
    const refs = JSON.stringify(doc).matchAll(/"\$ref":"#\/(definitions|parameters|responses)\/([^"]+)"/g);
    let count = 0;
    for (const [, section, name] of refs) {
      count++;
      assert.ok((doc[section as 'definitions'] as Record<string, unknown>)[name!], `dangling #/${section}/${name}`);
    }
    assert.ok(count > 10);
    assert.ok(doc.definitions.AuditLog && doc.definitions.Project && doc.definitions.UserResp);

    const again = await fetch(`${h.url}/api/v2.0/openapi.json`, anonymous);
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), doc);
  });

  test('the committed document matches the route files (scripts/gen-openapi.mjs --check)', { skip: !existsSync(harborSwagger) && !process.env.CI && 'no Harbor swagger here' }, () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts/gen-openapi.mjs'), '--check', harborSwagger], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.deepEqual(JSON.parse(readFileSync(join(root, 'src/http/api/openapi.json'), 'utf8')).swagger, '2.0');
  });
});
