// Harbor's project metadata endpoints (/projects/{p}/metadatas/) over HTTP: Harbor's keys are
// validated, normalised, stored and returned, one key at a time; `public` is the project's
// visibility; only a project admin changes them (a maintainer or developer may not), the full
// list is the system administrator's (as in Harbor's matrix); project A's admin never reaches B's.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiClient, type Creds, type Reply } from './helpers/api-client.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';

let h: RunningHaven;
let client: ReturnType<typeof apiClient>;
const api = (method: string, path: string, opts: Parameters<typeof client.api>[2] = {}) => client.api(method, path, opts);

const password = 'Meta123456';
const who = (name: string): Creds => ({ username: name, password });
const owner = who('owner');
const maintainer = who('maint');
const developer = who('dev');
const guest = who('guest');
let projectId = 0;
let otherId = 0;

function assertError(r: Reply, status: number, code: string, message?: RegExp): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.errors?.[0]?.code, code, r.text);
  if (message) assert.match(r.json.errors[0].message, message);
}

const metaPath = (p: number | string, key = '') => `/projects/${p}/metadatas/${key}`;
const all = async (p: number = projectId) => (await api('GET', metaPath(p))).json as Record<string, string>;

before(async () => {
  h = await startHaven({ projects: ['meta', 'other'] });
  client = apiClient(h);
  const id = async (name: string) => (await api('GET', `/projects/${name}`, { headers: { 'X-Is-Resource-Name': 'true' } })).json.project_id as number;
  projectId = await id('meta');
  otherId = await id('other');
  for (const [c, role] of [
    [owner, 1],
    [maintainer, 4],
    [developer, 2],
    [guest, 3],
  ] as const) {
    assert.equal((await api('POST', '/users', { body: { username: c.username, password, email: `${c.username}@example.com` } })).status, 201);
    assert.equal((await api('POST', `/projects/${projectId}/members`, { body: { role_id: role, member_user: { username: c.username } } })).status, 201);
  }
});

after(async () => {
  await h?.cleanup();
});

describe('project metadata', () => {
  test('add, read, update and delete each of Harbor\'s keys; values are normalised as Harbor\'s ParseBool and severities', async () => {
    const cases: Array<[string, string, string, string]> = [
      ['auto_scan', 'True', 'true', 'false'],
      ['prevent_vul', '1', 'true', 'F'],
      ['enable_content_trust', 'true', 'true', 'false'],
      ['enable_content_trust_cosign', 't', 'true', '0'],
      ['auto_sbom_generation', 'TRUE', 'true', 'false'],
      ['reuse_sys_cve_allowlist', 'false', 'false', 'true'],
      ['severity', 'High', 'high', 'negligible'],
    ];
    for (const [key, given, stored, next] of cases) {
      const add = await api('POST', metaPath(projectId), { as: owner, body: { [key]: given } });
      assert.equal(add.status, 200, `${key}: ${add.text}`);
      const one = await api('GET', metaPath(projectId, key), { as: owner });
      assert.equal(one.status, 200);
      assert.deepEqual(one.json, { [key]: stored });
      assertError(await api('POST', metaPath(projectId), { as: owner, body: { [key]: given } }), 409, 'CONFLICT', new RegExp(`metadata ${key} already exists for project ${projectId}`));
      assert.equal((await api('PUT', metaPath(projectId, key), { as: owner, body: { [key]: next } })).status, 200);
      const expected = key === 'severity' ? 'none' : ['F', '0', 'false'].includes(next) ? 'false' : 'true';
      assert.deepEqual((await api('GET', metaPath(projectId, key), { as: owner })).json, { [key]: expected });
    }
    // The project's own view shows the same values.
    const view = (await api('GET', `/projects/${projectId}`)).json;
    assert.equal(view.metadata.auto_scan, 'false');
    assert.equal(view.metadata.severity, 'none');
    for (const [key] of cases) assert.equal((await api('DELETE', metaPath(projectId, key), { as: owner })).status, 200);
    assert.deepEqual(await all(), { public: 'false' });
    assert.deepEqual((await api('GET', metaPath(projectId, 'auto_scan'))).json, {}, 'a key not set reads as {}');
    for (const key of ['constructor', '__proto__', 'toString']) assert.deepEqual((await api('GET', metaPath(projectId, key))).json, {}, `${key} is no key`);
  });

  test('public is the project visibility: set, seen by anonymous callers, deleted back to private', async () => {
    assertError(await api('POST', metaPath(projectId), { as: owner, body: { public: 'true' } }), 409, 'CONFLICT');
    assertError(await api('GET', `/projects/${projectId}`, { as: null }), 404, 'NOT_FOUND');
    assert.equal((await api('PUT', metaPath(projectId, 'public'), { as: owner, body: { public: 'true' } })).status, 200);
    assert.equal((await api('GET', `/projects/${projectId}`, { as: null })).status, 200, 'now public');
    assert.equal((await all()).public, 'true');
    assert.equal((await api('DELETE', metaPath(projectId, 'public'), { as: owner })).status, 200);
    assert.equal((await all()).public, 'false');
    assertError(await api('GET', `/projects/${projectId}`, { as: null }), 404, 'NOT_FOUND');
  });

  test('bad keys, values and bodies are Harbor 400s and change nothing', async () => {
    const before = await all();
    const bad: Array<[string, string, unknown, RegExp]> = [
      ['POST', '', { auto_scan: 'maybe' }, /auto_scan must be "true" or "false"/],
      ['POST', '', { severity: 'dire' }, /severity must be one of/],
      ['POST', '', { foo: 'bar' }, /unknown project metadata key "foo"/],
      ['POST', '', { retention_id: '3' }, /retention_id is not supported/],
      ['POST', '', { auto_scan: 'true', prevent_vul: 'true' }, /only allow one key\/value pair/],
      ['POST', '', {}, /only allow one key\/value pair/],
      ['POST', '', { auto_scan: true }, /auto_scan/],
      ['POST', '', '{"auto_scan":', /./],
      ['POST', '', ['auto_scan'], /./],
      ['PUT', 'auto_scan', { auto_scan: 'sometimes' }, /auto_scan must be/],
      ['PUT', 'auto_scan', { prevent_vul: 'true' }, /auto_scan must be/],
      ['PUT', 'nonsense', { nonsense: 'x' }, /unknown project metadata key/],
    ];
    for (const [method, key, body, message] of bad) assertError(await api(method, metaPath(projectId, key), { as: owner, body }), 400, 'BAD_REQUEST', message);
    assert.deepEqual(await all(), before);
  });

  test('the matrix: maintainers read, developers and guests neither read nor change, only a project admin changes, only a system admin lists', async () => {
    assert.equal((await api('POST', metaPath(projectId), { as: owner, body: { auto_scan: 'true' } })).status, 200);
    assert.equal((await api('GET', metaPath(projectId, 'auto_scan'), { as: maintainer })).status, 200);
    for (const c of [developer, guest]) assertError(await api('GET', metaPath(projectId, 'auto_scan'), { as: c }), 403, 'FORBIDDEN');
    for (const c of [maintainer, developer, guest]) {
      assertError(await api('PUT', metaPath(projectId, 'auto_scan'), { as: c, body: { auto_scan: 'false' } }), 403, 'FORBIDDEN');
      assertError(await api('DELETE', metaPath(projectId, 'auto_scan'), { as: c }), 403, 'FORBIDDEN');
      assertError(await api('POST', metaPath(projectId), { as: c, body: { prevent_vul: 'true' } }), 403, 'FORBIDDEN');
      // A refused caller learns nothing from validation either.
      assertError(await api('POST', metaPath(projectId), { as: c, body: { bogus: 'x' } }), 403, 'FORBIDDEN');
    }
    // Harbor's matrix grants metadata:list to no project role.
    assertError(await api('GET', metaPath(projectId), { as: owner }), 403, 'FORBIDDEN');
    assertError(await api('GET', metaPath(projectId), { as: null }), 404, 'NOT_FOUND');
    const now = await all();
    assert.equal(now.auto_scan, 'true');
    assert.equal(now.prevent_vul, undefined);
    assert.equal((await api('DELETE', metaPath(projectId, 'auto_scan'), { as: owner })).status, 200);
  });

  test("BOLA: project A's admin cannot read or change project B's metadata; B is as missing; by name as well as by id", async () => {
    assert.equal((await api('POST', metaPath(otherId), { body: { auto_scan: 'true' } })).status, 200);
    const missing = await api('GET', metaPath(999999, 'auto_scan'), { as: owner });
    assertError(missing, 404, 'NOT_FOUND');
    const r = await api('GET', metaPath(otherId, 'auto_scan'), { as: owner });
    assertError(r, 404, 'NOT_FOUND');
    assert.equal(r.text.replace(String(otherId), 'N'), missing.text.replace('999999', 'N'));
    assertError(await api('PUT', metaPath(otherId, 'auto_scan'), { as: owner, body: { auto_scan: 'false' } }), 404, 'NOT_FOUND');
    assertError(await api('DELETE', metaPath(otherId, 'auto_scan'), { as: owner }), 404, 'NOT_FOUND');
    assertError(await api('POST', metaPath(otherId), { as: owner, body: { prevent_vul: 'true' } }), 404, 'NOT_FOUND');
    assertError(await api('PUT', metaPath('other', 'public'), { as: owner, body: { public: 'true' }, headers: { 'X-Is-Resource-Name': 'true' } }), 404, 'NOT_FOUND');
    const other = await all(otherId);
    assert.equal(other.auto_scan, 'true');
    assert.equal(other.prevent_vul, undefined);
    assert.equal(other.public, 'false');
  });

  test('POST and PUT /projects accept the same keys, normalised the same way', async () => {
    const r = await api('POST', '/projects', { body: { project_name: 'meta-create', metadata: { auto_scan: 'True', severity: 'CRITICAL', enable_content_trust: '1' } } });
    assert.equal(r.status, 201, r.text);
    const id = Number(r.headers.get('location')!.split('/').pop());
    assert.deepEqual(await all(id), { auto_scan: 'true', severity: 'critical', enable_content_trust: 'true', public: 'false' });
    assert.equal((await api('PUT', `/projects/${id}`, { body: { metadata: { public: 'True', prevent_vul: 'true' } } })).status, 200);
    const after = await all(id);
    assert.equal(after.public, 'true');
    assert.equal(after.prevent_vul, 'true');
  });
});
