// Creating the same thing twice at once (issue 8 §2): exactly one request wins with 201, every
// other gets Harbor's 409 CONFLICT, never a 500, whether the service's pre-check or the
// database's unique constraint catches it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiClient, type Reply } from './helpers/api-client.js';
import { useHaven, type RunningHaven } from './helpers/haven.js';

let h: RunningHaven;
useHaven({}, (x) => (h = x));

function assertOneCreated(replies: Reply[], what: string): void {
  const statuses = replies.map((r) => r.status);
  assert.equal(statuses.filter((s) => s === 201).length, 1, `${what}: ${statuses.join(',')}`);
  for (const r of replies.filter((x) => x.status !== 201)) {
    assert.equal(r.status, 409, `${what}: ${r.status} ${r.text}`);
    assert.equal(r.json.errors.length, 1);
    assert.equal(r.json.errors[0].code, 'CONFLICT', r.text);
    assert.equal(typeof r.json.errors[0].message, 'string');
  }
}

test('eight concurrent POST /users with one name: one 201, seven 409 CONFLICT', async () => {
  const c = apiClient(h);
  // Hashing the password sits between the name check and the insert, so all eight pass the check.
  const replies = await Promise.all(
    Array.from({ length: 8 }, (_, i) => c.api('POST', '/users', { body: { username: 'twin', password: 'Twin12345678', email: `twin${i}@example.com` } })),
  );
  assertOneCreated(replies, 'users');
  const list = await c.api('GET', '/users?q=username%3Dtwin');
  assert.equal(list.status, 200, list.text);
  assert.equal(list.json.length, 1);
});

test('eight concurrent POST /projects with one name: one 201, seven 409 CONFLICT', async () => {
  const c = apiClient(h);
  const replies = await Promise.all(Array.from({ length: 8 }, () => c.api('POST', '/projects', { body: { project_name: 'twin-project' } })));
  assertOneCreated(replies, 'projects');
  assert.equal((await c.api('HEAD', '/projects?project_name=twin-project')).status, 200);
});
