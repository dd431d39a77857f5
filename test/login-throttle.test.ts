// Password guessing from one client cannot lock anyone out elsewhere (issue 7, F10): six wrong
// passwords for admin from one address throttle that address, while admin's right password from
// another address works at once. Two clients are simulated through a trusted proxy's
// X-Forwarded-For.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiClient, type Creds } from './helpers/api-client.js';
import { useHaven, type RunningHaven } from './helpers/haven.js';

let h: RunningHaven;
useHaven({ args: ['--trust-proxy', 'true'] }, (x) => (h = x));

const clientA = { 'X-Forwarded-For': '203.0.113.10' };
const clientB = { 'X-Forwarded-For': '198.51.100.20' };

test("six wrong admin passwords from client A: A is throttled (429, Retry-After), admin's right password from B works at once", async () => {
  const c = apiClient(h);
  const wrong: Creds = { username: 'admin', password: 'NotThePassword1' };
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await c.call('GET', '/service/token?service=haven', { as: wrong, headers: clientA })).status);
  assert.deepEqual(statuses, [401, 401, 401, 401, 401, 401]);

  // A is throttled now, even with the right password, on every way in.
  const fromA = await c.call('GET', '/service/token?service=haven', { as: c.admin, headers: clientA });
  assert.equal(fromA.status, 429);
  assert.ok(Number(fromA.headers.get('retry-after')) >= 1, `Retry-After: ${fromA.headers.get('retry-after')}`);
  assert.equal((await c.api('GET', '/users/current', { as: c.admin, headers: clientA })).status, 429);
  const v2 = await c.call('GET', '/v2/', { as: c.admin, headers: clientA });
  assert.equal(v2.status, 429);
  assert.equal(v2.json.errors[0].code, 'TOOMANYREQUESTS');

  // B never failed: admin gets in from there at once, through the token service, the API and /v2.
  const fromB = await c.call('GET', '/service/token?service=haven', { as: c.admin, headers: clientB });
  assert.equal(fromB.status, 200, fromB.text);
  assert.equal((await c.api('GET', '/users/current', { as: c.admin, headers: clientB })).status, 200);
  assert.equal((await c.call('GET', '/v2/', { as: c.admin, headers: clientB })).status, 200);
  const portal = await c.call('POST', '/c/login', {
    as: null,
    headers: { ...clientB, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ principal: 'admin', password: c.admin.password }).toString(),
  });
  assert.equal(portal.status, 200, portal.text);
});
