import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiClient, type Creds } from './helpers/api-client.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';

/**
 * The shape every API route shares, seen from a client: bodies generated clients send, fields
 * named in validation errors, list paging done by the stores.
 */
describe('API route shape', () => {
  let h: RunningHaven;
  let api: ReturnType<typeof apiClient>['api'];
  const emptyJson = { headers: { 'Content-Type': 'application/json' } };

  before(async () => {
    h = await startHaven();
    api = apiClient(h).api;
  });
  after(async () => {
    await h?.cleanup();
  });

  async function createUser(username: string): Promise<number> {
    const r = await api('POST', '/users', { body: { username, password: 'Passw0rd123', email: `${username}@example.com` } });
    assert.equal(r.status, 201, r.text);
    return Number(r.headers.get('location')!.split('/').pop());
  }

  test('DELETE with Content-Type: application/json and no body is accepted, as Harbor does', async () => {
    const userId = await createUser('gen-client-user');
    const delUser = await api('DELETE', `/users/${userId}`, emptyJson);
    assert.equal(delUser.status, 200, delUser.text);
    assert.equal((await api('GET', `/users/${userId}`)).status, 404);

    assert.equal((await api('POST', '/projects', { body: { project_name: 'gen-client-project' } })).status, 201);
    const delProject = await api('DELETE', '/projects/gen-client-project', { headers: { ...emptyJson.headers, 'X-Is-Resource-Name': 'true' } });
    assert.equal(delProject.status, 200, delProject.text);
    assert.equal((await api('HEAD', '/projects?project_name=gen-client-project')).status, 404);

    // A body that is there but not JSON is still refused.
    const bad = await api('POST', '/projects', { body: '{"project_name":' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.errors[0].code, 'BAD_REQUEST');
  });

  test('a request off its schema is a 400 in Harbor error JSON naming the field', async () => {
    const wrongType = await api('POST', '/users', { body: { username: 5, password: 'Passw0rd123' } });
    assert.equal(wrongType.status, 400);
    assert.match(wrongType.json.errors[0].message, /^username: /);
    const missing = await api('POST', '/users', emptyJson);
    assert.equal(missing.status, 400);
    assert.match(missing.json.errors[0].message, /^username: /);
    const badId = await api('GET', '/users/abc');
    assert.equal(badId.status, 400);
    assert.match(badId.json.errors[0].message, /^user_id: /);
    const badPage = await api('GET', '/projects?page_size=101');
    assert.equal(badPage.status, 400);
    assert.match(badPage.json.errors[0].message, /^page_size: /);
  });

  test('project members are paged by the store: X-Total-Count, Link, and each page its own slice', async () => {
    assert.equal((await api('POST', '/projects', { body: { project_name: 'paged-members' } })).status, 201);
    const names = ['pm-a', 'pm-b', 'pm-c'];
    for (const n of names) {
      await createUser(n);
      const r = await api('POST', '/projects/paged-members/members', { body: { role_id: 3, member_user: { username: n } }, headers: { 'X-Is-Resource-Name': 'true' } });
      assert.equal(r.status, 201, r.text);
    }
    const byName = { headers: { 'X-Is-Resource-Name': 'true' } };
    const seen: string[] = [];
    for (const page of [1, 2]) {
      const r = await api('GET', `/projects/paged-members/members?page=${page}&page_size=2`, byName);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers.get('x-total-count'), '4'); // the creator (admin) and three guests
      assert.equal(r.json.length, 2);
      seen.push(...r.json.map((m: { entity_name: string }) => m.entity_name));
      assert.match(r.headers.get('link') ?? '', page === 1 ? /page=2[^>]*>; rel="next"/ : /page=1[^>]*>; rel="prev"/);
    }
    assert.deepEqual(seen, [h.admin.username, ...names]);
    const beyond = await api('GET', '/projects/paged-members/members?page=3&page_size=2', byName);
    assert.deepEqual(beyond.json, []);
    assert.equal(beyond.headers.get('x-total-count'), '4');

    const one = await api('GET', '/projects/paged-members/members?entityname=pm-b', byName);
    assert.equal(one.headers.get('x-total-count'), '1');
    assert.deepEqual(one.json.map((m: { entity_name: string }) => m.entity_name), ['pm-b']);
  });

  test('project robots: listed and created through the project in the path, by name or id', async () => {
    assert.equal((await api('POST', '/projects', { body: { project_name: 'robot-home' } })).status, 201);
    const made = await api('POST', '/projects/robot-home/robots', { body: { name: 'ci' }, headers: { 'X-Is-Resource-Name': 'true' } });
    assert.equal(made.status, 201, made.text);
    assert.equal(made.json.name, 'robot$robot-home+ci');
    const id = (await api('GET', '/projects/robot-home', { headers: { 'X-Is-Resource-Name': 'true' } })).json.project_id;
    const listed = await api('GET', `/projects/${id}/robots`);
    assert.equal(listed.status, 200, listed.text);
    assert.equal(listed.headers.get('x-total-count'), '1');
    assert.deepEqual(listed.json[0].permissions, [{ kind: 'project', namespace: 'robot-home', access: [{ resource: 'repository', action: 'pull', effect: 'allow' }] }]);
    const outsider: Creds = { username: 'robot-outsider', password: 'Passw0rd123' };
    await createUser(outsider.username);
    assert.equal((await api('GET', `/projects/${id}/robots`, { as: outsider })).status, 404);
    const wrongNamespace = await api('POST', `/projects/${id}/robots`, { body: { name: 'x', permissions: [{ kind: 'project', namespace: 'library', access: [{ resource: 'repository', action: 'pull' }] }] } });
    assert.equal(wrongNamespace.status, 400);
  });
});
