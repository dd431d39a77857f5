// Harbor's permission matrix, over HTTP: for each project role (and a non-member, an anonymous
// caller and a system administrator), every operation Haven implements is allowed exactly when
// Harbor's own table (test/fixtures/harbor-rbac-matrix.tsv, read apart from src/domain/rbac) says so — registry pull, push and
// delete through the token protocol, and the project, member, robot and log APIs. Private and
// public projects both: a public project adds read access for everyone, never more.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { projectRoles, roleAllows } from '../src/domain/rbac/matrix.js';
import { harborAllows, harborPermissions, harborPermissionsOf, type HarborRole as ProjectRole } from './helpers/harbor-matrix.js';
import type { Variant, Who } from './matrix/operation.js';
import { apiClient, type Creds } from './helpers/api-client.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { areaGroups } from './matrix/index.js';
import { systemJobOperations, systemRobots } from './matrix/system-job-operations.js';
import type { Operation, ProjectUnderTest } from './matrix/operation.js';


/** Harbor's role ids, as the members API takes them. */
const roleId: Record<ProjectRole, number> = { projectAdmin: 1, developer: 2, guest: 3, maintainer: 4, limitedGuest: 5 };
const roles = Object.keys(roleId) as ProjectRole[];
const everyone: Who[] = [...roles, 'nonMember', 'anonymous', 'sysadmin'];

/**
 * What Harbor grants everyone on a public project (publicProjectPolicies in Harbor's
 * rbac_role.go): reading it and pulling from it, never writing.
 */
const publicPolicies = new Set(['self:read', 'label:read', 'label:list', 'repository:pull', 'repository:list', 'artifact:read', 'artifact:list', 'tag:list', 'artifact-addition:read', 'accessory:list', 'scan:read', 'scanner:read']);

/** Registry actions in the token protocol, as matrix permissions. */
const registryPermission: Record<string, string> = { pull: 'repository:pull', push: 'repository:push', delete: 'artifact:delete' };

function expectAllowed(who: Who, variant: Variant, permission: string): boolean {
  if (who === 'sysadmin') return true;
  if (variant === 'public' && publicPolicies.has(permission)) return true;
  if (who === 'nonMember' || who === 'anonymous') return false;
  return harborAllows(who, permission);
}

const password = 'Matrix12345';
const creds: Partial<Record<Who, Creds>> = {};
const slug = (who: Who) => who.toLowerCase();

let h: RunningHaven;
let client: ReturnType<typeof apiClient>;
const api = (method: string, path: string, opts: Parameters<typeof client.api>[2] = {}) => client.api(method, path, opts);

const projects: Partial<Record<Variant, ProjectUnderTest>> = {};

async function createProject(name: string, isPublic: boolean): Promise<number> {
  const r = await api('POST', '/projects', { body: { project_name: name, metadata: { public: String(isPublic) } } });
  assert.equal(r.status, 201, r.text);
  return Number(r.headers.get('location')!.split('/').pop());
}

async function addMember(projectId: number, username: string, role: number): Promise<number> {
  const r = await api('POST', `/projects/${projectId}/members`, { body: { role_id: role, member_user: { username } } });
  assert.equal(r.status, 201, r.text);
  return Number(r.headers.get('location')!.split('/').pop());
}

before(async () => {
  h = await startHaven();
  client = apiClient(h);
  creds.sysadmin = client.admin;
  for (const who of [...roles, 'nonMember', 'target', 'spare'] as const) {
    const c = { username: `u-${who.toLowerCase()}`, password };
    const r = await api('POST', '/users', { body: { username: c.username, password, email: `${c.username}@example.com` } });
    assert.equal(r.status, 201, r.text);
    if (who !== 'target' && who !== 'spare') creds[who] = c;
  }
  for (const variant of ['private', 'public'] as const) {
    const name = `matrix-${variant}`;
    const id = await createProject(name, variant === 'public');
    for (const role of roles) await addMember(id, creds[role]!.username, roleId[role]);
    const targetMid = await addMember(id, 'u-target', 3);
    const throwaway = new Map<Who, { name: string; id: number }>();
    for (const who of everyone) {
      const tname = `del-${slug(who)}-${variant}`;
      const tid = await createProject(tname, variant === 'public');
      if (roles.includes(who as ProjectRole)) await addMember(tid, creds[who]!.username, roleId[who as ProjectRole]);
      throwaway.set(who, { name: tname, id: tid });
    }
    projects[variant] = { name, id, targetMid, throwaway, fixtures: {} };
  }
  for (const group of areaGroups) {
    for (const variant of ['private', 'public'] as const) await group.setup?.({ h, api, client }, projects[variant]!, variant);
  }
});

after(async () => {
  await h?.cleanup();
});

const identityOperations: Operation[] = [
  { name: 'GET /projects/{id}', permission: 'self:read', okStatus: 200, attempt: (as, p) => api('GET', `/projects/${p.id}`, { as }) },
  { name: 'GET /projects/{id}/summary', permission: 'self:read', okStatus: 200, attempt: (as, p) => api('GET', `/projects/${p.id}/summary`, { as }) },
  { name: 'GET /projects/{id}/members', permission: 'member:list', okStatus: 200, attempt: (as, p) => api('GET', `/projects/${p.id}/members`, { as }) },
  {
    name: 'GET /robots?q=level=project,project_id=N',
    permission: 'robot:list',
    loginFirst: true,
    okStatus: 200,
    attempt: (as, p) => api('GET', `/robots?q=${encodeURIComponent(`level=project,project_id=${p.id}`)}`, { as }),
  },
  { name: 'GET /projects/{name}/logs', permission: 'log:list', okStatus: 200, attempt: (as, p) => api('GET', `/projects/${p.name}/logs`, { as }) },
  {
    name: 'PUT /projects/{id}',
    permission: 'self:update',
    okStatus: 200,
    attempt: (as, p) => api('PUT', `/projects/${p.id}`, { as, body: { metadata: { auto_scan: 'false' } } }),
  },
  {
    name: 'POST /projects/{id}/members',
    permission: 'member:create',
    okStatus: 201,
    attempt: (as, p) => api('POST', `/projects/${p.id}/members`, { as, body: { role_id: 3, member_user: { username: 'u-spare' } } }),
    async restore(r, p) {
      const mid = r.headers.get('location')!.split('/').pop();
      assert.equal((await api('DELETE', `/projects/${p.id}/members/${mid}`)).status, 200);
    },
  },
  {
    name: 'PUT /projects/{id}/members/{mid}',
    permission: 'member:update',
    okStatus: 200,
    attempt: (as, p) => api('PUT', `/projects/${p.id}/members/${p.targetMid}`, { as, body: { role_id: 3 } }),
  },
  {
    name: 'DELETE /projects/{id}/members/{mid}',
    permission: 'member:delete',
    okStatus: 200,
    attempt: (as, p) => api('DELETE', `/projects/${p.id}/members/${p.targetMid}`, { as }),
    async restore(_r, p) {
      p.targetMid = await addMember(p.id, 'u-target', 3);
    },
  },
  {
    name: 'POST /robots (project robot)',
    permission: 'robot:create',
    loginFirst: true,
    okStatus: 201,
    attempt: (as, p, who) =>
      api('POST', '/robots', {
        as,
        body: {
          name: `bot-${slug(who)}`,
          level: 'project',
          duration: -1,
          permissions: [{ kind: 'project', namespace: p.name, access: [{ resource: 'repository', action: 'pull' }] }],
        },
      }),
  },
  {
    name: 'DELETE /projects/{id} (empty)',
    permission: 'self:delete',
    okStatus: 200,
    attempt: (as, p, who) => api('DELETE', `/projects/${p.throwaway.get(who)!.id}`, { as }),
  },
];

const operations: Operation[] = [...identityOperations, ...areaGroups.flatMap((g) => g.operations)];

for (const variant of ['private', 'public'] as const) {
  describe(`permission matrix over HTTP, ${variant} project`, () => {
    for (const who of everyone) {
      test(`${who}: registry token actions follow the matrix`, async () => {
        const p = projects[variant]!;
        const t = await client.token(who === 'anonymous' ? null : creds[who]!, `repository:${p.name}/app:pull,push,delete`);
        assert.equal(t.status, 200);
        assert.equal(t.access.length, 1);
        assert.equal(t.access[0]!.name, `${p.name}/app`);
        const expected = ['pull', 'push', 'delete'].filter((a) => expectAllowed(who, variant, registryPermission[a]!));
        assert.deepEqual(t.access[0]!.actions, expected);
      });

      test(`${who}: API operations follow the matrix`, async () => {
        const p = projects[variant]!;
        const as = who === 'anonymous' ? null : creds[who]!;
        const mismatches: string[] = [];
        for (const op of operations) {
          const allowed = expectAllowed(who, variant, op.permission);
          const r = await op.attempt(as, p, who, variant);
          if (r.status >= 500) assert.fail(`${op.name}: server error ${r.status}: ${r.text}`);
          // A private project is hidden from those outside it: they are told it does not exist (F8).
          const hidden = !op.system && variant === 'private' && (who === 'anonymous' || who === 'nonMember');
          const refusal = who === 'anonymous' && op.loginFirst ? 401 : hidden ? (op.hiddenRefusal ?? 404) : who === 'anonymous' ? 401 : 403;
          if (allowed && r.status !== op.okStatus) mismatches.push(`${op.name} (${op.permission}) should be allowed: ${r.status} ${r.text.slice(0, 200)}`);
          if (!allowed && r.status !== refusal) mismatches.push(`${op.name} (${op.permission}) should be ${refusal}: ${r.status} ${r.text.slice(0, 200)}`);
          if (r.status === op.okStatus && op.restore) await op.restore(r, p);
        }
        assert.deepEqual(mismatches, []);
      });
    }

    test('GET /users/current/permissions lists exactly the matrix row of each role', async () => {
      const p = projects[variant]!;
      const path = `/users/current/permissions?scope=${encodeURIComponent(`/project/${p.id}`)}&relative=true`;
      for (const who of everyone) {
        const r = await api('GET', path, { as: who === 'anonymous' ? null : creds[who]! });
        if (who === 'anonymous') {
          assert.equal(r.status, 401);
          continue;
        }
        assert.equal(r.status, 200, r.text);
        const got = new Set((r.json as Array<{ resource: string; action: string }>).map((x) => `${x.resource}:${x.action}`));
        if (who === 'sysadmin') {
          assert.deepEqual([...got].sort(), [...harborPermissions].sort());
          continue;
        }
        const own: string[] = who === 'nonMember' ? [] : harborPermissionsOf(who);
        if (variant === 'private') {
          assert.deepEqual([...got].sort(), [...own].sort(), who);
        } else {
          for (const perm of own) assert.ok(got.has(perm), `${who} keeps ${perm} on a public project`);
          assert.ok(got.has('self:read') && got.has('repository:pull'), `${who} reads and pulls a public project`);
          for (const perm of got) {
            if (own.includes(perm)) continue;
            const action = perm.split(':')[1];
            assert.ok(action === 'read' || action === 'list' || action === 'pull', `${who} gets only read access from a public project, not ${perm}`);
          }
        }
      }
    });
  });
}

test('robots, of a project or of the system, are refused every sysadmin-only job operation', async () => {
  const wrong: string[] = [];
  for (const robot of await systemRobots({ api })) {
    for (const op of systemJobOperations.operations) {
      const r = await op.attempt(robot, projects.private!, 'nonMember', 'private');
      if (r.status !== 403) wrong.push(`${robot.username}: ${op.name}: ${r.status} ${r.text.slice(0, 200)}`);
    }
  }
  assert.deepEqual(wrong, []);
  // Only the setup's run and the sysadmin's (one per project variant) ran; no schedule or pause stayed.
  for (const prefix of ['/system/purgeaudit', '/system/gc']) {
    assert.equal((await api('GET', prefix)).headers.get('x-total-count'), '3', prefix);
    assert.equal((await api('GET', `${prefix}/schedule`)).text, '', `${prefix}: no schedule left`);
  }
  const queues = (await api('GET', '/jobservice/queues')).json as Array<{ job_type: string; paused: boolean }>;
  assert.deepEqual(queues.filter((q) => q.paused), [], 'no queue left paused');
});

test('ids of one project in the paths of another are not found, for a caller who may act on both, and change nothing (IDOR)', async () => {
  const a = projects.private!;
  const b = projects.public!;
  const as = creds.projectAdmin!;
  const fa = a.fixtures as Record<string, number>;
  const fb = b.fixtures as Record<string, number>;
  const hooks = `/projects/${a.id}/webhook/policies`;
  const attempts: Array<[string, string, unknown?]> = [
    ['GET', `${hooks}/${fb.webhookPolicyId}`],
    ['PUT', `${hooks}/${fb.webhookPolicyId}`, { name: 'moved', event_types: ['PUSH_ARTIFACT'], targets: [{ type: 'http', address: 'http://hooks.example.com/x' }] }],
    ['DELETE', `${hooks}/${fb.webhookPolicyId}`],
    ['GET', `${hooks}/${fb.webhookKeptPolicy}/executions`],
    ['GET', `${hooks}/${fa.webhookKeptPolicy}/executions/${fb.webhookEid}/tasks`],
    ['GET', `${hooks}/${fa.webhookKeptPolicy}/executions/${fa.webhookEid}/tasks/${fb.webhookTid}/log`],
    ['GET', `/retentions/${fa.retentionId}/executions/${fb.retentionEid}/tasks`],
    ['GET', `/retentions/${fa.retentionId}/executions/${fa.retentionEid}/tasks/${fb.retentionTid}`],
    ['PATCH', `/retentions/${fa.retentionId}/executions/${fb.retentionEid}`, { action: 'stop' }],
    ['PUT', `/projects/${a.id}/immutabletagrules/${fb.immutableRuleId}`, { id: fb.immutableRuleId, disabled: true, action: 'immutable', template: 'immutable_template', tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: 'moved-*' }], scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] } }],
    ['DELETE', `/projects/${a.id}/immutabletagrules/${fb.immutableRuleId}`],
  ];
  const wrong: string[] = [];
  for (const [method, path, body] of attempts) {
    const r = await api(method, path, { as, ...(body === undefined ? {} : { body }) });
    if (r.status !== 404) wrong.push(`${method} ${path}: ${r.status} ${r.text.slice(0, 200)}`);
  }
  assert.deepEqual(wrong, []);
  // The other project's things are as they were.
  assert.equal((await api('GET', `/projects/${b.id}/webhook/policies/${fb.webhookPolicyId}`)).json.name, 'matrix');
  const rules = (await api('GET', `/projects/${b.id}/immutabletagrules`)).json as Array<{ id: number; disabled: boolean }>;
  assert.equal(rules.find((r) => r.id === fb.immutableRuleId)?.disabled, false);
});

test("Haven's matrix has Harbor's rows, every one of them", () => {
  const wrong: string[] = [];
  for (const permission of harborPermissions) {
    const [resource, action] = permission.split(':') as [string, string];
    for (const role of projectRoles) {
      if (roleAllows(role, resource, action) !== harborAllows(role, permission)) wrong.push(`${permission} ${role}: Harbor says ${harborAllows(role, permission)}`);
    }
  }
  assert.deepEqual(wrong, []);
});

describe('refused operations changed nothing', () => {
  test('projects, members and robots are as the allowed operations left them', async () => {
    for (const variant of ['private', 'public'] as const) {
      const p = projects[variant]!;
      const view = await api('GET', `/projects/${p.id}`);
      assert.equal(view.status, 200);
      assert.equal(view.json.metadata.public, String(variant === 'public'), 'visibility unchanged');
      const members = (await api('GET', `/projects/${p.id}/members?page_size=100`)).json as Array<{ entity_name: string; role_id: number }>;
      const byName = new Map(members.map((m) => [m.entity_name, m.role_id]));
      for (const role of roles) assert.equal(byName.get(`u-${role.toLowerCase()}`), roleId[role], `${role} keeps its role`);
      assert.equal(byName.get('u-target'), 3);
      assert.equal(byName.has('u-spare'), false);
      assert.equal(byName.has('u-nonmember'), false);
      const robots = (await api('GET', `/robots?q=${encodeURIComponent(`level=project,project_id=${p.id}`)}&page_size=100`)).json as Array<{ name: string }>;
      const expectedRobots = everyone.filter((who) => expectAllowed(who, variant, 'robot:create')).map((who) => `robot$${p.name}+bot-${slug(who)}`);
      assert.deepEqual(robots.map((r) => r.name).sort(), expectedRobots.sort());
      for (const who of everyone) {
        const t = p.throwaway.get(who)!;
        const status = (await api('GET', `/projects/${t.id}`)).status;
        assert.equal(status, expectAllowed(who, variant, 'self:delete') ? 404 : 200, `${t.name} deleted only if ${who} may delete`);
      }
    }
  });
});
