import { havenSql } from './helpers/haven-db.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually } from './helpers/eventually.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';

/**
 * Robot accounts end to end over HTTP: Harbor's /api/v2.0/robots, who may manage which robots,
 * and robots logging in at /service/token with exactly their grants.
 */

interface Creds {
  username: string;
  password: string;
}

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response JSON loosely, field by field
  json: any;
}

const adminPassword = 'Admin12345';
const admin: Creds = { username: 'admin', password: adminPassword };
const alice: Creds = { username: 'alice', password: 'Alice12345' }; // projectAdmin of p1
const dave: Creds = { username: 'dave', password: 'Dave123456' }; // developer of p1

let haven: RunningHaven;
/** Every secret the server handed out: none may appear anywhere else. */
const secrets: string[] = [];
/** Bodies of every response other than create/refresh: none may hold a secret. */
const otherBodies: string[] = [];

const basic = (c: Creds) => `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;

/** One API call with explicit credentials (null: anonymous). */
async function call(method: string, path: string, opts: { as?: Creds | null; body?: unknown; secretBearing?: boolean } = {}): Promise<Reply> {
  const as = opts.as === undefined ? admin : opts.as;
  const headers: Record<string, string> = as ? { Authorization: basic(as) } : {};
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(`${haven.url}${path}`, {
    method,
    headers,
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await r.text();
  if (!opts.secretBearing) otherBodies.push(text);
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: r.status, headers: r.headers, text, json };
}

const api = (method: string, path: string, opts: { as?: Creds | null; body?: unknown; secretBearing?: boolean } = {}) => call(method, `/api/v2.0${path}`, opts);

function perm(namespace: string, ...pairs: string[]) {
  return { kind: 'project', namespace, access: pairs.map((p) => ({ resource: p.split(':')[0], action: p.split(':')[1] })) };
}

/** Creates a robot and returns the RobotCreated body, remembering its secret. */
async function createRobot(body: Record<string, unknown>, as: Creds = admin): Promise<{ id: number; name: string; secret: string; expires_at: number; creation_time: string }> {
  const r = await api('POST', '/robots', { as, body, secretBearing: true });
  assert.equal(r.status, 201, r.text);
  assert.equal(typeof r.json.secret, 'string');
  assert.ok(r.json.secret.length >= 16, 'a generated secret is long');
  secrets.push(r.json.secret);
  return r.json;
}

/** The registry token a robot (or anyone) gets for one scope, decoded; null on refusal. */
async function tokenAccess(c: Creds | null, scope: string): Promise<{ status: number; access: Array<{ type: string; name: string; actions: string[] }> | null }> {
  const r = await call('GET', `/service/token?service=haven&scope=${encodeURIComponent(scope)}`, { as: c });
  if (r.status !== 200) return { status: r.status, access: null };
  const payload = JSON.parse(Buffer.from(String(r.json.token).split('.')[1]!, 'base64url').toString('utf8'));
  return { status: 200, access: payload.access };
}

let p1Id = 0;
let p2Id = 0;

before(async () => {
  haven = await startHaven({ env: { HAVEN_ADMIN_PASSWORD: adminPassword } });
  for (const u of [alice, dave]) {
    const r = await api('POST', '/users', { body: { username: u.username, password: u.password, email: `${u.username}@example.com` } });
    assert.equal(r.status, 201, r.text);
  }
  for (const name of ['p1', 'p2']) {
    const r = await api('POST', '/projects', { body: { project_name: name, metadata: { public: 'false' } } });
    assert.equal(r.status, 201, r.text);
  }
  p1Id = (await api('GET', '/projects/p1', { as: admin })).json.project_id;
  p2Id = (await api('GET', '/projects/p2', { as: admin })).json.project_id;
  for (const [u, role] of [[alice, 1], [dave, 2]] as const) {
    const r = await api('POST', '/projects/p1/members', { body: { role_id: role, member_user: { username: u.username } } });
    assert.equal(r.status, 201, r.text);
  }
});

after(async () => {
  await haven?.cleanup();
});

describe('robot accounts', () => {
  let ci: { id: number; name: string; secret: string };
  let sys: { id: number; name: string; secret: string };
  let puller: { id: number; name: string; secret: string };

  test('a project admin creates a project robot: 201, Location, the secret shown once', async () => {
    const r = await api('POST', '/robots', {
      as: alice,
      body: { name: 'ci', description: 'builds', level: 'project', duration: -1, permissions: [perm('p1', 'repository:pull', 'repository:push')] },
      secretBearing: true,
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers.get('location'), `/api/v2.0/robots/${r.json.id}`);
    assert.equal(r.json.name, 'robot$p1+ci');
    assert.equal(r.json.expires_at, -1);
    assert.ok(typeof r.json.secret === 'string' && r.json.secret.length >= 16);
    assert.ok(!Number.isNaN(Date.parse(r.json.creation_time)));
    assert.deepEqual(Object.keys(r.json).sort(), ['creation_time', 'expires_at', 'id', 'name', 'secret']);
    secrets.push(r.json.secret);
    ci = r.json;
  });

  test('a system admin creates a system robot spanning projects, with a duration in days', async () => {
    const before = Math.floor(Date.now() / 1000);
    sys = await createRobot({
      name: 'sys',
      level: 'system',
      duration: 10,
      permissions: [perm('p1', 'repository:pull'), perm('p2', 'repository:pull', 'repository:push', 'artifact:delete')],
    });
    assert.equal(sys.name, 'robot$sys');
    const expires = (sys as unknown as { expires_at: number }).expires_at;
    assert.ok(Math.abs(expires - (before + 10 * 86_400)) < 120, `expires_at ${expires} is 10 days on, in epoch seconds`);
  });

  test('GET shows the robot (Harbor\'s Robot shape) but never its secret', async () => {
    const r = await api('GET', `/robots/${ci.id}`, { as: alice });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.secret, undefined);
    assert.equal(r.json.id, ci.id);
    assert.equal(r.json.name, 'robot$p1+ci');
    assert.equal(r.json.description, 'builds');
    assert.equal(r.json.level, 'project');
    assert.equal(r.json.duration, -1);
    assert.equal(r.json.expires_at, -1);
    assert.equal(r.json.disable, false);
    assert.equal(r.json.editable, true);
    assert.equal(r.json.creator_type, 'local');
    assert.ok(r.json.creator_ref > 0);
    assert.equal(r.json.permissions.length, 1);
    assert.equal(r.json.permissions[0].kind, 'project');
    assert.equal(r.json.permissions[0].namespace, 'p1');
    assert.deepEqual(
      r.json.permissions[0].access.map((a: { resource: string; action: string }) => `${a.resource}:${a.action}`).sort(),
      ['repository:pull', 'repository:push'],
    );

    const s = await api('GET', `/robots/${sys.id}`);
    assert.equal(s.status, 200);
    assert.equal(s.json.level, 'system');
    assert.deepEqual(s.json.permissions.map((p: { namespace: string }) => p.namespace).sort(), ['p1', 'p2']);
    // A developer of p1 may read p1's robots (robot:read), not system ones.
    assert.equal((await api('GET', `/robots/${ci.id}`, { as: dave })).status, 200);
    // A system robot is the administrators' alone: to anyone else it does not exist (F8).
    assert.equal((await api('GET', `/robots/${sys.id}`, { as: dave })).status, 404);
    assert.equal((await api('GET', '/robots/999999')).status, 404);
  });

  test('lists project robots with paging headers; system robots for admins; name filters', async () => {
    puller = await createRobot({ name: 'puller', level: 'project', duration: 30, permissions: [perm('p1', 'repository:pull')] }, alice);
    await createRobot({ name: 'extra1', level: 'project', permissions: [perm('p1', 'artifact:read', 'tag:create')] }, alice);
    await createRobot({ name: 'other', level: 'project', permissions: [perm('p2', 'repository:pull')] });

    const q = encodeURIComponent(`level=project,project_id=${p1Id}`);
    const page1 = await api('GET', `/robots?q=${q}&page=1&page_size=2`, { as: alice });
    assert.equal(page1.status, 200, page1.text);
    assert.equal(page1.headers.get('x-total-count'), '3');
    assert.match(page1.headers.get('link') ?? '', /page=2.*rel="next"/);
    assert.equal(page1.json.length, 2);
    const page2 = await api('GET', `/robots?q=${q}&page=2&page_size=2`, { as: alice });
    assert.equal(page2.json.length, 1);
    assert.match(page2.headers.get('link') ?? '', /page=1.*rel="prev"/);
    const names = [...page1.json, ...page2.json].map((r: { name: string }) => r.name).sort();
    assert.deepEqual(names, ['robot$p1+ci', 'robot$p1+extra1', 'robot$p1+puller']);
    for (const r of [...page1.json, ...page2.json]) assert.equal(r.secret, undefined);

    // Harbor's UI spells the keys Level and ProjectID.
    const harborStyle = await api('GET', `/robots?q=${encodeURIComponent(`Level=project,ProjectID=${p1Id}`)}`, { as: dave });
    assert.equal(harborStyle.status, 200, harborStyle.text);
    assert.equal(harborStyle.headers.get('x-total-count'), '3');

    const fuzzy = await api('GET', `/robots?q=${encodeURIComponent(`level=project,project_id=${p1Id},name=~pull`)}`, { as: alice });
    assert.deepEqual(fuzzy.json.map((r: { name: string }) => r.name), ['robot$p1+puller']);
    const exact = await api('GET', `/robots?q=${encodeURIComponent(`level=project,project_id=${p1Id},name=robot$p1+ci`)}`, { as: alice });
    assert.deepEqual(exact.json.map((r: { name: string }) => r.name), ['robot$p1+ci']);

    const system = await api('GET', '/robots');
    assert.equal(system.status, 200);
    assert.deepEqual(system.json.map((r: { name: string }) => r.name), ['robot$sys']);
    assert.equal(system.headers.get('x-total-count'), '1');

    // Project members list their own project only; system robots are for administrators.
    assert.equal((await api('GET', '/robots', { as: alice })).status, 403);
    // p2 is private and alice no member: it is answered as a missing project (F8).
    assert.equal((await api('GET', `/robots?q=${encodeURIComponent(`level=project,project_id=${p2Id}`)}`, { as: alice })).status, 404);
    assert.equal((await api('GET', `/robots?q=${encodeURIComponent('level=project')}`, { as: alice })).status, 400);
    assert.equal((await api('GET', `/robots?q=${encodeURIComponent('level=galaxy')}`)).status, 400);
  });

  test('robots authenticate at /service/token and get exactly their grants', async () => {
    const pull = await tokenAccess({ username: puller.name, password: puller.secret }, 'repository:p1/x:pull,push');
    assert.equal(pull.status, 200);
    assert.deepEqual(pull.access, [{ type: 'repository', name: 'p1/x', actions: ['pull'] }]);

    const push = await tokenAccess({ username: ci.name, password: ci.secret }, 'repository:p1/x:pull,push');
    assert.deepEqual(push.access, [{ type: 'repository', name: 'p1/x', actions: ['pull', 'push'] }]);
    const elsewhere = await tokenAccess({ username: ci.name, password: ci.secret }, 'repository:p2/x:pull,push');
    assert.deepEqual(elsewhere.access, [{ type: 'repository', name: 'p2/x', actions: [] }]);

    const sysP2 = await tokenAccess({ username: sys.name, password: sys.secret }, 'repository:p2/x:pull,push,delete');
    assert.deepEqual(sysP2.access, [{ type: 'repository', name: 'p2/x', actions: ['pull', 'push', 'delete'] }]);
    const sysP1 = await tokenAccess({ username: sys.name, password: sys.secret }, 'repository:p1/x:pull,push');
    assert.deepEqual(sysP1.access, [{ type: 'repository', name: 'p1/x', actions: ['pull'] }]);
  });

  test('a robot may not manage robots, even with its valid credentials: 403', async () => {
    const robot = { username: ci.name, password: ci.secret };
    assert.equal((await api('GET', '/robots', { as: robot })).status, 403);
    assert.equal((await api('GET', `/robots?q=${encodeURIComponent(`level=project,project_id=${p1Id}`)}`, { as: robot })).status, 403);
    assert.equal((await api('GET', `/robots/${ci.id}`, { as: robot })).status, 403);
    assert.equal((await api('POST', '/robots', { as: robot, body: { name: 'child', level: 'project', permissions: [perm('p1', 'repository:pull')] } })).status, 403);
    assert.equal((await api('PATCH', `/robots/${ci.id}`, { as: robot, body: {} })).status, 403);
    assert.equal((await api('DELETE', `/robots/${puller.id}`, { as: robot })).status, 403);
  });

  test('who may create: developer 403, anonymous 401, project admin only in its project, bad input 400, duplicates 409', async () => {
    const body = { name: 'nope', level: 'project', permissions: [perm('p1', 'repository:pull')] };
    assert.equal((await api('POST', '/robots', { as: dave, body })).status, 403);
    assert.equal((await api('POST', '/robots', { as: null, body })).status, 401);
    assert.equal((await api('GET', '/robots', { as: null })).status, 401);
    assert.equal((await api('GET', `/robots/${ci.id}`, { as: null })).status, 401);

    // A project admin of p1 is nobody in p2, and no administrator.
    assert.equal((await api('POST', '/robots', { as: alice, body: { ...body, permissions: [perm('p2', 'repository:pull')] } })).status, 404, 'p2 is hidden from alice');
    assert.equal((await api('POST', '/robots', { as: alice, body: { name: 'mine', level: 'system', permissions: [perm('p1', 'repository:pull')] } })).status, 403);
    assert.equal((await api('POST', '/robots', { as: alice, body: { name: 'all', level: 'system', permissions: [perm('*', 'repository:pull')] } })).status, 403);

    const bad = async (b: Record<string, unknown>, as: Creds = alice) => {
      const r = await api('POST', '/robots', { as, body: { ...body, ...b } });
      assert.equal(r.status, 400, `${JSON.stringify(b)} -> ${r.status} ${r.text}`);
      assert.equal(r.json.errors[0].code, 'BAD_REQUEST');
    };
    await bad({ permissions: [perm('p1', 'nonsense:pull')] });
    await bad({ permissions: [perm('p1', 'repository:fly')] });
    await bad({ permissions: [perm('p1', '*:*')] });
    await bad({ permissions: [] });
    await bad({ permissions: [perm('p1')] });
    await bad({ permissions: [perm('p1', 'repository:pull'), perm('p1', 'repository:push')] });
    await bad({ permissions: [perm('*', 'repository:pull')] });
    await bad({ permissions: [{ kind: 'system', namespace: '/', access: [{ resource: 'repository', action: 'pull' }] }] });
    await bad({ permissions: [{ ...perm('p1', 'repository:pull'), access: [{ resource: 'repository', action: 'pull', effect: 'deny' }] }] });
    await bad({ name: 'Bad+Name' });
    await bad({ name: '' });
    await bad({ level: 'galaxy' });
    await bad({ duration: -5 });
    await bad({ duration: 1.5 });
    await bad({ secret: 'weak' });
    await bad({ permissions: 'repository:pull' });

    const dup = await api('POST', '/robots', { as: alice, body: { name: 'ci', level: 'project', permissions: [perm('p1', 'repository:pull')] } });
    assert.equal(dup.status, 409, dup.text);
    const missing = await api('POST', '/robots', { body: { name: 'ghost', level: 'system', permissions: [perm('nosuchproject', 'repository:pull')] } });
    assert.equal(missing.status, 404, missing.text);
  });

  test('update: description, permissions and disable; name and level stay', async () => {
    let r = await api('PUT', `/robots/${ci.id}`, { as: alice, body: { description: 'pull only now', permissions: [perm('p1', 'repository:pull')] } });
    assert.equal(r.status, 200, r.text);
    r = await api('GET', `/robots/${ci.id}`, { as: alice });
    assert.equal(r.json.description, 'pull only now');
    assert.deepEqual(r.json.permissions[0].access.map((a: { action: string }) => a.action), ['pull']);
    const pull = await tokenAccess({ username: ci.name, password: ci.secret }, 'repository:p1/x:pull,push');
    assert.deepEqual(pull.access, [{ type: 'repository', name: 'p1/x', actions: ['pull'] }]);

    // Harbor clients PUT the whole Robot back, read-only fields included.
    const whole = { ...r.json, permissions: [perm('p1', 'repository:pull', 'repository:push')], duration: 5 };
    r = await api('PUT', `/robots/${ci.id}`, { as: alice, body: whole });
    assert.equal(r.status, 200, r.text);
    r = await api('GET', `/robots/${ci.id}`, { as: alice });
    assert.equal(r.json.duration, 5);
    assert.equal(r.json.expires_at, Math.floor(Date.parse(r.json.creation_time) / 1000) + 5 * 86_400);
    assert.deepEqual(r.json.permissions[0].access.map((a: { action: string }) => a.action).sort(), ['pull', 'push']);

    assert.equal((await api('PUT', `/robots/${ci.id}`, { as: alice, body: { level: 'system' } })).status, 400);
    assert.equal((await api('PUT', `/robots/${ci.id}`, { as: alice, body: { name: 'robot$p1+renamed' } })).status, 400);
    assert.equal((await api('PUT', `/robots/${ci.id}`, { as: alice, body: { permissions: [perm('p2', 'repository:pull')] } })).status, 400);
    assert.equal((await api('PUT', `/robots/${ci.id}`, { as: alice, body: { permissions: [perm('p1', 'bogus:read')] } })).status, 400);
    assert.equal((await api('PUT', `/robots/${ci.id}`, { as: dave, body: { description: 'x' } })).status, 403);
    assert.equal((await api('PUT', `/robots/${sys.id}`, { as: alice, body: { description: 'x' } })).status, 404);

    // Disabled robots cannot log in; enabled again, they can.
    r = await api('PUT', `/robots/${puller.id}`, { as: alice, body: { disable: true } });
    assert.equal(r.status, 200, r.text);
    assert.equal((await api('GET', `/robots/${puller.id}`, { as: alice })).json.disable, true);
    assert.equal((await tokenAccess({ username: puller.name, password: puller.secret }, 'repository:p1/x:pull')).status, 401);
    assert.equal((await api('PUT', `/robots/${puller.id}`, { as: alice, body: { disable: false } })).status, 200);
    assert.equal((await tokenAccess({ username: puller.name, password: puller.secret }, 'repository:p1/x:pull')).status, 200);

    // System robots: administrators may widen them to every project.
    r = await api('PUT', `/robots/${sys.id}`, { body: { permissions: [perm('*', 'repository:pull')] } });
    assert.equal(r.status, 200, r.text);
    const anyProject = await tokenAccess({ username: sys.name, password: sys.secret }, 'repository:p2/y:pull,push');
    assert.deepEqual(anyProject.access, [{ type: 'repository', name: 'p2/y', actions: ['pull'] }]);
  });

  test('an expired robot cannot log in', async () => {
    const short = await createRobot({ name: 'short', level: 'project', duration: 1, permissions: [perm('p1', 'repository:pull')] }, alice);
    assert.equal((await tokenAccess({ username: short.name, password: short.secret }, 'repository:p1/x:pull')).status, 200);
    // Lifetimes are whole days (0 means Harbor's default of 30), so no API request makes a robot
    // that is already expired: move its expiry into the past in the database, as time would.
    const changed = await havenSql(haven, 'UPDATE robots SET expires_at = ? WHERE id = ?', [Date.now() - 60_000, short.id]);
    assert.equal(changed.changes, 1);
    assert.equal((await tokenAccess({ username: short.name, password: short.secret }, 'repository:p1/x:pull')).status, 401);
    const r = await api('GET', `/robots/${short.id}`, { as: alice });
    assert.ok(r.json.expires_at > 0 && r.json.expires_at < Date.now() / 1000);
  });

  test('refreshing the secret: the old one stops working, the new one works', async () => {
    const old = ci.secret;
    const r = await api('PATCH', `/robots/${ci.id}`, { as: alice, body: {}, secretBearing: true });
    assert.equal(r.status, 200, r.text);
    assert.equal(typeof r.json.secret, 'string');
    assert.notEqual(r.json.secret, old);
    secrets.push(r.json.secret);
    ci = { ...ci, secret: r.json.secret };
    assert.equal((await tokenAccess({ username: ci.name, password: old }, 'repository:p1/x:pull')).status, 401);
    const fresh = await tokenAccess({ username: ci.name, password: ci.secret }, 'repository:p1/x:pull');
    assert.equal(fresh.status, 200);
    assert.deepEqual(fresh.access, [{ type: 'repository', name: 'p1/x', actions: ['pull'] }]);

    // A caller-chosen secret follows Harbor's rule and is not echoed back.
    assert.equal((await api('PATCH', `/robots/${ci.id}`, { as: alice, body: { secret: 'short' } })).status, 400);
    const chosen = 'Chosen1SecretValue';
    secrets.push(chosen);
    const set = await api('PATCH', `/robots/${ci.id}`, { as: alice, body: { secret: chosen } });
    assert.equal(set.status, 200, set.text);
    assert.equal(set.json.secret, undefined);
    assert.equal((await tokenAccess({ username: ci.name, password: chosen }, 'repository:p1/x:pull')).status, 200);

    assert.equal((await api('PATCH', `/robots/${ci.id}`, { as: dave, body: {} })).status, 403);
    assert.equal((await api('PATCH', `/robots/${sys.id}`, { as: alice, body: {} })).status, 404);
  });

  test('delete: project admins their project\'s robots, admins any', async () => {
    assert.equal((await api('DELETE', `/robots/${puller.id}`, { as: dave })).status, 403);
    assert.equal((await api('DELETE', `/robots/${sys.id}`, { as: alice })).status, 404);
    assert.equal((await api('DELETE', `/robots/${puller.id}`, { as: alice })).status, 200);
    assert.equal((await api('GET', `/robots/${puller.id}`, { as: alice })).status, 404);
    assert.equal((await api('DELETE', `/robots/${puller.id}`, { as: alice })).status, 404);
    assert.equal((await api('DELETE', `/robots/${sys.id}`)).status, 200);
    assert.equal((await tokenAccess({ username: sys.name, password: sys.secret }, 'repository:p2/x:pull')).status, 401);
  });

  test('changes reach the audit log; secrets appear in no other response, nor the log file, nor the audit log', async () => {
    // The audit log is written in batches: wait (with a deadline) for the last of these changes.
    const auditText = await eventually(async () => {
      const audit = await api('GET', `/audit-logs?q=${encodeURIComponent('resource_type=robot')}&page_size=100`);
      assert.equal(audit.status, 200, audit.text);
      const rows = audit.json as Array<{ operation: string; resource: string; username: string }>;
      const has = (op: string, resource: string, username: string) =>
        rows.some((x) => x.operation === op && x.resource === resource && x.username === username);
      assert.ok(has('create', 'robot$p1+ci', 'alice'), audit.text);
      assert.ok(has('create', 'robot$sys', 'admin'), audit.text);
      assert.ok(has('update', 'robot$p1+ci', 'alice'), audit.text);
      assert.ok(has('delete', 'robot$p1+puller', 'alice'), audit.text);
      assert.ok(has('delete', 'robot$sys', 'admin'), audit.text);
      return audit.text;
    });

    await haven.stop(); // flushes the log file and the audit queue
    const logFile = readFileSync(join(haven.dataDir, 'haven.log'), 'utf8');
    assert.ok(logFile.length > 0);
    const dbAudit = JSON.stringify((await havenSql(haven, 'SELECT * FROM audit_logs')).rows);
    assert.ok(secrets.length >= 6);
    for (const s of secrets) {
      assert.ok(!logFile.includes(s), 'a robot secret is in haven.log');
      assert.ok(!haven.output().includes(s), 'a robot secret is in the server output');
      assert.ok(!auditText.includes(s) && !dbAudit.includes(s), 'a robot secret is in the audit log');
      for (const body of otherBodies) assert.ok(!body.includes(s), `a robot secret is in a response: ${body.slice(0, 200)}`);
    }
  });
});
