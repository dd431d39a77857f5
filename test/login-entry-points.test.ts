// The four ways to log in (/v2 Basic, /service/token, API Basic, the portal's /c/login) are one
// login use case (issue 8 §2): the same bad or throttled credentials fail the same way at each,
// in each area's own envelope, and every attempt leaves exactly one audit record. Clients are
// told apart through a trusted proxy's X-Forwarded-For, so throttling one never slows another.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiClient, type Reply } from './helpers/api-client.js';
import { useHaven, type RunningHaven } from './helpers/haven.js';

let h: RunningHaven;
useHaven({ args: ['--trust-proxy', 'true'] }, (x) => (h = x));

type Entry = 'registry' | 'token' | 'api' | 'portal';
const entries: Entry[] = ['registry', 'token', 'api', 'portal'];
const basicOf = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/** The server's log (test Havens write it to haven.log in their data dir). */
const serverLog = () => readFileSync(join(h.dataDir, 'haven.log'), 'utf8');

let nextIp = 1;
const freshIp = () => `203.0.113.${nextIp++}`;

/** One login attempt at an entry point: a raw Authorization header, or the portal's form. */
function attempt(entry: Entry, ip: string, creds: { authorization: string } | { username: string; password: string }): Promise<Reply> {
  const c = apiClient(h);
  const authorization = 'authorization' in creds ? creds.authorization : basicOf(creds.username, creds.password);
  const headers = { 'X-Forwarded-For': ip };
  if (entry === 'registry') return c.call('GET', '/v2/', { authorization, headers });
  if (entry === 'token') return c.call('GET', '/service/token?service=haven', { authorization, headers });
  if (entry === 'api') return c.call('GET', '/api/v2.0/users/current', { authorization, headers });
  // The portal reads its form; a malformed attempt there is a form without the password.
  const form: Record<string, string> = 'authorization' in creds ? { principal: 'someone' } : { principal: creds.username, password: creds.password };
  return c.call('POST', '/c/login', { as: null, headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
}

/** The challenge each area sends with a 401 (the registry's names the token realm). */
function expectedChallenge(entry: Entry): string | null {
  if (entry === 'registry') return `Bearer realm="${h.url}/service/token",service="haven"`;
  if (entry === 'token') return 'Basic realm="haven"';
  return null;
}

/** Login records per username, once the audit writer has caught up with everything sent so far. */
async function loginRecords(): Promise<Map<string, boolean[]>> {
  // A last failed login, sent after everything else: once it is in the log, so is all before it
  // (the writer takes its queue in order, a batch per transaction).
  const marker = `marker-${Date.now()}`;
  assert.equal((await attempt('api', freshIp(), { username: marker, password: 'Wrong12345' })).status, 401);
  const c = apiClient(h);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await c.api('GET', `/audit-logs?${new URLSearchParams({ q: 'operation=login', page_size: '100' })}`);
    assert.equal(r.status, 200, r.text);
    const items = r.json as Array<{ username: string; operation_result: boolean }>;
    // The marker's own warning, the last written, says the log lines have all arrived too.
    if (items.some((i) => i.username === marker) && serverLog().includes(`"username":"${marker}"`)) {
      const byUser = new Map<string, boolean[]>();
      for (const i of items) byUser.set(i.username, [...(byUser.get(i.username) ?? []), i.operation_result]);
      byUser.delete(marker);
      return byUser;
    }
    assert.ok(Date.now() < deadline, `the marker login never reached the audit log and the server log: ${r.text}`);
    await sleep(100);
  }
}

test('bad, throttled and malformed credentials: the same failure at all four ways in, each attempt audited exactly once', async (t) => {
  const c = apiClient(h);
  assert.equal((await c.api('POST', '/users', { body: { username: 'eve', password: 'Eve12345678', email: 'eve@example.com' } })).status, 201);
  const expectedRecords = new Map<string, boolean[]>();
  const expect = (username: string, ...results: boolean[]) => expectedRecords.set(username, [...(expectedRecords.get(username) ?? []), ...results]);

  await t.test('a wrong password and an unknown user: 401, {"errors":[{"code":"UNAUTHORIZED",...}]}, the area\'s challenge', async () => {
    for (const entry of entries) {
      for (const username of ['eve', `nobody-${entry}`]) {
        const r = await attempt(entry, freshIp(), { username, password: 'NotThePassword1' });
        assert.equal(r.status, 401, `${entry} ${username}: ${r.text}`);
        assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
        assert.deepEqual(r.json, { errors: [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }] }, entry);
        assert.equal(r.headers.get('www-authenticate'), expectedChallenge(entry), entry);
        assert.equal(r.headers.get('retry-after'), null);
        assert.equal(r.headers.get('set-cookie'), null);
        expect(username, false);
      }
    }
  });

  await t.test('throttled: 429 with Retry-After (OCI code TOOMANYREQUESTS under /v2, Harbor\'s TOO_MANY_REQUESTS elsewhere)', async () => {
    for (const entry of entries) {
      const ip = freshIp();
      const username = `guesser-${entry}`;
      let throttled: Reply | undefined;
      // Six failures from one client lock it out for a second, doubling after each further one.
      for (let i = 0; i < 12 && !throttled; i++) {
        const r = await attempt(entry, ip, { username, password: `Guess${i}abcdef` });
        expect(username, false);
        if (r.status === 429) throttled = r;
        else assert.equal(r.status, 401, `${entry} attempt ${i + 1}: ${r.text}`);
      }
      assert.ok(throttled, `${entry}: never throttled`);
      const code = entry === 'registry' ? 'TOOMANYREQUESTS' : 'TOO_MANY_REQUESTS';
      assert.deepEqual(throttled.json, { errors: [{ code, message: 'too many failed logins; try again later' }] }, entry);
      const retryAfter = throttled.headers.get('retry-after');
      assert.match(retryAfter ?? '', /^[1-9]\d*$/, `${entry}: Retry-After ${retryAfter}`);
      assert.equal(throttled.headers.get('www-authenticate'), null, entry);
    }
  });

  await t.test('malformed credentials: 401 in the area\'s envelope, no login attempt (neither audited nor throttled)', async () => {
    const ip = freshIp();
    for (const entry of entries) {
      for (let i = 0; i < 7; i++) {
        const r = await attempt(entry, ip, { authorization: 'Basic bm8tY29sb24taGVyZQ==' }); // "no-colon-here"
        assert.equal(r.status, 401, `${entry}: ${r.text}`);
        const message = entry === 'portal' ? 'the form needs principal and password' : 'malformed Authorization header';
        assert.deepEqual(r.json, { errors: [{ code: 'UNAUTHORIZED', message }] }, entry);
        assert.equal(r.headers.get('www-authenticate'), entry === 'registry' ? expectedChallenge(entry) : null, entry);
      }
    }
    // Seven malformed attempts from this client did not count as failures: a right password works.
    assert.equal((await attempt('api', ip, { username: 'eve', password: 'Eve12345678' })).status, 200);
  });

  await t.test('successes: the portal and `docker login` (a token with no scope) are audited once; Basic on /v2 and the API are not', async () => {
    const ip = freshIp();
    for (const entry of entries) assert.equal((await attempt(entry, ip, { username: 'eve', password: 'Eve12345678' })).status, 200, entry);
    expect('eve', true, true);
  });

  const records = await loginRecords();
  const sorted = (m: Map<string, boolean[]>) => [...m].map(([k, v]) => [k, [...v].sort()] as const).sort(([a], [b]) => a.localeCompare(b));
  assert.deepEqual(sorted(records), sorted(expectedRecords));

  // And logged once: one "login failed" warning per failed attempt, none for malformed ones.
  const warnings = new Map<string, number>();
  for (const line of serverLog().split('\n')) {
    if (!line.includes('"login failed"')) continue;
    const u = (JSON.parse(line) as { username: string }).username;
    if (u.startsWith('marker-')) continue;
    warnings.set(u, (warnings.get(u) ?? 0) + 1);
  }
  for (const [username, results] of expectedRecords) {
    assert.equal(warnings.get(username) ?? 0, results.filter((ok) => !ok).length, `login failed lines for ${username}`);
  }
});
