// Security properties end to end, over HTTP: private projects stay private whatever reference is
// used; nobody raises their own privileges; q/sort never become SQL; tokens never reach a project
// the caller cannot read (cross-repository mounts included); forged tokens are refused; password
// guessing is throttled; secrets and passwords never show up in logs, audit records or responses.
import { havenSql } from './helpers/haven-db.js';
import assert from 'node:assert/strict';
import { createHash, createHmac, createPublicKey, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateKeyPair, importPKCS8, SignJWT } from 'jose';
import { apiClient, basic, replyText, type Creds, type Reply } from './helpers/api-client.js';
import { eventually } from './helpers/eventually.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';

let h: RunningHaven;
let client: ReturnType<typeof apiClient>;
/** Every password and secret: none may appear in the log, the audit log or (other than once, when made) a response. */
const secrets = new Set<string>();
/** Registry tokens handed out: credentials too, so never in the log. */
const tokens = new Set<string>();
/** Responses that may legitimately hold a secret (robot create / refresh, token responses). */
const secretBearing = new WeakSet<Reply>();
const replies: Reply[] = [];

const password = 'Secur1tyPass';
const owner: Creds = { username: 'owner', password: 'Owner12345x' }; // projectAdmin of "secret"
const dev: Creds = { username: 'dev', password: 'Developer123' }; // developer of "secret" (and of "mine", later)
const outsider: Creds = { username: 'outsider', password: 'Outsider123' }; // projectAdmin of "mine", nothing in "secret"
let ciRobot: Creds; // robot$secret+ci: a project robot with robot:create among its grants
let sysRobot: Creds; // robot$sysbot: a system robot

const api = (method: string, path: string, opts: Parameters<typeof client.api>[2] = {}) => client.api(method, path, opts);
const q = (s: string) => encodeURIComponent(s);

let secretId = 0;
let mineId = 0;
const mids: Record<string, number> = {}; // member ids in "secret"
let ciRobotId = 0;

async function createUser(c: Creds, email = `${c.username}@example.com`): Promise<number> {
  const r = await api('POST', '/users', { body: { username: c.username, password: c.password, email } });
  assert.equal(r.status, 201, r.text);
  secrets.add(c.password);
  return Number(r.headers.get('location')!.split('/').pop());
}

async function createRobot(as: Creds, body: Record<string, unknown>): Promise<{ id: number; name: string; secret: string }> {
  const r = await api('POST', '/robots', { as, body });
  secretBearing.add(r);
  assert.equal(r.status, 201, r.text);
  secrets.add(r.json.secret);
  return r.json;
}

const perm = (namespace: string, ...pairs: string[]) => ({
  kind: 'project',
  namespace,
  access: pairs.map((p) => ({ resource: p.split(':')[0], action: p.split(':')[1] })),
});

before(async () => {
  h = await startHaven();
  client = apiClient(h, (r) => {
    replies.push(r);
    if (r.json && typeof r.json === 'object' && typeof r.json.token === 'string') {
      secretBearing.add(r);
      tokens.add(r.json.token);
    }
  });
  secrets.add(h.admin.password);
  for (const u of [owner, dev, outsider]) await createUser(u);

  const s = await api('POST', '/projects', { as: owner, body: { project_name: 'secret', metadata: { public: 'false' } } });
  assert.equal(s.status, 201, s.text);
  secretId = Number(s.headers.get('location')!.split('/').pop());
  const m = await api('POST', '/projects', { as: outsider, body: { project_name: 'mine', metadata: { public: 'false' } } });
  assert.equal(m.status, 201, m.text);
  mineId = Number(m.headers.get('location')!.split('/').pop());

  const add = await api('POST', `/projects/${secretId}/members`, { as: owner, body: { role_id: 2, member_user: { username: 'dev' } } });
  assert.equal(add.status, 201, add.text);
  for (const mem of (await api('GET', `/projects/${secretId}/members`, { as: owner })).json) mids[mem.entity_name] = mem.id;
  assert.ok(mids.owner && mids.dev);

  const ci = await createRobot(owner, {
    name: 'ci',
    level: 'project',
    duration: -1,
    permissions: [perm('secret', 'repository:pull', 'repository:push', 'robot:create', 'robot:list', 'robot:read', 'member:list')],
  });
  ciRobot = { username: ci.name, password: ci.secret };
  ciRobotId = ci.id;
  const sys = await createRobot(client.admin, { name: 'sysbot', level: 'system', duration: -1, permissions: [perm('*', 'repository:pull')] });
  sysRobot = { username: sys.name, password: sys.secret };
});

after(async () => {
  await h?.cleanup();
});

/** What the administrator sees of "secret": must be the same before and after an attack. */
async function snapshotSecret(): Promise<string> {
  const project = await api('GET', `/projects/${secretId}`);
  const members = await api('GET', `/projects/${secretId}/members?page_size=100`);
  const robots = await api('GET', `/robots?q=${q(`level=project,project_id=${secretId}`)}&page_size=100`);
  const robot = await api('GET', `/robots/${ciRobotId}`);
  for (const r of [project, members, robots, robot]) assert.equal(r.status, 200, r.text);
  return JSON.stringify([project.json, members.json, robots.json, robot.json]);
}

describe('(a) a private project is invisible and untouchable to non-members', () => {
  const refs = (): Array<{ label: string; ref: string; headers: Record<string, string> }> => [
    { label: 'numeric id', ref: String(secretId), headers: {} },
    { label: 'numeric id with leading zeros', ref: `00${secretId}`, headers: {} },
    { label: 'name with X-Is-Resource-Name', ref: 'secret', headers: { 'X-Is-Resource-Name': 'true' } },
    { label: 'name without the header', ref: 'secret', headers: {} },
    { label: 'id sent as a name', ref: String(secretId), headers: { 'X-Is-Resource-Name': 'true' } },
    { label: 'name with X-Is-Resource-Name: false', ref: 'secret', headers: { 'X-Is-Resource-Name': 'false' } },
  ];

  for (const [label, as] of [['a non-member', () => outsider], ['an anonymous caller', () => null]] as const) {
    test(`${label}: every read and write is refused as if the project did not exist, and nothing changes`, async () => {
      const before = await snapshotSecret();
      const caller = as();
      const failures: string[] = [];
      const expectRefused = (what: string, r: Reply, status: number) => {
        if (r.status !== status) failures.push(`${what}: expected ${status}, got ${r.status} ${r.text.slice(0, 300)}`);
      };
      for (const { label: how, ref, headers } of refs()) {
        const base = `/projects/${ref}`;
        const attempts: Array<[string, string, unknown?]> = [
          ['GET', base],
          ['GET', `${base}/summary`],
          ['GET', `${base}/_deletable`],
          ['GET', `${base}/members`],
          ['GET', `${base}/members?entityname=dev`],
          ['GET', `${base}/members/${mids.owner}`],
          ['GET', `${base}/logs`],
          ['PUT', base, { metadata: { public: 'true' } }],
          ['PUT', base, { public: true }],
          ['POST', `${base}/members`, { role_id: 1, member_user: { username: 'outsider' } }],
          ['PUT', `${base}/members/${mids.dev}`, { role_id: 1 }],
          ['DELETE', `${base}/members/${mids.dev}`],
          ['DELETE', base],
        ];
        for (const [method, path, body] of attempts) {
          const r = await api(method, path, { as: caller, headers, ...(body !== undefined ? { body } : {}) });
          expectRefused(`${method} ${path} (${how})`, r, 404);
          // F8: answered exactly as a project that does not exist, naming only what was typed.
          const missing = JSON.stringify({ errors: [{ code: 'NOT_FOUND', message: `project ${ref} not found` }] });
          if (r.status !== 404 || r.text !== missing) failures.push(`${method} ${path} (${how}): not the missing-project answer: ${r.status} ${r.text.slice(0, 300)}`);
        }
      }
      // The robot API wants a login first (anonymous: 401); to a non-member the project's robots do
      // not exist (404), and a system robot is an administrator's to create (403).
      const robotAttempts: Array<[string, string, unknown?]> = [
        ['GET', `/robots?q=${q(`level=project,project_id=${secretId}`)}`],
        ['GET', `/robots?q=${q(`Level=project,ProjectID=${secretId}`)}`],
        ['GET', `/robots?q=${q(`project_id=${secretId}`)}`],
        ['GET', `/robots/${ciRobotId}`],
        ['PUT', `/robots/${ciRobotId}`, { description: 'pwned', disable: true }],
        ['PATCH', `/robots/${ciRobotId}`, {}],
        ['PATCH', `/robots/${ciRobotId}`, { secret: 'Attacker12345' }],
        ['DELETE', `/robots/${ciRobotId}`],
        ['POST', '/robots', { name: 'evil', level: 'project', duration: -1, permissions: [perm('secret', 'repository:pull')] }],
        ['POST', '/robots', { name: 'evil2', level: 'system', duration: -1, permissions: [perm('secret', 'repository:pull')] }],
      ];
      for (const [method, path, body] of robotAttempts) {
        const r = await api(method, path, { as: caller, ...(body !== undefined ? { body } : {}) });
        const systemRobot = (body as { level?: string } | undefined)?.level === 'system';
        expectRefused(`${method} ${path}`, r, caller === null ? 401 : systemRobot ? 403 : 404);
        if (/of project secret|\$secret/.test(r.text)) failures.push(`${method} ${path}: names the private project: ${r.text.slice(0, 300)}`);
      }
      assert.deepEqual(failures, []);

      // Listings and permission queries do not reveal it either.
      for (const path of ['/projects', '/projects?name=secret', `/projects?q=${q('name=secret')}`, `/projects?q=${q('name=~sec')}`, `/projects?q=${q(`project_id=${secretId}`)}`, '/projects?public=false', '/projects?page_size=100']) {
        const r = await api('GET', path, { as: caller });
        // As Harbor: anyone may list projects, and sees only those visible to them.
        assert.equal(r.status, 200, `${path}: ${r.text}`);
        assert.ok(!r.text.includes('"secret"'), `${path} lists the private project: ${r.text}`);
      }
      const perms = await api('GET', `/users/current/permissions?scope=${q(`/project/${secretId}`)}&relative=true`, { as: caller });
      if (caller) assert.deepEqual(perms.json, []);
      else assert.equal(perms.status, 401);
      if (caller) {
        const logs = await api('GET', '/audit-logs?page_size=100', { as: caller });
        assert.equal(logs.status, 200);
        assert.ok(!logs.text.includes('secret'), `the audit log shows the private project's records: ${logs.text}`);
      }

      assert.equal(await snapshotSecret(), before, 'the private project is unchanged');
      // The robot's secret still works (no PATCH went through).
      const t = await client.token(ciRobot, 'repository:secret/app:pull');
      assert.equal(t.status, 200);
    });
  }

  test('anonymous callers cannot probe project names (HEAD /projects, as Harbor: login required)', async () => {
    const probe = (name: string, as: Creds | null) => fetch(`${h.url}/api/v2.0/projects?project_name=${name}`, { method: 'HEAD', headers: { Authorization: as ? basic(as) : '' } });
    assert.equal((await probe('secret', null)).status, 401);
    assert.equal((await probe('nosuch', null)).status, 401);
    assert.equal((await probe('secret', outsider)).status, 200);
    assert.equal((await probe('nosuch', outsider)).status, 404);
  });

  test("a public project's summary shows member counts only to those who may list the members", async () => {
    const r = await api('POST', '/projects', { as: owner, body: { project_name: 'showcase', metadata: { public: 'true' } } });
    assert.equal(r.status, 201, r.text);
    const lg = await api('POST', '/projects/showcase/members', { as: owner, headers: { 'X-Is-Resource-Name': 'true' }, body: { role_id: 5, member_user: { username: 'dev' } } });
    assert.equal(lg.status, 201, lg.text);
    for (const as of [null, outsider, dev]) {
      const s = await api('GET', '/projects/showcase/summary', { as });
      assert.equal(s.status, 200, s.text);
      assert.equal(s.json.project_admin_count, undefined, `${as?.username ?? 'anonymous'} sees the member counts: ${s.text}`);
      assert.equal(typeof s.json.repo_count, 'number');
    }
    const full = await api('GET', '/projects/showcase/summary', { as: owner });
    assert.equal(full.json.project_admin_count, 1);
    assert.equal(full.json.limited_guest_count, 1);
  });

  test("another project's admin cannot reach this project's members or robots through their own project", async () => {
    const before = await snapshotSecret();
    for (const [method, path, body] of [
      ['GET', `/projects/${mineId}/members/${mids.owner}`],
      ['PUT', `/projects/${mineId}/members/${mids.dev}`, { role_id: 1 }],
      ['DELETE', `/projects/${mineId}/members/${mids.owner}`],
      ['GET', `/projects/mine/members/${mids.owner}`],
    ] as Array<[string, string, unknown?]>) {
      const r = await api(method, path, { as: outsider, ...(body !== undefined ? { body } : {}) });
      assert.equal(r.status, 404, `${method} ${path}: ${r.status} ${r.text}`);
    }
    assert.equal(await snapshotSecret(), before);
  });
});

describe('(b) nobody raises their own privileges', () => {
  test('a developer cannot change their own role, add themself as admin, or remove the admin', async () => {
    const before = await snapshotSecret();
    const own = await api('PUT', `/projects/${secretId}/members/${mids.dev}`, { as: dev, body: { role_id: 1 } });
    assert.equal(own.status, 403, own.text);
    const addSelf = await api('POST', `/projects/${secretId}/members`, { as: dev, body: { role_id: 1, member_user: { username: 'dev' } } });
    assert.equal(addSelf.status, 403, addSelf.text);
    const addFriend = await api('POST', `/projects/${secretId}/members`, { as: dev, body: { role_id: 1, member_user: { username: 'outsider' } } });
    assert.equal(addFriend.status, 403, addFriend.text);
    const dropAdmin = await api('DELETE', `/projects/${secretId}/members/${mids.owner}`, { as: dev });
    assert.equal(dropAdmin.status, 403, dropAdmin.text);
    const demote = await api('PUT', `/projects/${secretId}/members/${mids.owner}`, { as: dev, body: { role_id: 5 } });
    assert.equal(demote.status, 403, demote.text);
    const publish = await api('PUT', `/projects/${secretId}`, { as: dev, body: { metadata: { public: 'true' } } });
    assert.equal(publish.status, 403, publish.text);
    const robot = await api('POST', '/robots', { as: dev, body: { name: 'devbot', level: 'project', duration: -1, permissions: [perm('secret', 'repository:pull', 'repository:push')] } });
    assert.equal(robot.status, 403, robot.text);
    assert.equal(await snapshotSecret(), before);
    // A project admin cannot change their own role either (Harbor: no self-management).
    assert.equal((await api('PUT', `/projects/${secretId}/members/${mids.owner}`, { as: owner, body: { role_id: 2 } })).status, 403);
  });

  test('a user cannot make themself a system administrator or touch the admin account', async () => {
    const me = (await api('GET', '/users/current', { as: outsider })).json;
    const r = await api('PUT', `/users/${me.user_id}/sysadmin`, { as: outsider, body: { sysadmin_flag: true } });
    assert.equal(r.status, 403, r.text);
    const smuggled = await api('PUT', `/users/${me.user_id}`, { as: outsider, body: { sysadmin_flag: true, admin_role_in_auth: true, realname: 'Outsider' } });
    assert.equal(smuggled.status, 200, smuggled.text);
    assert.equal((await api('GET', '/users/current', { as: outsider })).json.sysadmin_flag, false);
    assert.equal((await api('GET', '/users', { as: outsider })).status, 403);
    assert.equal((await api('PUT', '/users/1/password', { as: outsider, body: { new_password: 'Takeover12345' } })).status, 403);
    assert.equal((await api('PUT', '/users/1/password', { as: outsider, body: { old_password: 'guess', new_password: 'Takeover12345' } })).status, 403);
    assert.equal((await api('PUT', '/users/1', { as: outsider, body: { email: 'attacker@example.com' } })).status, 403);
    assert.equal((await api('DELETE', '/users/1', { as: outsider })).status, 403);
    assert.equal((await api('PUT', `/users/${me.user_id}/sysadmin`, { as: owner, body: { sysadmin_flag: true } })).status, 403, 'nor can a project admin');
    assert.equal((await api('PUT', '/configurations', { as: outsider, body: { self_registration: true } })).status, 403);
    assert.equal((await api('POST', '/users', { as: outsider, body: { username: 'sock', password: 'Sockpuppet123', email: 'sock@example.com' } })).status, 403);
    assert.equal((await api('GET', '/users/current')).json.email, '', 'the admin account is unchanged');
  });

  test('robots never manage robots, users or projects, whatever their grants', async () => {
    for (const robot of [ciRobot, sysRobot]) {
      const attempts: Array<[string, string, unknown?]> = [
        ['POST', '/robots', { name: 'child', level: 'project', duration: -1, permissions: [perm('secret', 'repository:pull')] }],
        ['POST', '/robots', { name: 'child2', level: 'system', duration: -1, permissions: [perm('*', 'repository:pull', 'repository:push')] }],
        ['GET', `/robots?q=${q(`level=project,project_id=${secretId}`)}`],
        ['PATCH', `/robots/${ciRobotId}`, {}],
        ['PUT', `/robots/${ciRobotId}`, { permissions: [perm('secret', 'repository:pull', 'repository:push', 'artifact:delete', 'member:create')] }],
        ['GET', '/users'],
        ['POST', '/users', { username: 'robotmade', password: 'Robotmade123', email: 'r@example.com' }],
        ['POST', '/projects', { project_name: 'robotproject' }],
        ['PUT', `/projects/${secretId}`, { metadata: { public: 'true' } }],
        ['POST', `/projects/${secretId}/members`, { role_id: 1, member_user: { username: 'outsider' } }],
        ['PUT', '/configurations', { self_registration: true }],
      ];
      for (const [method, path, body] of attempts) {
        const r = await api(method, path, { as: robot, ...(body !== undefined ? { body } : {}) });
        assert.equal(r.status, 403, `${robot.username}: ${method} ${path}: ${r.status} ${r.text}`);
      }
    }
    const t = await client.token(ciRobot, 'repository:secret/app:pull,push,delete');
    assert.deepEqual(t.access[0]!.actions, ['pull', 'push'], 'the robot keeps exactly its grants');
  });

  test("a project admin cannot reach past their project with robots", async () => {
    const sys = await api('POST', '/robots', { as: outsider, body: { name: 'mysys', level: 'system', duration: -1, permissions: [perm('mine', 'repository:pull')] } });
    assert.equal(sys.status, 403, sys.text);
    const other = await api('POST', '/robots', { as: outsider, body: { name: 'spy', level: 'project', duration: -1, permissions: [perm('secret', 'repository:pull')] } });
    assert.equal(other.status, 404, other.text); // "secret" is private and outsider no member: it does not exist for them
    const star = await api('POST', '/robots', { as: outsider, body: { name: 'star', level: 'project', duration: -1, permissions: [perm('*', 'repository:pull')] } });
    assert.equal(star.status, 400, star.text);
    assert.match(star.json.errors[0].message, /cannot have namespace "\*"/);
    const mine = await createRobot(outsider, { name: 'minebot', level: 'project', duration: -1, permissions: [perm('mine', 'repository:pull')] });
    const retarget = await api('PUT', `/robots/${mine.id}`, { as: outsider, body: { permissions: [perm('secret', 'repository:pull', 'repository:push')] } });
    assert.equal(retarget.status, 400, retarget.text);
    assert.match(retarget.json.errors[0].message, /must name its own project, mine/);
    const relevel = await api('PUT', `/robots/${mine.id}`, { as: outsider, body: { level: 'system', permissions: [perm('*', 'repository:pull')] } });
    assert.equal(relevel.status, 400, relevel.text);
    assert.match(relevel.json.errors[0].message, /level of a robot cannot be changed/);
    const t = await client.token({ username: mine.name, password: mine.secret }, 'repository:secret/app:pull', 'repository:mine/app:pull');
    assert.deepEqual(t.access.map((a) => a.actions), [[], ['pull']]);
  });

  test("a deleted project's members and robots get nothing from a new project of the same name", async () => {
    const r = await api('POST', '/projects', { as: owner, body: { project_name: 'reuse', metadata: { public: 'false' } } });
    assert.equal(r.status, 201, r.text);
    assert.equal((await api('POST', '/projects/reuse/members', { as: owner, headers: { 'X-Is-Resource-Name': 'true' }, body: { role_id: 2, member_user: { username: 'dev' } } })).status, 201);
    const bot = await createRobot(owner, { name: 'old', level: 'project', duration: -1, permissions: [perm('reuse', 'repository:pull', 'repository:push')] });
    const sysbot = await createRobot(client.admin, { name: 'reuser', level: 'system', duration: -1, permissions: [perm('reuse', 'repository:pull', 'repository:push')] });
    assert.equal((await api('DELETE', '/projects/reuse', { as: owner, headers: { 'X-Is-Resource-Name': 'true' } })).status, 200);
    assert.equal((await api('POST', '/projects', { as: outsider, body: { project_name: 'reuse', metadata: { public: 'false' } } })).status, 201);

    assert.deepEqual((await client.token(dev, 'repository:reuse/app:pull,push')).access[0]!.actions, []);
    assert.deepEqual((await client.token(owner, 'repository:reuse/app:pull,push')).access[0]!.actions, []);
    assert.deepEqual((await client.token({ username: sysbot.name, password: sysbot.secret }, 'repository:reuse/app:pull,push')).access[0]!.actions, []);
    assert.equal((await client.token({ username: bot.name, password: bot.secret }, 'repository:reuse/app:pull')).status, 401, 'the project robot went with its project');
    const logs = await api('GET', '/projects/reuse/logs?page_size=100', { as: outsider });
    assert.equal(logs.status, 200);
    for (const rec of logs.json) assert.notEqual(rec.username, 'owner', `the new owner sees the old project's records: ${JSON.stringify(rec)}`);
  });

  test('registry tokens are not API credentials, and odd scopes grant nothing', async () => {
    const t = await client.token(outsider, 'repository:mine/app:pull,push');
    assert.deepEqual(t.access[0]!.actions, ['pull', 'push']);
    assert.equal((await api('GET', '/users/current', { authorization: `Bearer ${t.token}` })).status, 401);
    const adminToken = await client.token(client.admin, 'registry:catalog:*');
    assert.equal((await api('GET', '/users', { authorization: `Bearer ${adminToken.token}` })).status, 401);

    for (const scope of [
      'repository:mine/../secret/app:pull',
      'repository:SECRET/app:pull',
      'repository:secret:pull',
      'repository:secret/app:*',
      'repository:./secret/app:pull',
      'repository:secret%2Fapp:pull',
      'repository:mine/app,secret/app:pull',
    ]) {
      const r = await client.token(outsider, scope);
      assert.equal(r.status, 200, scope);
      for (const a of r.access) {
        if (a.name.startsWith('mine/') && !a.name.includes('..') && !a.name.includes('secret')) continue;
        assert.deepEqual(a.actions, [], `${scope} -> ${JSON.stringify(a)}`);
      }
    }
    const catalog = await client.token(outsider, 'registry:catalog:*');
    assert.deepEqual(catalog.access.flatMap((a) => a.actions), []);
  });
});

describe('(c) q and sort never become SQL', () => {
  const injections = ["' OR 1=1 --", "' OR '1'='1", '"; drop table users; --', "1; DELETE FROM projects", '%', '_', '%%', '\\', "\\' OR 1=1 --", '*'];

  before(async () => {
    for (const name of ['lit_x1', 'litxx1']) assert.equal((await api('POST', '/projects', { body: { project_name: name } })).status, 201);
    await createUser({ username: 'u_score', password });
    await createUser({ username: 'uxscore', password });
    await createUser({ username: 'percent', password }, 'p%ct@example.com');
    await createUser({ username: 'plain', password }, 'pxct@example.com');
    await createRobot(client.admin, { name: 'sys_bot', level: 'system', duration: -1, permissions: [perm('library', 'repository:pull')] });
    await createRobot(client.admin, { name: 'sysxbot', level: 'system', duration: -1, permissions: [perm('library', 'repository:pull')] });
  });

  interface Endpoint {
    path: string;
    /** q keys and how to read the matching field of an item. */
    // biome-ignore lint/suspicious/noExplicitAny: items of many Harbor list shapes
    keys: Record<string, (item: any) => string>;
    sorts: boolean;
    extra?: string;
  }
  const endpoints: Endpoint[] = [
    { path: '/projects', keys: { name: (p) => p.name }, sorts: true },
    { path: '/users', keys: { username: (u) => u.username, email: (u) => u.email }, sorts: true },
    { path: '/robots', keys: { name: (r) => r.name }, sorts: false },
    { path: '/audit-logs', keys: { resource: (a) => a.resource, username: (a) => a.username, operation: (a) => a.operation, resource_type: (a) => a.resource_type }, sorts: true },
  ];

  async function total(path: string): Promise<number> {
    const r = await api('GET', `${path}?page_size=1`);
    assert.equal(r.status, 200, r.text);
    return Number(r.headers.get('x-total-count'));
  }

  for (const ep of endpoints) {
    test(`${ep.path}: injected q values are 400 or a literal filter`, async () => {
      const all = await total(ep.path);
      assert.ok(all >= 2, `${ep.path} has rows to leak (${all})`);
      const problems: string[] = [];
      // biome-ignore lint/suspicious/noExplicitAny: items of many Harbor list shapes
      const tryQ = async (qv: string, expect: ((items: any[]) => string | null) | null) => {
        const r = await api('GET', `${ep.path}?page_size=100&q=${q(qv)}`);
        if (r.status === 400) return;
        if (r.status !== 200) return void problems.push(`q=${qv}: ${r.status} ${r.text.slice(0, 200)}`);
        const n = Number(r.headers.get('x-total-count'));
        if (n >= all && all > 0 && expect === null) problems.push(`q=${qv}: all ${n} rows`);
        if (expect) {
          const why = expect(r.json);
          if (why) problems.push(`q=${qv}: ${why}`);
        }
      };
      for (const inj of injections) {
        await tryQ(inj, null);
        for (const [key, field] of Object.entries(ep.keys)) {
          await tryQ(`${key}=${inj}`, (items) => (items.every((i) => field(i) === inj) ? null : `exact match returned ${items.map(field).join(', ')}`));
          await tryQ(`${key}=~${inj}`, (items) => (items.every((i) => field(i).includes(inj)) ? null : `fuzzy match returned ${items.map(field).join(', ')}`));
          await tryQ(`${key}={${inj} x}`, (items) => (items.every((i) => [inj, 'x'].includes(field(i))) ? null : `list match returned ${items.map(field).join(', ')}`));
        }
      }
      for (const bad of ['password_hash=~a', 'secret_hash=~a', 'password=x', '1=1', `${Object.keys(ep.keys)[0]}=x,password_hash=~a`, 'id=1 OR 1=1', '=x', 'name']) {
        const r = await api('GET', `${ep.path}?q=${q(bad)}`);
        if (r.status !== 400) problems.push(`q=${bad}: ${r.status} (an unknown key must be 400)`);
      }
      assert.deepEqual(problems, []);
    });

    if (ep.sorts) {
      test(`${ep.path}: injected sort values are 400`, async () => {
        for (const s of ["' OR 1=1 --", 'name; drop table users', 'password_hash', '-password_hash', 'name desc', '(select 1)', '1', 'secret_hash', 'username asc, (select password_hash from users)']) {
          const r = await api('GET', `${ep.path}?sort=${q(s)}`);
          assert.equal(r.status, 400, `sort=${s}: ${r.status} ${r.text.slice(0, 200)}`);
        }
      });
    }
  }

  test('% and _ match literally', async () => {
    const names = async (path: string, field: string) => ((await api('GET', path)).json as Array<Record<string, string>>).map((x) => x[field]).sort();
    assert.deepEqual(await names(`/projects?q=${q('name=~t_x')}`, 'name'), ['lit_x1']);
    assert.deepEqual(await names(`/projects?name=${q('t_x')}`, 'name'), ['lit_x1']);
    assert.deepEqual(await names(`/projects?q=${q('name=~%')}`, 'name'), []);
    assert.deepEqual(await names(`/projects?name=${q('%')}`, 'name'), []);
    assert.deepEqual(await names(`/users?q=${q('username=~u_s')}`, 'username'), ['u_score']);
    assert.deepEqual(await names(`/users?q=${q('email=~p%c')}`, 'username'), ['percent']);
    assert.deepEqual(await names(`/users?q=${q('username=~%')}`, 'username'), []);
    assert.deepEqual(await names(`/users/search?username=${q('u_s')}`, 'username'), ['u_score']);
    assert.deepEqual(await names(`/robots?q=${q('name=~s_b')}`, 'name'), ['robot$sys_bot']);
    assert.deepEqual(await names(`/robots?q=${q('name=~%')}`, 'name'), []);
    const audit = await api('GET', `/audit-logs?page_size=100&q=${q('resource=~t_x')}`);
    assert.ok(audit.json.length >= 1);
    for (const a of audit.json) assert.ok(a.resource.includes('t_x'), a.resource);
    assert.deepEqual((await api('GET', `/audit-logs?q=${q('username=~%')}`)).json, []);
  });

  test('every q condition is applied or refused, never silently dropped', async () => {
    const names = async (qv: string) => {
      const r = await api('GET', `/projects?page_size=100&q=${q(qv)}`);
      return r.status === 200 ? (r.json as Array<{ name: string }>).map((p) => p.name).sort() : r.status;
    };
    assert.deepEqual(await names(`project_id=${secretId}`), ['secret']);
    assert.deepEqual(await names(`project_id=${secretId},name=mine`), []);
    assert.deepEqual(await names('project_id=999999'), []);
    for (const qv of ['project_id={1 2}', 'project_id=[1~9]', 'project_id=~1', 'name={secret mine}', 'name=[a~z]', 'public=~tr', "project_id=1 OR 1=1"]) {
      assert.equal(await names(qv), 400, qv);
    }
  });

  test('a non-member never sees more by querying', async () => {
    // name={a b} (an "or" list) is a query Haven does not take: refused, never widened.
    for (const [qv, status] of [['name=~', 200], ["name=~' OR 1=1 --", 200], ['name=~%', 200], ['name=~_', 200], ['public=false', 200], ['public=true', 200], [`project_id=${secretId}`, 200], ['name={secret mine}', 400]] as const) {
      const r = await api('GET', `/projects?page_size=100&q=${q(qv)}`, { as: outsider });
      assert.equal(r.status, status, `${qv}: ${r.status} ${r.text}`);
      if (r.status === 200) for (const p of r.json) assert.notEqual(p.name, 'secret', `${qv} lists the private project`);
    }
    const r = await api('GET', `/audit-logs?page_size=100&q=${q("resource=~' OR 1=1 --")}`, { as: outsider });
    assert.deepEqual(r.json, []);
  });

  test('the tables are intact afterwards', async () => {
    const users = await api('GET', '/users?page_size=100');
    assert.equal(users.status, 200);
    assert.ok(users.json.some((u: { username: string }) => u.username === 'owner'));
    assert.equal((await api('GET', `/projects/${secretId}`)).status, 200);
  });
});

describe('(d) tokens and mounts never reach a project the caller cannot read', () => {
  const layer = randomBytes(2048);
  const digest = `sha256:${createHash('sha256').update(layer).digest('hex')}`;

  before(async () => {
    const r = await fetch(`${h.url}/v2/secret/app/blobs/uploads/?digest=${digest}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', Authorization: basic(owner) },
      body: new Uint8Array(layer),
    });
    assert.equal(r.status, 201, await r.text());
    const add = await api('POST', `/projects/${mineId}/members`, { as: outsider, body: { role_id: 2, member_user: { username: 'dev' } } });
    assert.equal(add.status, 201, add.text);
  });

  test('a non-member asking for a private project gets a token with no actions', async () => {
    for (const as of [outsider, null]) {
      const t = await client.token(as, 'repository:secret/app:pull,push,delete', 'repository:secret/other:*');
      assert.equal(t.status, 200);
      assert.deepEqual(t.access.map((a) => a.actions), [[], []]);
    }
  });

  test('a non-member cannot read the private blob at /v2, with or without a token', async () => {
    const t = await client.token(outsider, 'repository:secret/app:pull');
    // As Harbor's /v2: a logged-in caller without access is denied (403); a token without the
    // pull action, or no credentials, is asked to authenticate (401).
    for (const [auth, status] of [[basic(outsider), 403], [`Bearer ${t.token}`, 401], ['', 401]] as const) {
      const r = await fetch(`${h.url}/v2/secret/app/blobs/${digest}`, { headers: auth ? { Authorization: auth } : {} });
      await r.arrayBuffer();
      assert.equal(r.status, status, `GET private blob with ${auth.split(' ')[0] || 'nothing'}: ${r.status}`);
    }
  });

  test('a cross-repository mount from a project the caller cannot read falls back to an upload (202)', async () => {
    const t = await client.token(outsider, 'repository:mine/app:pull,push', 'repository:secret/app:pull');
    assert.deepEqual(t.access.map((a) => a.actions), [['pull', 'push'], []]);
    for (const auth of [`Bearer ${t.token}`, basic(outsider)]) {
      const r = await fetch(`${h.url}/v2/mine/app/blobs/uploads/?mount=${digest}&from=secret/app`, { method: 'POST', headers: { Authorization: auth } });
      await r.arrayBuffer();
      assert.notEqual(r.status, 201, `the mount (${auth.split(' ')[0]}) linked a blob of a project the caller cannot read`);
      assert.equal(r.status, 202);
    }
    const head = await fetch(`${h.url}/v2/mine/app/blobs/${digest}`, { method: 'HEAD', headers: { Authorization: `Bearer ${t.token}` } });
    assert.equal(head.status, 404, 'the blob is not in the destination');
  });

  test('the same mount by a member of both projects is 201', async () => {
    const t = await client.token(dev, 'repository:mine/app2:pull,push', 'repository:secret/app:pull');
    assert.deepEqual(t.access.map((a) => a.actions), [['pull', 'push'], ['pull']]);
    const r = await fetch(`${h.url}/v2/mine/app2/blobs/uploads/?mount=${digest}&from=secret/app`, { method: 'POST', headers: { Authorization: `Bearer ${t.token}` } });
    await r.arrayBuffer();
    assert.equal(r.status, 201);
  });
});

describe('(e) forged, expired and foreign tokens are refused at /v2', () => {
  const path = '/v2/secret/app/tags/list';
  const get = async (auth: string) => {
    const r = await fetch(`${h.url}${path}`, { headers: { Authorization: auth } });
    await r.arrayBuffer();
    return r;
  };

  test('a real token works; tampered, unsigned, re-signed and expired ones are 401', async () => {
    const real = await client.token(owner, 'repository:secret/app:pull');
    assert.deepEqual(real.access[0]!.actions, ['pull']);
    const ok = await get(`Bearer ${real.token}`);
    assert.equal(ok.status, 200, `a valid token is accepted (${ok.status})`);

    const outsiderToken = await client.token(outsider, 'repository:secret/app:pull');
    const [hd, payloadB64, sig] = outsiderToken.token.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(payloadB64, 'base64url').toString());
    payload.access = [{ type: 'repository', name: 'secret/app', actions: ['pull', 'push', 'delete'] }];
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const header = JSON.parse(Buffer.from(hd, 'base64url').toString());

    // The key every instance on the database signs with, read where Haven keeps it.
    const keyPem = (await havenSql<{ value: string }>(h, "select value from shared_keys where name = 'token-signing-key'")).rows[0]!.value;
    const realKey = await importPKCS8(keyPem, 'ES256');
    const now = Math.floor(Date.now() / 1000);
    const signReal = (claims: Record<string, unknown>, opts: { iss?: string; aud?: string; exp?: number; nbf?: number } = {}) =>
      new SignJWT({ access: payload.access, ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: header.kid, typ: 'JWT' })
        .setIssuer(opts.iss ?? payload.iss)
        .setAudience(opts.aud ?? payload.aud)
        .setSubject('outsider')
        .setIssuedAt(now - 7200)
        .setNotBefore(opts.nbf ?? now - 7200)
        .setExpirationTime(opts.exp ?? now + 600)
        .sign(realKey);
    const other = await generateKeyPair('ES256');
    const publicPem = createPublicKey(keyPem).export({ type: 'spki', format: 'pem' }).toString();
    const hmac = (data: string, key: string) => createHmac('sha256', key).update(data).digest('base64url');
    const hsHeader = b64({ alg: 'HS256', typ: 'JWT', kid: header.kid });

    const forged: Array<[string, string]> = [
      ['payload changed, signature kept', `${hd}.${b64(payload)}.${sig}`],
      ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`],
      ['alg none with the original signature', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.${sig}`],
      ['signed by another key with the same kid', await new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: header.kid }).sign(other.privateKey)],
      ['HS256 with a public key as the secret', `${hsHeader}.${b64(payload)}.${hmac(`${hsHeader}.${b64(payload)}`, publicPem)}`],
      ['expired (real key)', await signReal({}, { exp: now - 60 })],
      ['not yet valid (real key)', await signReal({}, { nbf: now + 3600, exp: now + 7200 })],
      ['another audience (real key)', await signReal({}, { aud: 'someone-else' })],
      ['another issuer (real key)', await signReal({}, { iss: 'evil-issuer' })],
      ['garbage', 'Bearer-garbage.x.y'],
      ['two parts', `${hd}.${payloadB64}`],
    ];
    const failures: string[] = [];
    for (const [label, token] of forged) {
      const r = await get(`Bearer ${token}`);
      if (r.status !== 401) failures.push(`${label}: ${r.status}`);
      else if (!/Bearer realm=/.test(r.headers.get('www-authenticate') ?? '')) failures.push(`${label}: no Bearer challenge`);
    }
    for (const auth of ['Bearer ', 'Bearer', 'Basic !!!notbase64', 'Digest abc']) {
      const r = await get(auth);
      if (r.status !== 401) failures.push(`Authorization "${auth}": ${r.status}`);
    }
    // A valid token for one repository does not open another.
    const other2 = await get(`Bearer ${(await client.token(outsider, 'repository:mine/app:pull')).token}`);
    if (other2.status !== 401) failures.push(`token for mine/app used on secret/app: ${other2.status}`);
    assert.deepEqual(failures, []);
  });
});

describe('(f) password guessing is throttled', () => {
  let t: RunningHaven;
  let tc: ReturnType<typeof apiClient>;
  const victim: Creds = { username: 'victim', password: 'Victim12345' };

  before(async () => {
    t = await startHaven();
    tc = apiClient(t, (r) => replies.push(r));
    const r = await tc.api('POST', '/users', { body: { username: victim.username, password: victim.password, email: 'victim@example.com' } });
    assert.equal(r.status, 201, r.text);
    secrets.add(victim.password);
  });

  after(async () => {
    if (t) {
      await t.stop();
      const log = readFileSync(join(t.dataDir, 'haven.log'), 'utf8');
      for (const s of secrets) assert.ok(!log.includes(s), `a password appears in the throttled server's log`);
      await t.cleanup();
    }
  });

  test('after 6 bad passwords: 429 with Retry-After, the right password refused too, then it works again', async () => {
    const statuses: number[] = [];
    let throttled: Reply | null = null;
    for (let i = 0; i < 12 && !throttled; i++) {
      const bad = `Wrong${i}Guess99`;
      secrets.add(bad);
      const r = await tc.call('GET', '/service/token?service=haven', { as: { username: victim.username, password: bad } });
      statuses.push(r.status);
      if (r.status === 429) throttled = r;
    }
    assert.ok(throttled, `no 429 after ${statuses.length} bad passwords: ${statuses.join(',')}`);
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401], 'the first attempts are plain refusals');
    assert.ok(statuses.length <= 7, `throttled only after ${statuses.length} attempts`);
    const retry = Number(throttled.headers.get('retry-after'));
    assert.ok(Number.isInteger(retry) && retry >= 1, `Retry-After: ${throttled.headers.get('retry-after')}`);

    // While throttled, the right password is refused as well, everywhere.
    const right = await tc.call('GET', '/service/token?service=haven', { as: victim });
    assert.equal(right.status, 429, 'the correct password is refused while throttled');
    const viaApi = await tc.api('GET', '/users/current', { as: victim });
    assert.equal(viaApi.status, 429, viaApi.text);
    assert.ok(Number(viaApi.headers.get('retry-after')) >= 1);
    const viaPortal = await tc.call('POST', '/c/login', {
      as: null,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ principal: victim.username, password: victim.password }).toString(),
    });
    assert.equal(viaPortal.status, 429);

    // Once the lockout runs out, the right password works again.
    await eventually(
      async () => {
        const later = await tc.api('GET', '/users/current', { as: victim });
        assert.equal(later.status, 200, later.text);
      },
      { timeoutMs: retry * 1000 + 5000, intervalMs: 250 },
    );
  });
});

describe('(g) secrets and passwords never leak', () => {
  test('not in the audit log', async () => {
    // Audit records are written in batches: wait until the robot changes are in.
    const text = await eventually(async () => {
      let text = '';
      for (let page = 1; page < 50; page++) {
        const r = await api('GET', `/audit-logs?page=${page}&page_size=100`);
        assert.equal(r.status, 200);
        text += r.text;
        if (r.json.length < 100) break;
      }
      assert.match(text, /robot\$secret\+ci/, 'robot changes are audited');
      return text;
    });
    for (const s of secrets) assert.ok(!text.includes(s), `secret ${s.slice(0, 3)}… in the audit log`);
    for (const tk of tokens) assert.ok(!text.includes(tk), 'a token in the audit log');
  });

  test('not in responses (other than the one that hands a robot secret or token out)', () => {
    const leaks: string[] = [];
    for (const r of replies) {
      if (secretBearing.has(r)) continue;
      const text = replyText(r);
      for (const s of secrets) if (text.includes(s)) leaks.push(`${s.slice(0, 3)}… in ${text.slice(0, 200)}`);
    }
    assert.ok(replies.length > 100);
    assert.deepEqual(leaks, []);
  });

  test('not in haven.log', async () => {
    await h.stop();
    const log = readFileSync(join(h.dataDir, 'haven.log'), 'utf8');
    assert.match(log, /"msg":"request"/);
    const found: string[] = [];
    for (const s of secrets) {
      if (log.includes(s)) found.push(`${s.slice(0, 3)}…`);
      if (log.includes(Buffer.from(s).toString('base64'))) found.push(`${s.slice(0, 3)}… (base64)`);
    }
    for (const tk of tokens) if (log.includes(tk.split('.')[2]!)) found.push('a registry token');
    assert.deepEqual(found, []);
  });
});
