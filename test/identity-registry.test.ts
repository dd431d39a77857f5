// The seeds' everyday flow, through skopeo and the Docker token protocol: log in, push to a
// private project as a developer, pull denied to non-members and anonymous until the project
// turns public, guests pull but cannot push, maintainers delete — and every step in the audit log.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { writeTestLayout, type TestLayout } from './helpers/oci-layout.js';
import { describeRun, run } from './helpers/run.js';
import { requireTool } from './helpers/tools.js';

const password = 'Passw0rd!x';
const basic = (user: string, pw = password) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

describe('identity on the registry: token flow with skopeo', { timeout: 120_000 }, () => {
  let h: RunningHaven;
  let work: string;
  let layout: TestLayout;
  const ids: Record<string, number> = {};

  async function api(method: string, path: string, bodyJson?: unknown, auth = basic('admin', h.admin.password)) {
    const r = await fetch(`${h.url}/api/v2.0${path}`, {
      method,
      headers: { Authorization: auth, ...(bodyJson !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(bodyJson !== undefined ? { body: JSON.stringify(bodyJson) } : {}),
    });
    return r;
  }

  async function skopeo(args: string[], creds: string | null, expectOk: boolean) {
    const auth = creds === null ? ['--no-creds'] : ['--creds', creds];
    const [verb, ...rest] = args;
    const flags = verb === 'copy' ? [...(creds === null ? ['--src-no-creds', '--dest-no-creds'] : ['--src-creds', creds, '--dest-creds', creds]), '--src-tls-verify=false', '--dest-tls-verify=false'] : [...auth, '--tls-verify=false'];
    const full = [verb!, ...flags, ...rest];
    const r = await run('skopeo', full, { timeoutMs: 60_000 });
    assert.equal(r.code === 0, expectOk, describeRun('skopeo', full, r));
    return r;
  }

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'haven-identity-'));
    layout = writeTestLayout(join(work, 'layout'), { tag: 'v1.0' });
    h = await startHaven();
    for (const user of ['dev1', 'guest1', 'maint1', 'outsider']) {
      const r = await api('POST', '/users', { username: user, password, email: `${user}@example.com` });
      assert.equal(r.status, 201, await r.text());
      ids[user] = Number(r.headers.get('location')!.split('/').pop());
    }
    assert.equal((await api('POST', '/projects', { project_name: 'project1', metadata: { public: 'false' } })).status, 201);
    for (const [user, role] of [['dev1', 2], ['guest1', 3], ['maint1', 4]] as const) {
      const r = await api('POST', '/projects/project1/members', { role_id: role, member_user: { username: user } });
      assert.equal(r.status, 201, await r.text());
    }
  });

  after(async () => {
    await h?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('/v2/ challenges anonymous clients with the token realm', async () => {
    const r = await fetch(`${h.url}/v2/`);
    assert.equal(r.status, 401);
    assert.equal(r.headers.get('www-authenticate'), `Bearer realm="${h.url}/service/token",service="haven"`);
    const body = (await r.json()) as { errors: Array<{ code: string }> };
    assert.equal(body.errors[0]!.code, 'UNAUTHORIZED');
    const scoped = await fetch(`${h.url}/v2/project1/nginx/manifests/v1.0`);
    assert.equal(scoped.status, 401);
    assert.match(scoped.headers.get('www-authenticate')!, /scope="repository:project1\/nginx:pull"/);
  });

  test('a developer logs in and pushes to the private project', async (t) => {
    if (!requireTool(t, 'skopeo')) return;
    await skopeo(['copy', '--all', `oci:${join(work, 'layout')}:v1.0`, `docker://${h.host}/project1/nginx:v1.0`], `dev1:${password}`, true);
    const tags = await skopeo(['list-tags', `docker://${h.host}/project1/nginx`], `dev1:${password}`, true);
    assert.deepEqual(JSON.parse(tags.stdout.toString()).Tags, ['v1.0']);
  });

  test('pull is denied to a non-member and to anonymous while the project is private', async (t) => {
    if (!requireTool(t, 'skopeo')) return;
    const outsider = await skopeo(['inspect', '--raw', `docker://${h.host}/project1/nginx:v1.0`], `outsider:${password}`, false);
    assert.match(outsider.stderr, /unauthorized|denied|authentication required/i);
    const anon = await skopeo(['inspect', '--raw', `docker://${h.host}/project1/nginx:v1.0`], null, false);
    assert.match(anon.stderr, /unauthorized|denied|authentication required/i);
  });

  test('a guest pulls but cannot push', async (t) => {
    if (!requireTool(t, 'skopeo')) return;
    const raw = await skopeo(['inspect', '--raw', `docker://${h.host}/project1/nginx:v1.0`], `guest1:${password}`, true);
    assert.equal(JSON.parse(raw.stdout.toString()).mediaType, 'application/vnd.oci.image.index.v1+json');
    const push = await skopeo(['copy', '--all', `oci:${join(work, 'layout')}:v1.0`, `docker://${h.host}/project1/nginx:guest`], `guest1:${password}`, false);
    assert.match(push.stderr, /unauthorized|denied/i);
  });

  test('anonymous pull works once the project is public', async (t) => {
    if (!requireTool(t, 'skopeo')) return;
    const r = await api('PUT', '/projects/project1', { metadata: { public: 'true' } }, basic('admin', h.admin.password));
    assert.equal(r.status, 200, await r.text());
    const anon = await skopeo(['inspect', '--raw', `docker://${h.host}/project1/nginx:v1.0`], null, true);
    assert.equal(JSON.parse(anon.stdout.toString()).schemaVersion, 2);
    // Public means readable, never writable.
    const push = await skopeo(['copy', '--all', `oci:${join(work, 'layout')}:v1.0`, `docker://${h.host}/project1/nginx:anon`], null, false);
    assert.match(push.stderr, /unauthorized|denied|authentication required/i);
    assert.equal((await api('PUT', '/projects/project1', { metadata: { public: 'false' } })).status, 200);
  });

  test('a developer cannot delete; a maintainer can', async (t) => {
    if (!requireTool(t, 'skopeo')) return;
    const manifest = () => h.adminFetch(`${h.url}/v2/project1/nginx/manifests/${layout.indexDigest}`, { method: 'HEAD' });
    assert.equal((await manifest()).status, 200, 'the image is there to delete');
    const refused = await skopeo(['delete', `docker://${h.host}/project1/nginx:v1.0`], `dev1:${password}`, false);
    assert.match(refused.stderr, /unauthorized|denied/i);
    assert.equal((await manifest()).status, 200, "the developer's delete left the manifest in place");
    const tags = await h.adminFetch(`${h.url}/v2/project1/nginx/tags/list`);
    assert.deepEqual(((await tags.json()) as { tags: string[] }).tags, ['v1.0'], 'and its tag');
    await skopeo(['delete', `docker://${h.host}/project1/nginx:v1.0`], `maint1:${password}`, true);
    assert.equal((await manifest()).status, 404);
  });

  test('a pull-only project robot pulls and is denied push; disabled, it is denied pull', async (t) => {
    if (!requireTool(t, 'skopeo')) return;
    await skopeo(['copy', '--all', `oci:${join(work, 'layout')}:v1.0`, `docker://${h.host}/project1/robotapp:v1`], `dev1:${password}`, true);
    const created = await api('POST', '/projects/project1/robots', {
      name: 'puller',
      duration: -1,
      permissions: [{ kind: 'project', namespace: 'project1', access: [{ resource: 'repository', action: 'pull' }] }],
    });
    assert.equal(created.status, 201, await created.clone().text());
    const robot = (await created.json()) as { id: number; name: string; secret: string };
    assert.equal(robot.name, 'robot$project1+puller');
    const listed = (await (await api('GET', '/projects/project1/robots')).json()) as Array<{ name: string; secret?: string }>;
    assert.deepEqual(listed.map((r) => r.name), ['robot$project1+puller']);
    assert.equal(listed[0]!.secret, undefined);
    const creds = `${robot.name}:${robot.secret}`;
    await skopeo(['inspect', '--raw', `docker://${h.host}/project1/robotapp:v1`], creds, true);
    const push = await skopeo(['copy', '--all', `oci:${join(work, 'layout')}:v1.0`, `docker://${h.host}/project1/robotapp:v2`], creds, false);
    assert.match(push.stderr, /unauthorized|denied/i);
    const other = await api('POST', '/projects/project1/robots', { name: 'x', permissions: [{ kind: 'project', namespace: 'library', access: [{ resource: 'repository', action: 'pull' }] }] });
    assert.equal(other.status, 400);
    assert.equal((await api('PUT', `/robots/${robot.id}`, { disable: true })).status, 200);
    await skopeo(['inspect', '--raw', `docker://${h.host}/project1/robotapp:v1`], creds, false);
  });

  test('pushing into a project that does not exist is refused with a clear error', async () => {
    const r = await h.adminFetch(`${h.url}/v2/nosuchproject/app/blobs/uploads/`, { method: 'POST' });
    assert.equal(r.status, 404);
    const body = (await r.json()) as { errors: Array<{ code: string; message: string }> };
    assert.equal(body.errors[0]!.code, 'NAME_UNKNOWN');
    assert.match(body.errors[0]!.message, /project "nosuchproject" does not exist/);
  });

  test('tokens: granted actions are the intersection of asked and allowed; forged tokens are refused', async () => {
    const tokenFor = async (auth: string | null, scope: string) => {
      const r = await fetch(`${h.url}/service/token?service=haven&scope=${encodeURIComponent(scope)}`, { headers: auth ? { Authorization: auth } : {} });
      assert.equal(r.status, 200);
      const { token } = (await r.json()) as { token: string };
      return { token, access: JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).access as Array<{ actions: string[] }> };
    };
    assert.deepEqual((await tokenFor(basic('guest1'), 'repository:project1/nginx:pull,push,delete')).access[0]!.actions, ['pull']);
    assert.deepEqual((await tokenFor(basic('dev1'), 'repository:project1/nginx:pull,push,delete')).access[0]!.actions, ['pull', 'push']);
    assert.deepEqual((await tokenFor(basic('maint1'), 'repository:project1/nginx:*')).access[0]!.actions, ['pull', 'push', 'delete']);
    assert.deepEqual((await tokenFor(basic('outsider'), 'repository:project1/nginx:pull')).access[0]!.actions, []);
    assert.deepEqual((await tokenFor(null, 'repository:project1/nginx:pull')).access[0]!.actions, []);
    assert.deepEqual((await tokenFor(null, 'repository:library/nginx:pull,push')).access[0]!.actions, ['pull']);

    const bad = await fetch(`${h.url}/service/token?service=haven`, { headers: { Authorization: basic('dev1', 'wrong') } });
    assert.equal(bad.status, 401);

    const { token } = await tokenFor(basic('guest1'), 'repository:project1/robotapp:pull');
    const use = (t: string) => fetch(`${h.url}/v2/project1/robotapp/tags/list`, { headers: { Authorization: `Bearer ${t}` } });
    assert.equal((await use(token)).status, 200);
    const [hd, p, sig] = token.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    payload.access = [{ type: 'repository', name: 'project1/robotapp', actions: ['pull', 'push', 'delete'] }];
    const forged = `${hd}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${sig}`;
    assert.equal((await use(forged)).status, 401);
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`;
    assert.equal((await use(none)).status, 401);
    // A pull token never allows a push.
    const push = await fetch(`${h.url}/v2/project1/nginx/blobs/uploads/`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    assert.equal(push.status, 401);
    assert.match(push.headers.get('www-authenticate')!, /error="insufficient_scope"/);
  });

  test('a mount challenges for the source repository, and a token covering both mounts', async () => {
    assert.equal((await api('POST', '/projects', { project_name: 'mountdst' })).status, 201);
    assert.equal((await api('POST', '/projects/mountdst/members', { role_id: 2, member_user: { username: 'dev1' } })).status, 201);
    const layer = Buffer.from('layer shared by a mount');
    const digest = `sha256:${(await import('node:crypto')).createHash('sha256').update(layer).digest('hex')}`;
    const push = await fetch(`${h.url}/v2/project1/src/blobs/uploads/?digest=${digest}`, { method: 'POST', headers: { Authorization: basic('dev1') }, body: layer });
    assert.equal(push.status, 201);
    const token = async (scope: string) => {
      const r = await fetch(`${h.url}/service/token?service=haven&${scope.split(' ').map((s) => `scope=${encodeURIComponent(s)}`).join('&')}`, { headers: { Authorization: basic('dev1') } });
      return ((await r.json()) as { token: string }).token;
    };
    const mount = (t: string) =>
      fetch(`${h.url}/v2/mountdst/app/blobs/uploads/?mount=${digest}&from=project1/src`, { method: 'POST', headers: { Authorization: `Bearer ${t}` } });
    const narrow = await mount(await token('repository:mountdst/app:pull,push'));
    assert.equal(narrow.status, 401);
    assert.match(narrow.headers.get('www-authenticate')!, /scope="repository:mountdst\/app:pull,push repository:project1\/src:pull"/);
    const wide = await mount(await token('repository:mountdst/app:pull,push repository:project1/src:pull'));
    assert.equal(wide.status, 201);
    // guest1 cannot push to mountdst; outsider cannot read project1: a mount never crosses that line.
    const outsiderToken = async () => {
      const r = await fetch(`${h.url}/service/token?service=haven&scope=${encodeURIComponent('repository:project1/src:pull')}`, { headers: { Authorization: basic('outsider') } });
      return ((await r.json()) as { token: string }).token;
    };
    // mountdst is private and outsider is no member: it must look like a missing project (404
    // NAME_UNKNOWN, as any push to a missing project), never link the blob.
    const refused = await mount(await outsiderToken());
    assert.equal(refused.status, 404);
    assert.equal(((await refused.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'NAME_UNKNOWN');
  });

  test('the OAuth2 POST form issues tokens too', async () => {
    const form = new URLSearchParams({ grant_type: 'password', username: 'dev1', password, service: 'haven', scope: 'repository:project1/nginx:pull', client_id: 'test' });
    const r = await fetch(`${h.url}/service/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form });
    assert.equal(r.status, 200);
    const body = (await r.json()) as { access_token: string; expires_in: number };
    assert.ok(body.access_token.split('.').length === 3);
    assert.equal(body.expires_in, 1800);
    form.set('password', 'nope');
    assert.equal((await fetch(`${h.url}/service/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form })).status, 401);
  });
});
