// Tag retention across projects (Harbor's CVE-2022-31666/31670 class): a member of project A who
// uses the ids of project B's policy, execution or task — directly, or under A's own policy — gets
// 404 and changes nothing; a PUT cannot move A's policy to B through the body's scope.ref; a
// private project's policy ids cannot be told from missing ones; roles follow Harbor's matrix.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiClient, type Creds } from './helpers/api-client.js';
import { eventually } from './helpers/eventually.js';
import { havenSql } from './helpers/haven-db.js';
import { type RunningHaven, startHaven } from './helpers/haven.js';
import { asAdmin, pushImage } from './helpers/oci.js';

const policyBody = (projectId: number, template = 'latestPushedK', n: number | null = 0) => ({
  algorithm: 'or',
  rules: [
    {
      action: 'retain',
      template,
      params: n === null ? {} : { [template]: n },
      tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: '**' }],
      scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] },
    },
  ],
  trigger: { kind: 'Schedule', settings: { cron: '' } },
  scope: { level: 'project', ref: projectId },
});

describe('tag retention: permissions and ids across projects', () => {
  let h: RunningHaven;
  let client: ReturnType<typeof apiClient>;
  const alice: Creds = { username: 'alice', password: 'Alice12345' };
  const bob: Creds = { username: 'bob', password: 'Bob1234567' };
  const ids = { a: 0, b: 0, c: 0, policyA: 0, policyB: 0, eidA: 0, eidB: 0, tidA: 0, tidB: 0 };
  const as = (who: Creds | undefined, method: string, path: string, body?: unknown) => client.api(method, path, { ...(who ? { as: who } : {}), ...(body === undefined ? {} : { body }) });

  async function project(name: string, isPublic = false): Promise<number> {
    const r = await as(undefined, 'POST', '/projects', { project_name: name, metadata: { public: String(isPublic) } });
    assert.equal(r.status, 201, r.text);
    return Number(r.headers.get('location')!.split('/').pop());
  }
  async function dryRun(policy: number): Promise<{ eid: number; tid: number }> {
    const r = await as(undefined, 'POST', `/retentions/${policy}/executions`, { dry_run: true });
    assert.equal(r.status, 201, r.text);
    const eid = Number(r.headers.get('location')!.split('/').pop());
    const tid = await eventually(async () => {
      const t = await as(undefined, 'GET', `/retentions/${policy}/executions/${eid}/tasks`);
      assert.equal(t.status, 200, t.text);
      assert.ok(t.json.length === 1 && t.json[0].status === 'Success', t.text);
      return Number(t.json[0].id);
    });
    return { eid, tid };
  }
  /** What B looks like: its policy, its runs, its metadata and its artifacts. */
  async function stateOfB() {
    return {
      policy: (await as(undefined, 'GET', `/retentions/${ids.policyB}`)).json,
      runs: (await as(undefined, 'GET', `/retentions/${ids.policyB}/executions`)).json.map((e: { id: number; status: string }) => [e.id, e.status]),
      meta: (await as(undefined, 'GET', '/projects/idor-b/metadatas/retention_id')).json,
      artifacts: (await as(undefined, 'GET', '/projects/idor-b/repositories/app/artifacts')).json.map((x: { digest: string }) => x.digest),
    };
  }

  before(async () => {
    h = await startHaven({ env: { HAVEN_JOBS_POLL_INTERVAL: '100' } });
    client = apiClient(h);
    for (const u of [alice, bob]) assert.equal((await as(undefined, 'POST', '/users', { ...u, email: `${u.username}@example.com` })).status, 201);
    ids.a = await project('idor-a');
    ids.b = await project('idor-b');
    ids.c = await project('idor-c', true);
    assert.equal((await as(undefined, 'POST', '/projects/idor-a/members', { role_id: 4, member_user: { username: 'alice' } })).status, 201);
    assert.equal((await as(undefined, 'POST', '/projects/idor-a/members', { role_id: 3, member_user: { username: 'bob' } })).status, 201);
    const reg = asAdmin(h);
    await pushImage(reg, 'idor-a/app', 'v1');
    await pushImage(reg, 'idor-b/app', 'v1');
    for (const [key, pid] of [['policyA', ids.a], ['policyB', ids.b]] as const) {
      const r = await as(undefined, 'POST', '/retentions', policyBody(pid, 'always', null));
      assert.equal(r.status, 201, r.text);
      ids[key] = Number(r.headers.get('location')!.split('/').pop());
    }
    ({ eid: ids.eidA, tid: ids.tidA } = await dryRun(ids.policyA));
    ({ eid: ids.eidB, tid: ids.tidB } = await dryRun(ids.policyB));
  });
  after(async () => {
    await h?.cleanup();
  });

  test('a maintainer of A works on A\'s policy', async () => {
    assert.equal((await as(alice, 'GET', `/retentions/${ids.policyA}`)).status, 200);
    assert.equal((await as(alice, 'GET', `/retentions/${ids.policyA}/executions/${ids.eidA}/tasks`)).status, 200);
    assert.equal((await as(alice, 'GET', `/retentions/${ids.policyA}/executions/${ids.eidA}/tasks/${ids.tidA}`)).status, 200);
    assert.equal((await as(alice, 'PUT', `/retentions/${ids.policyA}`, policyBody(ids.a, 'always', null))).status, 200);
  });

  test('B\'s policy used directly: 404, worded as a missing policy, nothing changes', async () => {
    const before = await stateOfB();
    const missing = await as(alice, 'GET', '/retentions/999999');
    assert.equal(missing.status, 404);
    const attempts: Array<[string, string, unknown?]> = [
      ['GET', `/retentions/${ids.policyB}`],
      ['PUT', `/retentions/${ids.policyB}`, policyBody(ids.b)],
      ['DELETE', `/retentions/${ids.policyB}`],
      ['POST', `/retentions/${ids.policyB}/executions`, { dry_run: false }],
      ['GET', `/retentions/${ids.policyB}/executions`],
      ['PATCH', `/retentions/${ids.policyB}/executions/${ids.eidB}`, { action: 'stop' }],
      ['GET', `/retentions/${ids.policyB}/executions/${ids.eidB}/tasks`],
      ['GET', `/retentions/${ids.policyB}/executions/${ids.eidB}/tasks/${ids.tidB}`],
    ];
    for (const [method, path, body] of attempts) {
      const r = await as(alice, method, path, body);
      assert.equal(r.status, 404, `${method} ${path}: ${r.text}`);
      assert.equal(r.text.replace(String(ids.policyB), 'N'), missing.text.replace('999999', 'N'), `${method} ${path} looks like a missing policy`);
    }
    assert.deepEqual(await stateOfB(), before);
  });

  test('B\'s execution and task ids under A\'s policy: 404, nothing changes', async () => {
    const before = await stateOfB();
    const attempts: Array<[string, string, unknown?]> = [
      ['GET', `/retentions/${ids.policyA}/executions/${ids.eidB}/tasks`],
      ['GET', `/retentions/${ids.policyA}/executions/${ids.eidB}/tasks/${ids.tidB}`],
      ['GET', `/retentions/${ids.policyA}/executions/${ids.eidA}/tasks/${ids.tidB}`],
      ['PATCH', `/retentions/${ids.policyA}/executions/${ids.eidB}`, { action: 'stop' }],
    ];
    for (const [method, path, body] of attempts) {
      const r = await as(alice, method, path, body);
      assert.equal(r.status, 404, `${method} ${path}: ${r.text}`);
      assert.deepEqual(r.json, { errors: [{ code: 'NOT_FOUND', message: `project: ${ids.a}, execution id ${path.includes(`/executions/${ids.eidA}/`) ? ids.eidA : ids.eidB} not found` }] });
    }
    // Not even the administrator mixes them up.
    assert.equal((await as(undefined, 'GET', `/retentions/${ids.policyA}/executions/${ids.eidB}/tasks`)).status, 404);
    assert.deepEqual(await stateOfB(), before);
  });

  test('a PUT naming B in the body keeps the policy in A and leaves B alone', async () => {
    const before = await stateOfB();
    const r = await as(alice, 'PUT', `/retentions/${ids.policyA}`, { ...policyBody(ids.b, 'latestPushedK', 5), id: ids.policyB });
    assert.equal(r.status, 200, r.text);
    const a = await as(alice, 'GET', `/retentions/${ids.policyA}`);
    assert.deepEqual([a.json.id, a.json.scope, a.json.rules[0].template], [ids.policyA, { level: 'project', ref: ids.a }, 'latestPushedK']);
    assert.deepEqual(await stateOfB(), before);
    assert.deepEqual((await as(undefined, 'GET', '/projects/idor-a/metadatas/retention_id')).json, { retention_id: String(ids.policyA) });
  });

  test('creating in a project the caller cannot see or may not change', async () => {
    const before = await stateOfB();
    // B is private and alice is no member: answered as a project that is not there.
    const hidden = await as(alice, 'POST', '/retentions', policyBody(ids.b));
    assert.equal(hidden.status, 400, hidden.text);
    assert.deepEqual(hidden.json, { errors: [{ code: 'BAD_REQUEST', message: `invalid Project id ${ids.b}` }] });
    assert.deepEqual(await stateOfB(), before);
    // C is public: alice sees it, but has no right there.
    const shown = await as(alice, 'POST', '/retentions', policyBody(ids.c));
    assert.equal(shown.status, 403, shown.text);
    assert.deepEqual((await as(undefined, 'GET', '/projects/idor-c/metadatas/retention_id')).json, {});
    assert.equal((await as(undefined, 'POST', '/retentions', policyBody(ids.c))).status, 201, 'the administrator may');
  });

  test('a guest reads nothing of retention; anonymous callers must log in', async () => {
    for (const [method, path, body] of [
      ['GET', `/retentions/${ids.policyA}`],
      ['GET', `/retentions/${ids.policyA}/executions`],
      ['POST', `/retentions/${ids.policyA}/executions`, { dry_run: true }],
      ['DELETE', `/retentions/${ids.policyA}`],
    ] as Array<[string, string, unknown?]>) {
      const r = await as(bob, method, path, body);
      assert.equal(r.status, 403, `${method} ${path}: ${r.text}`);
      const anonymous = await client.api(method, path, { as: null, ...(body === undefined ? {} : { body }) });
      assert.equal(anonymous.status, 401, `${method} ${path} anonymous: ${anonymous.text}`);
    }
    assert.equal((await as(alice, 'GET', `/retentions/${ids.policyA}`)).status, 200, 'A\'s policy is still there');
  });

  test('a policy its project no longer names (Harbor\'s requirePolicyAccess) is not found for changes', async () => {
    assert.equal((await as(undefined, 'DELETE', '/projects/idor-a/metadatas/retention_id')).status, 200);
    try {
      const r = await as(alice, 'PATCH', `/retentions/${ids.policyA}/executions/${ids.eidA}`, { action: 'stop' });
      assert.equal(r.status, 404, r.text);
      assert.equal(r.json.errors[0].message, `the retention policy id ${ids.policyA} does not match`);
    } finally {
      // The metadata API refuses to set retention_id (only /retentions binds it): put it back directly.
      const [row] = (await havenSql<{ metadata: string }>(h, 'select metadata from projects where id = ?', [ids.a])).rows;
      await havenSql(h, 'update projects set metadata = ? where id = ?', [JSON.stringify({ ...JSON.parse(row!.metadata), retention_id: String(ids.policyA) }), ids.a]);
    }
    assert.equal((await as(alice, 'GET', `/retentions/${ids.policyA}/executions/${ids.eidA}/tasks`)).status, 200);
    // Unbound, the project could be given a second policy; the one-policy-per-project index refuses it.
    assert.equal((await as(undefined, 'DELETE', '/projects/idor-a/metadatas/retention_id')).status, 200);
    const second = await as(undefined, 'POST', '/retentions', policyBody(ids.a));
    assert.equal(second.status, 409, second.text);
  });
});
