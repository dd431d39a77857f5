// Read-only mode (Harbor's `read_only` configuration): while it is on, every write on /v2 and the
// API is refused with Harbor's 403 DENIED, which skopeo prints; pulls and reads keep working, and
// logging in and turning the mode off stay possible. A change written by another instance (the
// shared database) takes effect within seconds.
import { havenSql } from './helpers/haven-db.js';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { apiClient, type Creds, type Reply } from './helpers/api-client.js';
import { eventually } from './helpers/eventually.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { asAdmin, pushBlob, pushImage, randomBlob } from './helpers/oci.js';
import { writeTestLayout } from './helpers/oci-layout.js';
import { describeRun, run } from './helpers/run.js';
import { requireTool } from './helpers/tools.js';

const message = 'The system is in read only mode. Any modification is prohibited.';

let h: RunningHaven;
let client: ReturnType<typeof apiClient>;
let work: string;
let authFile: string;
const api = (method: string, path: string, opts: Parameters<typeof client.api>[2] = {}) => client.api(method, path, opts);
const alice: Creds = { username: 'alice', password: 'Alice12345' };

function assertDenied(r: Reply | { status: number; json: unknown }): void {
  assert.equal(r.status, 403, JSON.stringify(r.json));
  assert.deepEqual((r.json as { errors: unknown[] }).errors, [{ code: 'DENIED', message }]);
}

const setReadOnly = async (on: boolean) => assert.equal((await api('PUT', '/configurations', { body: { read_only: on } })).status, 200);

/** A raw /v2 request as admin, with its JSON body. */
async function v2(method: string, path: string, init: RequestInit = {}) {
  const r = await h.adminFetch(`${h.url}/v2/${path}`, { method, ...init, signal: AbortSignal.timeout(10_000) });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null, headers: r.headers };
}

before(async () => {
  h = await startHaven({ projects: ['ro'] });
  client = apiClient(h);
  work = mkdtempSync(join(tmpdir(), 'haven-readonly-'));
  authFile = join(work, 'auth.json');
  writeFileSync(authFile, JSON.stringify({ auths: { [h.host]: { auth: Buffer.from(`admin:${h.admin.password}`).toString('base64') } } }));
  assert.equal((await api('POST', '/users', { body: { username: alice.username, password: alice.password, email: 'alice@example.com' } })).status, 201);
  await pushImage(asAdmin(h), 'ro/app', 'v1');
});

after(async () => {
  await h?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('read-only mode', () => {
  test('is a configuration only an administrator changes; /systeminfo shows it', async () => {
    const before = await api('GET', '/configurations');
    assert.deepEqual(before.json.read_only, { value: false, editable: true });
    assert.equal((await api('PUT', '/configurations', { as: alice, body: { read_only: true } })).status, 403);
    assert.equal((await api('PUT', '/configurations', { body: { read_only: 'yes' } })).status, 400);
    assert.equal((await api('GET', '/systeminfo')).json.read_only, false);
    await setReadOnly(true);
    try {
      assert.deepEqual((await api('GET', '/configurations')).json.read_only, { value: true, editable: true });
      assert.equal((await api('GET', '/systeminfo')).json.read_only, true);
    } finally {
      await setReadOnly(false);
    }
  });

  test('skopeo: a push (copy into Haven) is refused with Harbor\'s message and leaves nothing; a pull works', async (t) => {
    if (!requireTool(t, 'skopeo')) return;
    const skopeo = (args: string[]) => run('skopeo', args, { timeoutMs: 60_000, env: { REGISTRY_AUTH_FILE: authFile } });
    const layout = writeTestLayout(join(work, 'layout'), { tag: 'v1' });
    const seeded = await skopeo(['copy', '--all', '--dest-tls-verify=false', `oci:${layout.dir}:v1`, `docker://${h.host}/ro/real:v1`]);
    assert.equal(seeded.code, 0, seeded.stderr);
    await setReadOnly(true);
    try {
      const push = await skopeo(['copy', '--dest-tls-verify=false', `oci:${layout.dir}:v1`, `docker://${h.host}/ro/copy:v1`]);
      assert.notEqual(push.code, 0, describeRun('skopeo', ['copy'], push));
      assert.match(push.stderr, /read only mode/i, push.stderr);
      assert.equal((await v2('GET', 'ro/copy/tags/list')).status, 404, 'no repository was created');
      const pull = await skopeo(['copy', '--src-tls-verify=false', `docker://${h.host}/ro/real:v1`, `dir:${join(work, 'pulled')}`]);
      assert.equal(pull.code, 0, describeRun('skopeo', ['copy'], pull));
      const inspect = await skopeo(['inspect', '--tls-verify=false', `docker://${h.host}/ro/real:v1`]);
      assert.equal(inspect.code, 0, inspect.stderr);
    } finally {
      await setReadOnly(false);
    }
    const again = await skopeo(['copy', '--dest-tls-verify=false', `oci:${layout.dir}:v1`, `docker://${h.host}/ro/copy:v1`]);
    assert.equal(again.code, 0, again.stderr);
  });

  test('every /v2 write is DENIED, reads are served', async () => {
    const blob = randomBlob(100);
    await setReadOnly(true);
    try {
      assertDenied(await v2('POST', 'ro/app/blobs/uploads/'));
      assertDenied(await v2('POST', `ro/app/blobs/uploads/?digest=${blob.digest}`, { body: new Uint8Array(blob.bytes), headers: { 'Content-Type': 'application/octet-stream' } }));
      assertDenied(await v2('PUT', 'ro/app/manifests/v9', { body: '{}', headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } }));
      assertDenied(await v2('DELETE', 'ro/app/manifests/v1'));
      assertDenied(await v2('PATCH', 'ro/app/blobs/uploads/whatever', { body: 'x' }));
      assert.equal((await v2('GET', 'ro/app/manifests/v1', { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } })).status, 200);
      assert.equal((await v2('HEAD', 'ro/app/manifests/v1', { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } })).status, 200);
      assert.deepEqual((await v2('GET', 'ro/app/tags/list')).json.tags, ['v1']);
    } finally {
      await setReadOnly(false);
    }
    // The refused blob was not stored; after the mode ends the same push works.
    assert.equal((await v2('HEAD', `ro/app/blobs/${blob.digest}`)).status, 404);
    await pushBlob(asAdmin(h), 'ro/app', blob.bytes);
  });

  test('API writes are DENIED, reads, logins and turning the mode off are not', async () => {
    await setReadOnly(true);
    try {
      assertDenied(await api('POST', '/projects', { body: { project_name: 'during-ro' } }));
      assertDenied(await api('DELETE', '/projects/ro/repositories/app'));
      assertDenied(await api('POST', '/labels', { body: { name: 'x', scope: 'g' } }));
      assertDenied(await api('PUT', '/projects/ro', { headers: { 'X-Is-Resource-Name': 'true' }, body: { metadata: { public: 'true' } } }));
      assertDenied(await api('POST', '/users', { body: { username: 'carol', password: 'Carol12345', email: 'c@example.com' } }));
      assertDenied(await api('PUT', '/users/current/password', { as: alice, body: { old_password: alice.password, new_password: 'Alice54321' } }));
      assert.equal((await api('GET', '/projects?name=during-ro')).json.length, 0);
      assert.equal((await api('GET', '/projects/ro', { headers: { 'X-Is-Resource-Name': 'true' } })).status, 200);
      assert.equal((await api('GET', '/search?q=app')).status, 200);
      const login = await fetch(`${h.url}/c/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ principal: alice.username, password: alice.password }),
      });
      assert.equal(login.status, 200, await login.text());
      const token = await client.token(alice, 'repository:ro/app:pull');
      assert.equal(token.status, 200);
    } finally {
      await setReadOnly(false);
    }
    assert.equal((await api('POST', '/projects', { body: { project_name: 'after-ro' } })).status, 201, 'turning it off takes effect at once');
    assert.equal((await api('GET', '/users/current', { as: alice })).status, 200, "alice's password was not changed");
  });

  test("a change written by another instance (the shared database) is honoured within seconds", async () => {
    const write = (value: string) => havenSql(h, 'insert into settings (key, value) values (?, ?) on conflict (key) do update set value = excluded.value', ['read_only', value]);
    let n = 0;
    await write('true');
    try {
      // Until this instance re-reads the setting a write may still pass: each attempt is a new project.
      await eventually(async () => assertDenied(await api('POST', '/projects', { body: { project_name: `elsewhere-${++n}` } })), { timeoutMs: 8000 });
    } finally {
      await write('false');
    }
    await eventually(async () => assert.equal((await api('POST', '/projects', { body: { project_name: `elsewhere-${++n}` } })).status, 201), { timeoutMs: 8000 });
  });
});
