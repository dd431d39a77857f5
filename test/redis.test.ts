// Haven with redis.url (issue 10, section 3): login throttles live in Redis (so two Havens, or
// one restarted, count together), a disabled robot is refused at once, an unusable Redis stops
// start-up with one line naming redis.url, and a Redis that goes away gives clients a quick 503
// (OCI error under /v2, Harbor's under /api) until it is back, when everything recovers by itself.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { redisSkip, startRedis, type RedisBackend } from './backends/redis.js';
import { apiClient, type Creds } from './helpers/api-client.js';
import { eventually } from './helpers/eventually.js';
import { havenBin, startHaven, testAdminPassword, type RunningHaven } from './helpers/haven.js';

const clientA = { 'X-Forwarded-For': '203.0.113.10' };
const clientB = { 'X-Forwarded-For': '198.51.100.20' };

/** `haven serve` that is expected to refuse to start: its exit code and what it printed. */
async function failedStart(args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'haven-test-'));
  try {
    const proc = spawn(process.execPath, [havenBin, 'serve', '--listen', '127.0.0.1:0', '--data-dir', dir, ...args], {
      env: { ...process.env, HAVEN_CONFIG: '/dev/null', HAVEN_ADMIN_PASSWORD: testAdminPassword },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
    return { code, stderr, stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('haven serve with redis.url', { skip: redisSkip }, () => {
  let redis: RedisBackend;
  let h: RunningHaven;
  /** The robot the robot test made (disabled), and its credentials. */
  let robotId = 0;
  let robot: Creds;
  before(async () => {
    redis = await startRedis({ password: 'redis-secret-1' });
    h = await startHaven({ args: ['--trust-proxy', 'true', '--redis-url', redis.url], projects: ['p1'] });
  });
  after(async () => {
    await h?.cleanup();
    await redis?.cleanup();
  });

  test('an unreachable Redis or a wrong password stops start-up with one line naming redis.url (and no password)', async () => {
    const down = await startRedis();
    await down.stop();
    const unreachable = await failedStart(['--redis-url', down.url]);
    await down.cleanup();
    assert.equal(unreachable.code, 1, unreachable.stderr);
    assert.equal(unreachable.stderr.trim().split('\n').length, 1, unreachable.stderr);
    assert.match(unreachable.stderr, /^haven: redis\.url: cannot use Redis at redis:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    assert.doesNotMatch(unreachable.stdout, /listening/);

    const badPassword = await failedStart(['--redis-url', redis.url.replace('redis-secret-1', 'not-the-secret')]);
    assert.equal(badPassword.code, 1, badPassword.stderr);
    assert.equal(badPassword.stderr.trim().split('\n').length, 1, badPassword.stderr);
    assert.match(badPassword.stderr, /^haven: redis\.url: cannot use Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: .*(WRONGPASS|NOAUTH|invalid)/i);
    assert.doesNotMatch(badPassword.stderr, /not-the-secret/);

    const noSuchDb = await failedStart(['--redis-url', `${redis.url}/99`]);
    assert.equal(noSuchDb.code, 1, noSuchDb.stderr);
    assert.match(noSuchDb.stderr, /^haven: redis\.url: .*DB index is out of range/);

    const notRedis = await failedStart(['--redis-url', 'http://127.0.0.1:6379']);
    assert.equal(notRedis.code, 2, notRedis.stderr);
    assert.match(notRedis.stderr, /redis\.url|redis-url/);
  });

  test('health reports the redis component', async () => {
    const r = await apiClient(h).api('GET', '/health');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.components.find((c: { name: string }) => c.name === 'redis'), { name: 'redis', status: 'healthy' });
  });

  test('failed logins are counted in Redis: a second Haven on the same Redis throttles the same client, and so does this one after a restart', async () => {
    // An account no one has logged into (a remembered login skips the throttle).
    const guess = (password: string): Creds => ({ username: 'alice', password });
    const c = apiClient(h);
    // Another instance (its own database, the same Redis), ready before the guessing starts: the
    // first wait lasts one second.
    const other = await startHaven({ args: ['--trust-proxy', 'true', '--redis-url', redis.url] });
    try {
      for (let i = 0; i < 6; i++) assert.equal((await c.call('GET', '/service/token?service=haven', { as: guess(`Guess${i}abc`), headers: clientA })).status, 401);
      const o = apiClient(other);
      const r = await o.call('GET', '/v2/', { as: guess('Guess8abc'), headers: clientA });
      assert.equal(r.status, 429, r.text);
      assert.equal(r.json.errors[0].code, 'TOOMANYREQUESTS');
      assert.equal((await c.call('GET', '/v2/', { as: guess('Guess7abc'), headers: clientA })).status, 429);
      assert.equal((await o.call('GET', '/v2/', { as: guess('Guess8abc'), headers: clientB })).status, 401, 'a client that never failed is checked');
      assert.equal((await o.call('GET', '/v2/', { as: o.admin, headers: clientA })).status, 200, 'and so are other accounts from the throttled client');
    } finally {
      await other.cleanup();
    }

    // A restart forgets nothing: once the wait is over, the next failure is the seventh, not the
    // first, so it throttles again at once (an in-process count would have started over).
    await h.stop();
    h = await startHaven({ dataDir: h.dataDir, args: ['--trust-proxy', 'true', '--redis-url', redis.url] });
    const again = apiClient(h);
    await eventually(async () => assert.equal((await again.call('GET', '/v2/', { as: guess('Guess9abc'), headers: clientA })).status, 401));
    assert.equal((await again.call('GET', '/v2/', { as: guess('Guess10abc'), headers: clientA })).status, 429);
  });

  test('a robot disabled through the API is refused at once, its token included', async () => {
    const c = apiClient(h);
    const created = await c.api('POST', '/robots', {
      body: { name: 'puller', level: 'system', duration: 1, permissions: [{ kind: 'project', namespace: 'p1', access: [{ resource: 'repository', action: 'pull' }] }] },
    });
    assert.equal(created.status, 201, created.text);
    robotId = created.json.id;
    robot = { username: created.json.name, password: created.json.secret };
    const tok = await c.token(robot, 'repository:p1/x:pull');
    assert.equal(tok.status, 200);
    const bearer = `Bearer ${tok.token}`;
    assert.equal((await c.call('GET', '/v2/p1/x/tags/list', { authorization: bearer })).status, 404, 'usable: the repository is just missing');

    assert.equal((await c.api('PUT', `/robots/${created.json.id}`, { body: { disable: true } })).status, 200);
    const refused = await c.call('GET', '/v2/p1/x/tags/list', { authorization: bearer });
    assert.equal(refused.status, 401, refused.text);
    assert.equal((await c.token(robot, 'repository:p1/x:pull')).status, 401);
  });

  test("a password reset by `haven user` (another process on the same Redis) ends the server's remembered login at once", async () => {
    const c = apiClient(h);
    const created = await c.api('POST', '/users', { body: { username: 'carol', email: 'carol@example.com', realname: 'Carol', password: 'Carol12345' } });
    assert.equal(created.status, 201, created.text);
    const old: Creds = { username: 'carol', password: 'Carol12345' };
    assert.equal((await c.api('GET', '/users/current', { as: old })).status, 200, 'checked once, so remembered for a minute');
    const cli = spawn(process.execPath, [havenBin, 'user', 'reset-password', 'carol', '--password', 'Carol99999', '--data-dir', h.dataDir, '--redis-url', redis.url], {
      env: { ...process.env, HAVEN_CONFIG: '/dev/null', HAVEN_DATABASE_URL: h.databaseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    cli.stdout.on('data', (d) => (out += d));
    cli.stderr.on('data', (d) => (out += d));
    assert.equal(await new Promise((resolve) => cli.once('exit', resolve)), 0, out);
    assert.match(out, /servers on the same Redis refuse the old password at once/);
    assert.equal((await c.api('GET', '/users/current', { as: old })).status, 401);
    assert.equal((await c.api('GET', '/users/current', { as: { username: 'carol', password: 'Carol99999' } })).status, 200);
  });

  test('Redis stops: what needs it answers 503 at once (OCI error under /v2, Harbor error under /api), health says so; all recovers when it is back', async () => {
    const c = apiClient(h);
    // A login the server has not seen (not cached), so the throttle in Redis must be asked.
    const stranger: Creds = { username: 'nobody-yet', password: 'Whatever123' };
    assert.equal((await c.call('GET', '/v2/', { as: stranger })).status, 401);
    const started = await c.call('POST', '/v2/p1/img/blobs/uploads/');
    assert.equal(started.status, 202, started.text);
    await redis.stop();
    try {
      const t0 = Date.now();
      const v2 = await c.call('GET', '/v2/', { as: { username: 'admin', password: 'Another123' } });
      assert.equal(v2.status, 503, v2.text);
      assert.equal(v2.json.errors[0].code, 'UNAVAILABLE');
      const api = await c.api('GET', '/users/current', { as: { username: 'admin', password: 'YetAnother123' } });
      assert.equal(api.status, 503, api.text);
      assert.equal(api.json.errors[0].code, 'SERVICE_UNAVAILABLE');
      // Writing to an upload needs its lock.
      const patch = await c.call('PATCH', started.headers.get('location')!, { body: 'abc', headers: { 'Content-Type': 'application/octet-stream' } });
      assert.equal(patch.status, 503, patch.text);
      assert.equal(patch.json.errors[0].code, 'UNAVAILABLE');
      assert.ok(Date.now() - t0 < 5000, `answered in ${Date.now() - t0} ms`);
      const health = await c.api('GET', '/health', { as: null });
      assert.equal(health.status, 503, health.text);
      assert.equal(health.json.components.find((x: { name: string }) => x.name === 'redis').status, 'unhealthy');
      // What needs no Redis goes on: a remembered login, the database, storage.
      const project = await c.api('GET', '/projects/p1');
      assert.equal(project.status, 200, project.text);
      // A change is made and reported as made, though the other instances cannot be told now
      // (their copies live out their short TTLs, and are dropped when they reconnect).
      const enable = await c.api('PUT', `/robots/${robotId}`, { body: { disable: false } });
      assert.equal(enable.status, 200, enable.text);
    } finally {
      await redis.start();
    }
    await eventually(async () => assert.equal((await c.api('GET', '/health', { as: null })).status, 200), { timeoutMs: 15_000 });
    const v2 = await c.call('GET', '/v2/', { as: { username: 'admin', password: 'Another123' } });
    assert.equal(v2.status, 401, 'a wrong password is just wrong again');
    assert.equal((await c.token(robot, 'repository:p1/x:pull')).status, 200, 'the robot enabled during the outage logs in');
    // The upload that was refused goes on where it was.
    const patch = await c.call('PATCH', started.headers.get('location')!, { body: 'abc', headers: { 'Content-Type': 'application/octet-stream' } });
    assert.equal(patch.status, 202, patch.text);
    assert.equal(patch.headers.get('range'), '0-2');
  });
});

describe('haven serve with a rediss:// (TLS) redis.url', { skip: redisSkip }, () => {
  test('a server certificate from a CA the process trusts (NODE_EXTRA_CA_CERTS) works; an untrusted one stops start-up naming redis.url', async () => {
    const redis = await startRedis({ tls: true, password: 'tls-secret-1' });
    try {
      assert.match(redis.url, /^rediss:/);
      const untrusted = await failedStart(['--redis-url', redis.url]);
      assert.equal(untrusted.code, 1, untrusted.stderr);
      assert.match(untrusted.stderr, /^haven: redis\.url: cannot use Redis at rediss:\/\/:\*\*\*@127\.0\.0\.1:\d+: .*(certificate|self.signed|issuer)/i);

      const h = await startHaven({ args: ['--redis-url', redis.url], env: { NODE_EXTRA_CA_CERTS: redis.caFile } });
      try {
        const c = apiClient(h);
        const health = await c.api('GET', '/health', { as: null });
        assert.deepEqual(health.json.components.find((x: { name: string }) => x.name === 'redis'), { name: 'redis', status: 'healthy' });
        assert.equal((await c.call('GET', '/v2/', { as: { username: 'nobody', password: 'Nothing123' } })).status, 401, 'a login (the throttle in Redis) works');
      } finally {
        await h.cleanup();
      }
    } finally {
      await redis.cleanup();
    }
  });
});
