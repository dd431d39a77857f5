// @haven-own-database: chooses its own databases, so the PostgreSQL pass of npm test skips it.
// Several Haven instances on one PostgreSQL database (issue 10, §0): they start together without
// fighting over the admin or the keys, honour each other's tokens and portal sessions, and see one
// registry. (Blob bytes need shared storage, S3 or one filesystem: test/cluster tests cover that.)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { postgres } from './backends/postgres.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { basic } from './helpers/api-client.js';
import { eventually } from './helpers/eventually.js';

let databaseUrl: string;
let a: RunningHaven;
let b: RunningHaven;

before(async () => {
  databaseUrl = await (await postgres()).createDatabase('instances');
  // Started together on an empty database: both migrate it, both bootstrap admin and the keys.
  const start = () => startHaven({ env: { HAVEN_DATABASE_URL: databaseUrl, HAVEN_ADMIN_PASSWORD: '' } });
  [a, b] = await Promise.all([start(), start()]);
});

after(async () => {
  await Promise.all([a?.cleanup(), b?.cleanup()]);
  await (await postgres()).dropDatabase(databaseUrl);
});

const generated = (h: RunningHaven) => /admin password \(generated, shown once; also in .+\): (\S+)/.exec(h.output())?.[1];

test('exactly one of two instances starting together creates admin, and its password works on both', async () => {
  const passwords = [generated(a), generated(b)].filter((p) => p !== undefined);
  assert.equal(passwords.length, 1, `${a.output()}\n---\n${b.output()}`);
  for (const h of [a, b]) {
    const r = await fetch(`${h.url}/api/v2.0/users/current`, { headers: { Authorization: basic({ username: 'admin', password: passwords[0]! }) } });
    assert.equal(r.status, 200);
  }
  // The instance that did not create admin prints no password line and created no library twice.
  const projects = await fetch(`${b.url}/api/v2.0/projects?name=library`, { headers: { Authorization: basic({ username: 'admin', password: passwords[0]! }) } });
  assert.equal(((await projects.json()) as unknown[]).length, 1);
});

test("a token issued by one instance is honoured by the other, with no key configured", async () => {
  const admin = { username: 'admin', password: (generated(a) ?? generated(b))! };
  const create = await fetch(`${a.url}/api/v2.0/projects`, {
    method: 'POST',
    headers: { Authorization: basic(admin), 'Content-Type': 'application/json' },
    body: JSON.stringify({ project_name: 'shared' }),
  });
  assert.equal(create.status, 201);
  const t = await fetch(`${a.url}/service/token?service=haven&scope=${encodeURIComponent('repository:shared/app:pull,push')}`, { headers: { Authorization: basic(admin) } });
  const { token } = (await t.json()) as { token: string };
  const onB = await fetch(`${b.url}/v2/shared/app/tags/list`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(onB.status, 404, 'authorized (the repository does not exist yet), not 401');
  assert.match(await onB.text(), /NAME_UNKNOWN/);
  const forged = await fetch(`${b.url}/v2/shared/app/tags/list`, { headers: { Authorization: `Bearer ${token.slice(0, -4)}AAAA` } });
  assert.equal(forged.status, 401);
});

test('a portal session opened on one instance works on the other, CSRF token included', async () => {
  const password = (generated(a) ?? generated(b))!;
  const login = await fetch(`${a.url}/c/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ principal: 'admin', password }),
  });
  assert.equal(login.status, 200);
  const cookie = /sid=[^;]+/.exec(login.headers.get('set-cookie') ?? '')![0];
  const csrf = login.headers.get('x-harbor-csrf-token')!;
  const created = await fetch(`${b.url}/api/v2.0/projects`, {
    method: 'POST',
    headers: { Cookie: cookie, 'X-Harbor-CSRF-Token': csrf, 'Content-Type': 'application/json' },
    body: JSON.stringify({ project_name: 'via-session' }),
  });
  assert.equal(created.status, 201, await created.text());
  const forged = await fetch(`${b.url}/api/v2.0/projects`, {
    method: 'POST',
    headers: { Cookie: cookie, 'X-Harbor-CSRF-Token': 'forged', 'Content-Type': 'application/json' },
    body: JSON.stringify({ project_name: 'via-forged' }),
  });
  assert.equal(forged.status, 403);
  const out = await fetch(`${b.url}/c/log_out`, { method: 'POST', headers: { Cookie: cookie } });
  assert.equal(out.status, 200);
  assert.equal((await fetch(`${a.url}/api/v2.0/users/current`, { headers: { Cookie: cookie } })).status, 401, 'logged out on every instance');
});

test('a project made through one instance is seen and guarded by the other', async () => {
  const admin = { username: 'admin', password: (generated(a) ?? generated(b))! };
  const r = await fetch(`${b.url}/api/v2.0/projects/via-session`, { headers: { Authorization: basic(admin) } });
  assert.equal(r.status, 200);
  const dup = await fetch(`${b.url}/api/v2.0/projects`, {
    method: 'POST',
    headers: { Authorization: basic(admin), 'Content-Type': 'application/json' },
    body: JSON.stringify({ project_name: 'shared' }),
  });
  assert.equal(dup.status, 409);
});

test("Harbor's database-wide gauges come from one instance only, so a sum over instances counts once", async () => {
  const exported = async (h: RunningHaven) => /^harbor_project_total\{public="false"\} \d+$/m.test(await (await fetch(`${h.url}/metrics`)).text());
  await eventually(async () => {
    const both = await Promise.all([exported(a), exported(b)]);
    assert.deepEqual(both.filter(Boolean).length, 1, `exporting: ${both}`);
  }, { timeoutMs: 20_000 });
  // Instance-level series are on every instance.
  for (const h of [a, b]) assert.match(await (await fetch(`${h.url}/metrics`)).text(), /^harbor_core_http_request_total\{/m);
});

test('--role api serves and runs no background jobs; --role worker runs them and serves nothing', async () => {
  const purge = { HAVEN_DATABASE_URL: databaseUrl, HAVEN_UPLOADS_PURGE_AGE: '1s', HAVEN_UPLOADS_PURGE_INTERVAL: '300ms' };
  const api = await startHaven({ env: purge, args: ['--role', 'api'] });
  let worker: RunningHaven | undefined;
  try {
    const admin = { username: 'admin', password: (generated(a) ?? generated(b))! };
    const started = await fetch(`${api.url}/v2/shared/app/blobs/uploads/`, { method: 'POST', headers: { Authorization: basic(admin) } });
    assert.equal(started.status, 202);
    const upload = new URL(started.headers.get('location')!, api.url);
    const status = () => fetch(upload, { headers: { Authorization: basic(admin) } }).then((r) => r.status);
    // a and b (role all) purge too; stop them so only the api instance and the worker remain.
    await Promise.all([a.stop(), b.stop()]);
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await status(), 204, 'an api instance does not purge, even an upload idle past the purge age');
    worker = await startHaven({ env: purge, args: ['--role', 'worker'], ready: /Haven worker running background jobs/ });
    assert.equal(worker.url, '');
    assert.doesNotMatch(worker.output(), /listening on/);
    await eventually(async () => assert.equal(await status(), 404, 'the worker purged it'), { timeoutMs: 15_000 });
  } finally {
    await Promise.all([api.cleanup(), worker?.cleanup()]);
  }
});
