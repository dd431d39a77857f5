import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHaven, type RunningHaven } from './helpers/haven.js';

let h: RunningHaven;
before(async () => {
  h = await startHaven();
});
after(async () => {
  await h.cleanup();
});

async function login(principal: string, password: string) {
  return fetch(`${h.url}/c/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ principal, password }),
  });
}

function cookieOf(r: Response): string {
  const set = r.headers.get('set-cookie') ?? '';
  const m = /sid=([^;]+)/.exec(set);
  assert.ok(m, `no session cookie in ${set}`);
  return `sid=${m[1]}`;
}

test('portal login sets an HttpOnly session cookie; the API knows the user by it', async () => {
  const r = await login('admin', h.admin.password);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('set-cookie')!, /HttpOnly/i);
  assert.match(r.headers.get('set-cookie')!, /SameSite=Lax/i);
  const me = await fetch(`${h.url}/api/v2.0/users/current`, { headers: { Cookie: cookieOf(r) } });
  assert.equal(me.status, 200);
  assert.equal(((await me.json()) as { username: string }).username, 'admin');
});

test('state-changing requests with a session need the CSRF token', async () => {
  const r = await login('admin', h.admin.password);
  const cookie = cookieOf(r);
  const csrf = r.headers.get('x-harbor-csrf-token')!;
  assert.ok(csrf);
  const create = (headers: Record<string, string>) =>
    fetch(`${h.url}/api/v2.0/projects`, {
      method: 'POST',
      headers: { Cookie: cookie, 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify({ project_name: `csrf${Object.keys(headers).length}` }),
    });
  const without = await create({});
  assert.equal(without.status, 403);
  assert.match(await without.text(), /CSRF/);
  assert.equal((await create({ 'X-Harbor-CSRF-Token': 'forged' })).status, 403);
  assert.equal((await create({ 'X-Harbor-CSRF-Token': csrf })).status, 201);
});

test('wrong password is 401 and sets no cookie; log out ends the session', async () => {
  const bad = await login('admin', 'Wrong12345');
  assert.equal(bad.status, 401);
  assert.equal(bad.headers.get('set-cookie'), null);
  const r = await login('admin', h.admin.password);
  const cookie = cookieOf(r);
  const out = await fetch(`${h.url}/c/log_out`, { method: 'POST', headers: { Cookie: cookie } });
  assert.equal(out.status, 200);
  const me = await fetch(`${h.url}/api/v2.0/users/current`, { headers: { Cookie: cookie } });
  assert.equal(me.status, 401);
});

test('changing a password ends that user\'s sessions', async () => {
  const create = await h.adminFetch(`${h.url}/api/v2.0/users`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'sess1', password: 'Passw0rdA', email: 'sess1@example.com' }),
  });
  assert.equal(create.status, 201);
  const id = create.headers.get('location')!.split('/').pop();
  const r = await login('sess1', 'Passw0rdA');
  const cookie = cookieOf(r);
  const csrf = r.headers.get('x-harbor-csrf-token')!;
  const change = await fetch(`${h.url}/api/v2.0/users/${id}/password`, {
    method: 'PUT',
    headers: { Cookie: cookie, 'X-Harbor-CSRF-Token': csrf, 'Content-Type': 'application/json' },
    body: JSON.stringify({ old_password: 'Passw0rdA', new_password: 'Passw0rdB' }),
  });
  assert.equal(change.status, 200, await change.text());
  const me = await fetch(`${h.url}/api/v2.0/users/current`, { headers: { Cookie: cookie } });
  assert.equal(me.status, 401);
  assert.equal((await login('sess1', 'Passw0rdB')).status, 200);
});
