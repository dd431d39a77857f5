// F8: the management API never tells a caller that a private project exists. Whatever a
// non-member (or an anonymous caller) asks of a private project, by id or by name, the answer is
// byte for byte the answer for a project that does not exist, apart from the id or name typed.
// Only callers who may see the project (members, administrators, anyone for a public one) get a
// 403 for a right they lack.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiClient, type Creds, type Reply } from './helpers/api-client.js';
import { useHaven, type RunningHaven } from './helpers/haven.js';

let h: RunningHaven;
let client: ReturnType<typeof apiClient>;
useHaven({}, (x) => {
  h = x;
  client = apiClient(h);
});
const api = (method: string, path: string, opts: Parameters<typeof client.api>[2] = {}) => client.api(method, path, opts);

const owner: Creds = { username: 'usera', password: 'Owner12345' };
const outsider: Creds = { username: 'userb', password: 'Outsider123' };
const guest: Creds = { username: 'userc', password: 'Guest12345' };

async function createUser(c: Creds) {
  const r = await api('POST', '/users', { body: { username: c.username, password: c.password, email: `${c.username}@example.com` } });
  assert.equal(r.status, 201, r.text);
}

const hiddenName = 'projb';
const missingName = 'projzz';
const missingId = '987654';
const missingRobotId = '987655';

/** Every project sub-resource a client may ask for, with `{p}` for the project and `{mid}` a member id. */
const requests: Array<[method: string, path: string, body?: unknown]> = [
  ['GET', '/projects/{p}'],
  ['PUT', '/projects/{p}', { metadata: { public: 'true' } }],
  ['DELETE', '/projects/{p}'],
  ['GET', '/projects/{p}/summary'],
  ['GET', '/projects/{p}/_deletable'],
  ['GET', '/projects/{p}/members'],
  ['GET', '/projects/{p}/members?entityname=usera'],
  ['POST', '/projects/{p}/members', { role_id: 1, member_user: { username: 'userb' } }],
  ['GET', '/projects/{p}/members/{mid}'],
  ['PUT', '/projects/{p}/members/{mid}', { role_id: 2 }],
  ['DELETE', '/projects/{p}/members/{mid}'],
  ['GET', '/projects/{p}/robots'],
  ['POST', '/projects/{p}/robots', { name: 'sneaky', duration: -1 }],
  ['GET', '/projects/{p}/logs'],
  ['GET', '/projects/{p}/metadatas'],
  ['GET', '/projects/{p}/metadatas/public'],
  ['GET', '/projects/{p}/repositories'],
  ['GET', '/projects/{p}/scanner'],
];

/** The reply with what the caller typed replaced, so two replies can be compared whole. */
function normalized(r: Reply, typed: string[]): string {
  let text = r.text;
  for (const t of typed) text = text.replace(new RegExp(`(?<![\\w.$])${t.replace(/[$+]/g, '\\$&')}(?![\\w])`, 'g'), '<typed>');
  const headers = ['content-type', 'www-authenticate', 'cache-control'].map((k) => `${k}: ${r.headers.get(k)}`);
  return `${r.status}\n${headers.join('\n')}\n${text}`;
}

test('a non-member or anonymous caller gets the same 404 for a private project as for a missing one, by id or by name', async () => {
  for (const c of [owner, outsider, guest]) await createUser(c);
  const created = await api('POST', '/projects', { as: owner, body: { project_name: hiddenName, metadata: { public: 'false' } } });
  assert.equal(created.status, 201, created.text);
  const hiddenId = created.headers.get('location')!.split('/').pop()!;
  const members = await api('GET', `/projects/${hiddenId}/members`, { as: owner });
  const mid = String(members.json[0].id);
  const robot = await api('POST', '/robots', {
    as: owner,
    body: { name: 'ci', level: 'project', duration: -1, permissions: [{ kind: 'project', namespace: hiddenName, access: [{ resource: 'repository', action: 'pull' }] }] },
  });
  assert.equal(robot.status, 201, robot.text);
  const robotId = String(robot.json.id);
  // A robot of another project: it authenticates, but has no grant on projb.
  assert.equal((await api('POST', '/projects', { body: { project_name: 'other', metadata: { public: 'false' } } })).status, 201);
  const otherBot = await api('POST', '/robots', {
    body: { name: 'bot', level: 'project', duration: -1, permissions: [{ kind: 'project', namespace: 'other', access: [{ resource: 'repository', action: 'pull' }] }] },
  });
  assert.equal(otherBot.status, 201, otherBot.text);
  const robotCaller: Creds = { username: otherBot.json.name, password: otherBot.json.secret };

  // Pairs of (hidden, missing) references, typed the same way.
  const refs: Array<{ label: string; hidden: string; missing: string; headers: Record<string, string> }> = [
    { label: 'id', hidden: hiddenId, missing: missingId, headers: {} },
    { label: 'id with leading zeros', hidden: `00${hiddenId}`, missing: `00${missingId}`, headers: {} },
    { label: 'name', hidden: hiddenName, missing: missingName, headers: {} },
    { label: 'name with X-Is-Resource-Name', hidden: hiddenName, missing: missingName, headers: { 'X-Is-Resource-Name': 'true' } },
    { label: 'id with X-Is-Resource-Name', hidden: hiddenId, missing: missingId, headers: { 'X-Is-Resource-Name': 'true' } },
  ];

  const failures: string[] = [];
  const compare = (what: string, hidden: Reply, missing: Reply, typedHidden: string[], typedMissing: string[]) => {
    const a = normalized(hidden, typedHidden);
    const b = normalized(missing, typedMissing);
    if (a !== b) failures.push(`${what}:\n  private: ${a.replace(/\n/g, ' | ')}\n  missing: ${b.replace(/\n/g, ' | ')}`);
    // A 401 or 403 that says nothing of the project (robots never manage robots) is the same for both.
    if (hidden.status < 400) failures.push(`${what}: ${hidden.status} ${hidden.text}`);
    if (hidden.text.includes(hiddenName) && !typedHidden.includes(hiddenName)) failures.push(`${what}: names the project: ${hidden.text}`);
  };

  for (const [who, as] of [['non-member', outsider], ['anonymous', null], ['robot of another project', robotCaller]] as const) {
    for (const ref of refs) {
      for (const [method, path, body] of requests) {
        const call = (p: string) => api(method, path.replace('{p}', p).replace('{mid}', mid), { as, headers: ref.headers, ...(body !== undefined ? { body } : {}) });
        compare(`${who}: ${method} ${path} by ${ref.label}`, await call(ref.hidden), await call(ref.missing), [ref.hidden], [ref.missing]);
      }
    }
    // Robots: by the project's id in q, by the robot's own id, and created naming the project.
    const q = (id: string) => `/robots?q=${encodeURIComponent(`level=project,project_id=${id}`)}`;
    compare(`${who}: GET /robots?q=project_id`, await api('GET', q(hiddenId), { as }), await api('GET', q(missingId), { as }), [hiddenId], [missingId]);
    for (const [method, body] of [['GET'], ['PUT', { description: 'pwned' }], ['PATCH', {}], ['DELETE']] as Array<[string, unknown?]>) {
      const call = (id: string) => api(method, `/robots/${id}`, { as, ...(body !== undefined ? { body } : {}) });
      compare(`${who}: ${method} /robots/{id}`, await call(robotId), await call(missingRobotId), [robotId], [missingRobotId]);
    }
    const create = (ns: string) =>
      api('POST', '/robots', { as, body: { name: 'evil', level: 'project', duration: -1, permissions: [{ kind: 'project', namespace: ns, access: [{ resource: 'repository', action: 'pull' }] }] } });
    compare(`${who}: POST /robots naming the project`, await create(hiddenName), await create(missingName), [hiddenName], [missingName]);
  }
  assert.deepEqual(failures, []);

  // The answer itself: Harbor's error JSON, naming only what was typed.
  const r = await api('GET', `/projects/${hiddenId}`, { as: outsider });
  assert.equal(r.status, 404);
  assert.deepEqual(r.json, { errors: [{ code: 'NOT_FOUND', message: `project ${hiddenId} not found` }] });

  // Nothing changed, and the owner still sees everything.
  const after = await api('GET', `/projects/${hiddenId}`, { as: owner });
  assert.equal(after.status, 200);
  assert.equal(after.json.metadata.public, 'false');
  assert.equal((await api('GET', `/robots/${robotId}`, { as: owner })).status, 200);
});

test('a caller who may see the project still gets 403 (or 401) for a right it lacks', async () => {
  // userc becomes a limited guest of projb: it sees the project, but may not list its members.
  const add = await api('POST', `/projects/${hiddenName}/members`, { headers: { 'X-Is-Resource-Name': 'true' }, body: { role_id: 5, member_user: { username: guest.username } } });
  assert.equal(add.status, 201, add.text);
  const members = await api('GET', `/projects/${hiddenName}/members`, { as: guest, headers: { 'X-Is-Resource-Name': 'true' } });
  assert.equal(members.status, 403, members.text);
  assert.equal(members.json.errors[0].code, 'FORBIDDEN');
  assert.equal((await api('GET', `/projects/${hiddenName}`, { as: guest, headers: { 'X-Is-Resource-Name': 'true' } })).status, 200);

  // A public project is seen by everyone: a non-member's missing right is a 403, anonymous a 401.
  assert.equal((await api('POST', '/projects', { as: owner, body: { project_name: 'shown', metadata: { public: 'true' } } })).status, 201);
  const pub = await api('GET', '/projects/shown/members', { as: outsider, headers: { 'X-Is-Resource-Name': 'true' } });
  assert.equal(pub.status, 403, pub.text);
  assert.equal((await api('GET', '/projects/shown/members', { as: null, headers: { 'X-Is-Resource-Name': 'true' } })).status, 401);

  // A system robot is the administrators' business alone: anyone else is told it does not exist.
  const sys = await api('POST', '/robots', { body: { name: 'sysbot', level: 'system', duration: -1, permissions: [{ kind: 'project', namespace: '*', access: [{ resource: 'repository', action: 'pull' }] }] } });
  assert.equal(sys.status, 201, sys.text);
  const asked = await api('GET', `/robots/${sys.json.id}`, { as: outsider });
  assert.equal(asked.status, 404, asked.text);
  assert.deepEqual(asked.json, { errors: [{ code: 'NOT_FOUND', message: `robot ${sys.json.id} not found` }] });
});
