import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from './helpers/eventually.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import type { AuditLogView } from '../src/services/audit/audit-service.js';

type AuditLog = AuditLogView;

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const admin = basic('admin', 'Admin12345');
const alice = basic('alice', 'Alice12345'); // project admin of audit-p1
const bob = basic('bob', 'Bob1234567'); // developer in audit-p1

/** Harbor's q layout for times: UTC, to the second. */
const harborTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

describe('audit log API', () => {
  let h: RunningHaven;
  let started = 0;

  const call = (path: string, auth?: string, init: RequestInit = {}) =>
    fetch(`${h.url}/api/v2.0${path}`, {
      ...init,
      headers: { ...(auth ? { Authorization: auth } : {}), ...(init.body ? { 'Content-Type': 'application/json' } : {}), ...(init.headers as Record<string, string>) },
      signal: AbortSignal.timeout(10_000),
    });
  const send = async (method: string, path: string, body: unknown, expect: number, auth = admin) => {
    const r = await call(path, auth, { method, body: JSON.stringify(body) });
    assert.equal(r.status, expect, `${method} ${path}: ${await r.text()}`);
  };
  /** GET a log list with q (URL-encoded here) and other params; returns items and the headers. */
  const logs = async (path: string, params: Record<string, string> = {}, auth = admin) => {
    const r = await call(`${path}?${new URLSearchParams(params)}`, auth);
    const text = await r.text();
    assert.equal(r.status, 200, `${path} ${JSON.stringify(params)}: ${text}`);
    return { items: JSON.parse(text) as AuditLog[], total: Number(r.headers.get('x-total-count')), link: r.headers.get('link') ?? '' };
  };
  const all = (params: Record<string, string> = {}, auth = admin) => logs('/audit-logs', { page_size: '100', ...params }, auth);

  before(async () => {
    h = await startHaven({ env: { HAVEN_ADMIN_PASSWORD: 'Admin12345' } });
    started = Date.now();
    await send('POST', '/users', { username: 'alice', password: 'Alice12345', email: 'alice@example.com' }, 201);
    await send('POST', '/users', { username: 'bob', password: 'Bob1234567', email: 'bob@example.com' }, 201);
    await send('POST', '/projects', { project_name: 'audit-p1', public: false }, 201);
    await send('POST', '/projects', { project_name: 'audit-p2', public: false }, 201);
    await send('POST', '/projects/audit-p1/members', { role_id: 1, member_user: { username: 'alice' } }, 201);
    await send('POST', '/projects/audit-p1/members', { role_id: 2, member_user: { username: 'bob' } }, 201);
    await send('PUT', '/projects/audit-p1', { metadata: { auto_scan: 'false' } }, 200);
    await send('DELETE', '/projects/audit-p2', undefined, 200);
    // Two failed logins (the throttle allows five per address before slowing down).
    assert.equal((await call('/users/current', basic('bob', 'WrongPass1'))).status, 401);
    assert.equal((await call('/users/current', basic('mallory', 'Mallory123'))).status, 401);
    // The audit writer flushes in batches: wait for the last of these records.
    await eventually(async () => assert.ok((await all()).items.some((i) => i.username === 'mallory'), 'the failed logins are recorded'));
  });

  after(async () => {
    await h?.cleanup();
  });

  test('lists the changes and failed logins with Harbor\'s AuditLog shape, newest first', async () => {
    const { items, total } = await all();
    assert.equal(total, items.length);
    const has = (e: Partial<AuditLog>) =>
      assert.ok(
        items.some((i) => Object.entries(e).every(([k, v]) => i[k as keyof AuditLog] === v)),
        `missing ${JSON.stringify(e)} in ${JSON.stringify(items, null, 1)}`,
      );
    has({ username: 'admin', operation: 'create', resource_type: 'user', resource: 'alice', operation_result: true });
    has({ username: 'admin', operation: 'create', resource_type: 'user', resource: 'bob' });
    has({ username: 'admin', operation: 'create', resource_type: 'project', resource: 'audit-p1' });
    has({ username: 'admin', operation: 'update', resource_type: 'project', resource: 'audit-p1' });
    has({ username: 'admin', operation: 'delete', resource_type: 'project', resource: 'audit-p2' });
    has({ username: 'admin', operation: 'create', resource_type: 'project_member', resource: 'audit-p1/alice:projectAdmin' });
    has({ username: 'admin', operation: 'create', resource_type: 'project_member', resource: 'audit-p1/bob:developer' });
    has({ username: 'bob', operation: 'login', resource_type: 'user', resource: 'bob', operation_result: false });
    has({ username: 'mallory', operation: 'login', resource_type: 'user', resource: 'mallory', operation_result: false });

    for (const i of items) {
      assert.deepEqual(Object.keys(i).sort(), ['id', 'op_time', 'operation', 'operation_result', 'resource', 'resource_type', 'username']);
      assert.equal(typeof i.id, 'number');
      assert.match(i.op_time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    }
    const times = items.map((i) => Date.parse(i.op_time));
    assert.deepEqual(times, [...times].sort((a, b) => b - a), 'default order is op_time descending');
    const asc = (await all({ sort: 'op_time' })).items.map((i) => Date.parse(i.op_time));
    assert.deepEqual(asc, [...asc].sort((a, b) => a - b));
    assert.deepEqual((await all({ sort: '-op_time' })).items, items);
  });

  test('filters by operation, username, resource, resource_type and op_time', async () => {
    const deletes = await all({ q: 'operation=delete' });
    assert.ok(deletes.items.length >= 1);
    assert.ok(deletes.items.every((i) => i.operation === 'delete'));
    assert.ok(deletes.items.some((i) => i.resource === 'audit-p2'));
    assert.equal(deletes.total, deletes.items.length);

    const either = await all({ q: 'operation={create delete}' });
    assert.ok(either.items.every((i) => i.operation === 'create' || i.operation === 'delete'));
    assert.ok(either.items.some((i) => i.operation === 'create') && either.items.some((i) => i.operation === 'delete'));

    const byBob = await all({ q: 'username=bob' });
    assert.deepEqual(byBob.items.map((i) => [i.operation, i.resource]), [['login', 'bob']]);

    const exact = await all({ q: 'resource=audit-p1' });
    assert.deepEqual(new Set(exact.items.map((i) => i.resource)), new Set(['audit-p1']));
    assert.deepEqual(exact.items.map((i) => i.operation).sort(), ['create', 'update']);

    const fuzzy = await all({ q: 'resource=~audit-p' });
    assert.ok(fuzzy.items.every((i) => i.resource.includes('audit-p')));
    assert.ok(fuzzy.items.some((i) => i.resource === 'audit-p2') && fuzzy.items.some((i) => i.resource === 'audit-p1/bob:developer'));

    const members = await all({ q: 'resource_type=project_member,operation=create' });
    assert.deepEqual(members.items.map((i) => i.resource).sort(), ['audit-p1/alice:projectAdmin', 'audit-p1/bob:developer']);

    const now = await all({ q: `op_time=[${harborTime(started)}~${harborTime(Date.now() + 60_000)}]` });
    assert.equal(now.total, (await all()).total);
    const past = await all({ q: 'op_time=[2024-01-01 00:00:00~2024-12-31 23:59:59]' });
    assert.deepEqual(past.items, []);
    assert.equal(past.total, 0);
    const openEnded = await all({ q: `op_time=[${harborTime(Date.now() + 3_600_000)}~]` });
    assert.equal(openEnded.total, 0);

    const combined = await all({ q: `operation=login,username=mallory,op_time=[${harborTime(started)}~]` });
    assert.equal(combined.total, 1);
  });

  test('pages with X-Total-Count and Link', async () => {
    const total = (await all()).total;
    assert.ok(total >= 9);
    const p1 = await logs('/audit-logs', { page: '1', page_size: '3' });
    assert.equal(p1.items.length, 3);
    assert.equal(p1.total, total);
    assert.match(p1.link, /page=2/);
    assert.match(p1.link, /rel="next"/);
    assert.doesNotMatch(p1.link, /rel="prev"/);
    const p2 = await logs('/audit-logs', { page: '2', page_size: '3' });
    assert.match(p2.link, /rel="prev"/);
    assert.equal(new Set([...p1.items, ...p2.items].map((i) => i.id)).size, 6, 'pages do not overlap');
    const last = await logs('/audit-logs', { page: String(Math.ceil(total / 3)), page_size: '3' });
    assert.doesNotMatch(last.link, /rel="next"/);
    assert.equal((await call('/audit-logs?page_size=1000', admin)).status, 400);
  });

  test('q values never become SQL: injection attempts match nothing, unknown keys are refused', async () => {
    const total = (await all()).total;
    for (const q of [
      "username=x' OR '1'='1",
      "username=admin' --",
      'username=admin" OR ""="',
      "operation=create') OR ('1'='1",
      "resource=~' OR 1=1 --",
      'resource=~%',
      'resource=~_',
      'operation={x\' OR 1=1}',
      'username=admin;DROP TABLE audit_logs',
    ]) {
      const r = await all({ q });
      assert.equal(r.total, 0, `${q} matched ${JSON.stringify(r.items)}`);
      assert.deepEqual(r.items, []);
    }
    for (const q of ["1=1", "username' OR '1'='1=x", 'id=1', 'op_time=[yesterday~today]', 'op_time=~2024', 'resource=[a~b]']) {
      const r = await call(`/audit-logs?${new URLSearchParams({ q })}`, admin);
      assert.equal(r.status, 400, q);
      const body = (await r.json()) as { errors: Array<{ code: string }> };
      assert.equal(body.errors[0]?.code, 'BAD_REQUEST');
    }
    assert.equal((await call(`/audit-logs?${new URLSearchParams({ sort: 'username; drop table audit_logs' })}`, admin)).status, 400);
    assert.equal((await all()).total, total, 'nothing was deleted');
  });

  test('anonymous callers get 401; users see only the projects they administer, as Harbor answers', async () => {
    const anon = await call('/audit-logs');
    assert.equal(anon.status, 401);
    assert.equal(((await anon.json()) as { errors: Array<{ code: string }> }).errors[0]?.code, 'UNAUTHORIZED');

    // bob is no project's admin: nothing, and in particular not the user records or failed logins.
    const b = await all({}, bob);
    assert.deepEqual(b.items, []);
    assert.equal(b.total, 0);

    // alice administers audit-p1: its records only.
    const a = await all({}, alice);
    assert.ok(a.items.length >= 4);
    assert.ok(a.items.every((i) => i.resource.startsWith('audit-p1')), JSON.stringify(a.items));
    assert.ok(!a.items.some((i) => i.resource_type === 'user' || i.operation === 'login'));
    const aMembers = await all({ q: 'resource_type=project_member' }, alice);
    assert.equal(aMembers.total, 2);
  });

  test('GET /projects/{name}/logs: the project admin and system admins; others refused', async () => {
    const a = await logs('/projects/audit-p1/logs', { page_size: '100' }, alice);
    assert.ok(a.items.length >= 4);
    assert.ok(a.items.every((i) => i.resource.startsWith('audit-p1')), JSON.stringify(a.items));
    assert.ok(a.items.some((i) => i.operation === 'create' && i.resource_type === 'project' && i.resource === 'audit-p1'));
    assert.ok(a.items.some((i) => i.operation === 'update' && i.resource_type === 'project'));
    assert.ok(a.items.some((i) => i.resource === 'audit-p1/bob:developer'));
    assert.equal(a.total, a.items.length);

    const viaAdmin = await logs('/projects/audit-p1/logs', { page_size: '100' });
    assert.deepEqual(viaAdmin.items, a.items);

    const filtered = await logs('/projects/audit-p1/logs', { q: 'resource_type=project_member,username=admin', page_size: '1' }, alice);
    assert.equal(filtered.total, 2);
    assert.equal(filtered.items.length, 1);
    assert.match(filtered.link, /rel="next"/);
    assert.match(filtered.link, /^<\/api\/v2\.0\/projects\/audit-p1\/logs\?/);

    const injected = await logs('/projects/audit-p1/logs', { q: "username=x' OR '1'='1" }, alice);
    assert.equal(injected.total, 0);

    assert.equal((await call('/projects/audit-p1/logs', bob)).status, 403);
    // audit-p1 is private: an anonymous caller is told it does not exist (F8), as for a missing project.
    assert.equal((await call('/projects/audit-p1/logs')).status, 404);
    assert.equal((await call('/projects/library/logs')).status, 401);
    assert.equal((await call('/projects/library/logs', alice)).status, 403);
    assert.equal((await call('/projects/no-such-project/logs', admin)).status, 404);
  });

  test("a new project never shows a deleted project's records, even when it gets the same id", async () => {
    // audit-p2 was the newest project and is deleted: SQLite may hand its id to the next one.
    await send('POST', '/projects', { project_name: 'audit-p3' }, 201, alice);
    const r = await eventually(async () => {
      const r = await logs('/projects/audit-p3/logs', {}, alice);
      assert.ok(r.items.length > 0, 'the creation is recorded');
      return r;
    });
    assert.deepEqual(
      r.items.map((i) => ({ username: i.username, operation: i.operation, resource: i.resource, resource_type: i.resource_type })),
      [{ username: 'alice', operation: 'create', resource: 'audit-p3', resource_type: 'project' }],
    );
    const mine = await all({}, alice);
    assert.ok(mine.items.some((i) => i.resource === 'audit-p3'));
    assert.ok(!mine.items.some((i) => i.resource === 'audit-p2'), JSON.stringify(mine.items));
  });
});
