// Pushing to a project that does not exist, with the real clients after a login: what they print
// must name the missing project (not "error parsing HTTP 401 response body").
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { apiClient } from './helpers/api-client.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { writeTestLayout, type TestLayout } from './helpers/oci-layout.js';
import { describeRun, run } from './helpers/run.js';
import { requireTool } from './helpers/tools.js';

const dev = { username: 'pusher', password: 'Pusher12345' };
let h: RunningHaven;
let work: string;
let layout: TestLayout;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'haven-missing-'));
  layout = writeTestLayout(join(work, 'layout'), { tag: 'v1' });
  h = await startHaven();
  const r = await apiClient(h).api('POST', '/users', { body: { ...dev, email: 'pusher@example.com' } });
  assert.equal(r.status, 201, r.text);
});

after(async () => {
  await h?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

// skopeo's fatal line quotes the message again, so the quotes may come backslash-escaped.
const missing = /project \\?"nosuchproject\\?" does not exist; create it before pushing/;

for (const who of ['admin', 'a user'] as const) {
  const creds = () => (who === 'admin' ? `admin:${h.admin.password}` : `${dev.username}:${dev.password}`);

  test(`skopeo copy as ${who} to a missing project prints that the project does not exist`, async (t) => {
    if (!requireTool(t, 'skopeo')) return;
    const args = ['copy', '--dest-tls-verify=false', '--dest-creds', creds(), `oci:${layout.dir}:v1`, `docker://${h.host}/nosuchproject/x:1`];
    const r = await run('skopeo', args, { timeoutMs: 60_000 });
    assert.notEqual(r.code, 0, describeRun('skopeo', args, r));
    assert.match(r.stderr, missing, describeRun('skopeo', args, r));
    assert.doesNotMatch(r.stderr, /error parsing HTTP 401 response body/);
  });

  test(`podman push as ${who} (after podman login) to a missing project prints that the project does not exist`, async (t) => {
    if (!requireTool(t, 'podman')) return;
    const store = join(work, `store-${who.replace(' ', '-')}`);
    for (const d of ['root', 'runroot', 'tmp']) mkdirSync(join(store, d), { recursive: true });
    const podman = ['--root', join(store, 'root'), '--runroot', join(store, 'runroot'), '--storage-driver', 'vfs'];
    const env = { REGISTRY_AUTH_FILE: join(store, 'auth.json'), TMPDIR: join(store, 'tmp') };
    const [user, password] = creds().split(/:(.*)/s) as [string, string];
    const login = await run('podman', [...podman, 'login', '--tls-verify=false', '-u', user, '--password-stdin', h.host], { timeoutMs: 60_000, env, input: password });
    assert.equal(login.code, 0, describeRun('podman', ['login'], login));
    writeFileSync(join(store, 'Containerfile'), 'FROM scratch\nCOPY hello.txt /\n');
    writeFileSync(join(store, 'hello.txt'), 'hello\n');
    const built = await run('podman', [...podman, 'build', '-q', '-t', `${h.host}/nosuchproject/x:1`, store], { timeoutMs: 120_000, env: { ...env, BUILDAH_ISOLATION: 'chroot' } });
    assert.equal(built.code, 0, describeRun('podman', ['build'], built));
    const args = [...podman, 'push', '--tls-verify=false', `${h.host}/nosuchproject/x:1`];
    const r = await run('podman', args, { timeoutMs: 60_000, env });
    assert.notEqual(r.code, 0, describeRun('podman', args, r));
    assert.match(r.stderr, missing, describeRun('podman', args, r));
    assert.doesNotMatch(r.stderr, /error parsing HTTP 401 response body/);
  });
}

test('the HEAD before a blob push answers 404 to a logged-in caller, not a bodiless 401', async () => {
  const token = await apiClient(h).token(dev, 'repository:nosuchproject/x:pull,push');
  assert.deepEqual(token.access[0]!.actions, []);
  const head = await fetch(`${h.url}/v2/nosuchproject/x/blobs/sha256:${'0'.repeat(64)}`, { method: 'HEAD', headers: { Authorization: `Bearer ${token.token}` } });
  assert.equal(head.status, 404);
  const post = await fetch(`${h.url}/v2/nosuchproject/x/blobs/uploads/`, { method: 'POST', headers: { Authorization: `Bearer ${token.token}` } });
  assert.equal(post.status, 404);
  const body = (await post.json()) as { errors: Array<{ code: string; message: string }> };
  assert.equal(body.errors[0]!.code, 'NAME_UNKNOWN');
  assert.match(body.errors[0]!.message, missing);
  // Anonymous callers, with or without an (anonymous) token, are still asked to log in, whether
  // or not the project exists.
  const anon = await fetch(`${h.url}/v2/nosuchproject/x/blobs/uploads/`, { method: 'POST' });
  assert.equal(anon.status, 401);
  const anonToken = await apiClient(h).token(null, 'repository:nosuchproject/x:pull,push');
  for (const method of ['HEAD', 'POST']) {
    const path = method === 'HEAD' ? `/v2/nosuchproject/x/blobs/sha256:${'0'.repeat(64)}` : '/v2/nosuchproject/x/blobs/uploads/';
    const r = await fetch(`${h.url}${path}`, { method, headers: { Authorization: `Bearer ${anonToken.token}` } });
    assert.equal(r.status, 401, `${method} with an anonymous token`);
  }
});
