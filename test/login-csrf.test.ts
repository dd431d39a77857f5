import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHaven, useHaven, type RunningHaven } from './helpers/haven.js';

let h: RunningHaven;
useHaven({}, (x) => (h = x));

function login(base: string, password: string, headers: Record<string, string> = {}) {
  return fetch(`${base}/c/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ principal: 'admin', password }),
  });
}

const sid = (r: Response) => /sid=([^;]+)/.exec(r.headers.get('set-cookie') ?? '')?.[1];

test('a login form posted from another site is refused with 403 and sets no cookie', async () => {
  const foreign: Array<Record<string, string>> = [{ Origin: 'https://evil.example' }, { Origin: 'null' }, { Referer: 'https://evil.example/phish.html' }];
  for (const headers of foreign) {
    const r = await login(h.url, h.admin.password, headers);
    assert.equal(r.status, 403, JSON.stringify(headers));
    assert.equal(r.headers.get('set-cookie'), null);
    assert.deepEqual(await r.json(), { errors: [{ code: 'FORBIDDEN', message: 'cross-origin request refused' }] });
  }
});

test('a login from Haven\'s own page, or with neither Origin nor Referer (curl), is accepted', async () => {
  const same = await login(h.url, h.admin.password, { Origin: h.url, Referer: `${h.url}/harbor/sign-in` });
  assert.equal(same.status, 200);
  assert.ok(sid(same));
  const curl = await login(h.url, h.admin.password);
  assert.equal(curl.status, 200);
  const viaReferer = await login(h.url, h.admin.password, { Referer: `${h.url}/account/sign-in?redirect=/` });
  assert.equal(viaReferer.status, 200);
});

test('the session cookie is HttpOnly, SameSite=Lax, Path=/; log out is POST only', async () => {
  const r = await login(h.url, h.admin.password);
  const cookie = r.headers.get('set-cookie')!;
  assert.match(cookie, /;\s*HttpOnly/i);
  assert.match(cookie, /;\s*SameSite=Lax/i);
  assert.match(cookie, /;\s*Path=\//i);
  assert.doesNotMatch(cookie, /;\s*Secure/i, 'plain http: no Secure flag, or the browser would drop it');
  const headers = { Cookie: `sid=${sid(r)}` };

  const viaGet = await fetch(`${h.url}/c/log_out`, { headers });
  assert.equal(viaGet.status, 405);
  assert.equal(viaGet.headers.get('allow'), 'POST');
  assert.equal((await fetch(`${h.url}/api/v2.0/users/current`, { headers })).status, 200, 'a GET must not end the session');

  const foreign = await fetch(`${h.url}/c/log_out`, { method: 'POST', headers: { ...headers, Origin: 'https://evil.example' } });
  assert.equal(foreign.status, 403);
  assert.equal((await fetch(`${h.url}/api/v2.0/users/current`, { headers })).status, 200);

  const out = await fetch(`${h.url}/c/log_out`, { method: 'POST', headers: { ...headers, Origin: h.url } });
  assert.equal(out.status, 200);
  assert.equal((await fetch(`${h.url}/api/v2.0/users/current`, { headers })).status, 401);
});

test('with externalUrl set, the origin compared is externalUrl; the cookie is Secure under https', async () => {
  const ext = 'https://registry.example.com';
  const e = await startHaven({ args: ['--external-url', ext] });
  try {
    // The request reaches Haven at 127.0.0.1, but its page is served at externalUrl.
    const own = await login(e.url, e.admin.password, { Origin: ext });
    assert.equal(own.status, 200);
    assert.match(own.headers.get('set-cookie')!, /;\s*Secure/i);
    assert.match(own.headers.get('set-cookie')!, /;\s*SameSite=Lax/i);
    assert.equal((await login(e.url, e.admin.password, { Origin: e.url })).status, 403);
  } finally {
    await e.cleanup();
  }
});
