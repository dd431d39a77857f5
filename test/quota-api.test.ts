// Harbor's /quotas over HTTP: every project has a quota (storage_limit at creation, else the
// storage_per_project setting), listed and read by system administrators only, updated by them
// only, with Harbor's JSON and Harbor's refusals; malformed bodies change nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiClient, type Creds } from './helpers/api-client.js';
import { useHaven, type RunningHaven } from './helpers/haven.js';
import { asAdmin, pushImage } from './helpers/oci.js';

let h: RunningHaven;
let client: ReturnType<typeof apiClient>;
useHaven({}, (x) => {
  h = x;
  client = apiClient(h);
});

const alice: Creds = { username: 'quota-alice', password: 'Alice12345' };
const byName = { 'X-Is-Resource-Name': 'true' };

async function createProject(name: string, extra: Record<string, unknown> = {}, as?: Creds): Promise<number> {
  const r = await client.api('POST', '/projects', { ...(as ? { as } : {}), body: { project_name: name, ...extra } });
  assert.equal(r.status, 201, r.text);
  return Number(r.headers.get('location')!.split('/').pop());
}

/** The quota of a project, found through Harbor's reference_id filter. */
async function quotaOf(projectId: number) {
  const r = await client.api('GET', `/quotas?reference=project&reference_id=${projectId}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.length, 1, r.text);
  return r.json[0];
}

let aliceMade = false;
/** A user who is no administrator (created on first use). */
async function asAlice(): Promise<Creds> {
  if (!aliceMade) {
    const r = await client.api('POST', '/users', { body: { username: alice.username, password: alice.password, email: 'qa@example.com', realname: 'Alice' } });
    assert.equal(r.status, 201, r.text);
    aliceMade = true;
  }
  return alice;
}

describe('quotas of new projects', () => {
  test('a project gets an unlimited quota by default, in Harbor\'s JSON with its project as ref', async () => {
    const id = await createProject('q-default');
    const q = await quotaOf(id);
    assert.deepEqual(Object.keys(q).sort(), ['creation_time', 'hard', 'id', 'ref', 'update_time', 'used']);
    assert.deepEqual(q.ref, { id, name: 'q-default', owner_name: 'admin' });
    assert.deepEqual(q.hard, { storage: -1 });
    assert.deepEqual(q.used, { storage: 0 });
    assert.ok(!Number.isNaN(Date.parse(q.creation_time)));
    const one = await client.api('GET', `/quotas/${q.id}`);
    assert.equal(one.status, 200);
    assert.deepEqual(one.json, q);
  });

  test("an administrator's storage_limit sets the hard limit; 0 and null mean the default", async () => {
    assert.equal((await quotaOf(await createProject('q-limited', { storage_limit: 10_000 }))).hard.storage, 10_000);
    assert.equal((await quotaOf(await createProject('q-zero', { storage_limit: 0 }))).hard.storage, -1);
    assert.equal((await quotaOf(await createProject('q-null', { storage_limit: null }))).hard.storage, -1);
  });

  test('storage_per_project in /configurations is the default; a non-admin\'s storage_limit is ignored for it, as in Harbor', async () => {
    const set = await client.api('PUT', '/configurations', { body: { storage_per_project: 5_000_000 } });
    assert.equal(set.status, 200, set.text);
    try {
      const conf = await client.api('GET', '/configurations');
      assert.deepEqual(conf.json.storage_per_project, { value: 5_000_000, editable: true });
      assert.equal((await quotaOf(await createProject('q-by-setting'))).hard.storage, 5_000_000);
      assert.equal((await quotaOf(await createProject('q-by-alice', { storage_limit: 1 }, await asAlice()))).hard.storage, 5_000_000);
      for (const bad of [-2, 0.5, 'lots', 1_125_899_906_842_625]) {
        const r = await client.api('PUT', '/configurations', { body: { storage_per_project: bad } });
        assert.equal(r.status, 400, `${bad}: ${r.text}`);
      }
      assert.equal((await client.api('GET', '/configurations')).json.storage_per_project.value, 5_000_000, 'refused values changed nothing');
    } finally {
      assert.equal((await client.api('PUT', '/configurations', { body: { storage_per_project: -1 } })).status, 200);
    }
  });

  test('the project summary shows the quota to members', async () => {
    await createProject('q-summary', { storage_limit: 4096 });
    const r = await client.api('GET', '/projects/q-summary/summary', { headers: byName });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.quota, { hard: { storage: 4096 }, used: { storage: 0 } });
  });
});

describe('GET /quotas', () => {
  test('lists every project\'s quota with X-Total-Count, newest first, with paging, filters and sort', async () => {
    const all = await client.api('GET', '/quotas?page_size=100');
    assert.equal(all.status, 200);
    const total = Number(all.headers.get('x-total-count'));
    assert.equal(total, all.json.length);
    assert.ok(total >= 5);
    const times = all.json.map((q: { creation_time: string }) => Date.parse(q.creation_time));
    assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first by default');

    const page = await client.api('GET', '/quotas?page=2&page_size=2');
    assert.deepEqual(page.json.map((q: { id: number }) => q.id), all.json.slice(2, 4).map((q: { id: number }) => q.id));
    assert.match(page.headers.get('link') ?? '', /rel="prev"/);

    assert.deepEqual((await client.api('GET', '/quotas?reference=other')).json, []);
    assert.deepEqual((await client.api('GET', '/quotas?reference_id=999999')).json, []);
    assert.deepEqual((await client.api('GET', '/quotas?reference_id=abc')).json, []);

    // Harbor sorts an unlimited limit above every number.
    const hard = (await client.api('GET', '/quotas?sort=-hard.storage&page_size=100')).json.map((q: { hard: { storage: number } }) => q.hard.storage);
    const rank = (v: number) => (v < 0 ? Number.MAX_SAFE_INTEGER : v);
    assert.deepEqual(hard, [...hard].sort((a: number, b: number) => rank(b) - rank(a)));
    assert.equal((await client.api('GET', '/quotas?sort=ref.name')).status, 400);
  });

  test('only system administrators may list, read or update quotas: a project admin gets 403, anonymous 401', async () => {
    const id = await createProject('q-alices', {}, await asAlice());
    const q = await quotaOf(id);
    // Another project's quota id, tried by the admin of this one: the same refusal, nothing changed.
    const otherId = await createProject('q-not-alices', { storage_limit: 12_345 });
    const other = await quotaOf(otherId);
    for (const [method, path, body] of [
      ['GET', '/quotas', undefined],
      ['GET', `/quotas/${q.id}`, undefined],
      ['PUT', `/quotas/${q.id}`, { hard: { storage: 1 } }],
      ['GET', `/quotas/${other.id}`, undefined],
      ['PUT', `/quotas/${other.id}`, { hard: { storage: 1 } }],
    ] as const) {
      const mine = await client.api(method, path, { as: alice, ...(body ? { body } : {}) });
      assert.equal(mine.status, 403, `${method} ${path} as the project's admin: ${mine.text}`);
      assert.equal(mine.json.errors[0].code, 'FORBIDDEN');
      const anon = await client.api(method, path, { as: null, ...(body ? { body } : {}) });
      assert.equal(anon.status, 401, `${method} ${path} anonymous`);
    }
    assert.equal((await quotaOf(id)).hard.storage, -1, 'nothing changed');
    assert.equal((await quotaOf(otherId)).hard.storage, 12_345, 'nothing changed in the other project');
    assert.doesNotMatch((await client.api('GET', `/quotas/${other.id}`, { as: alice })).text, /q-not-alices|12345/, 'the refusal shows nothing of it');
    // Her own project's summary still shows her quota (Harbor's quota:read for members).
    assert.deepEqual((await client.api('GET', `/projects/${id}/summary`, { as: alice })).json.quota, { hard: { storage: -1 }, used: { storage: 0 } });
  });

  test('an unknown quota id is 404', async () => {
    assert.equal((await client.api('GET', '/quotas/987654')).status, 404);
    assert.equal((await client.api('PUT', '/quotas/987654', { body: { hard: { storage: 10 } } })).status, 404);
    assert.equal((await client.api('GET', '/quotas/abc')).status, 400);
  });
});

describe('PUT /quotas/{id}', () => {
  test('sets the hard limit (Harbor allows one below current usage: later pushes are refused)', async () => {
    const id = await createProject('q-update');
    const q = await quotaOf(id);
    const reg = asAdmin(h);
    await pushImage(reg, 'q-update/app', 'v1', 1, 2048);
    const used = (await quotaOf(id)).used.storage;
    assert.ok(used > 2048);
    const r = await client.api('PUT', `/quotas/${q.id}`, { body: { hard: { storage: 100 } } });
    assert.equal(r.status, 200, r.text);
    const after = await client.api('GET', `/quotas/${q.id}`);
    assert.deepEqual(after.json.hard, { storage: 100 });
    assert.deepEqual(after.json.used, { storage: used });
    await assert.rejects(pushImage(reg, 'q-update/app', 'v2', 1, 64), /403.*DENIED.*exceed the configured upper limit of 100 B/);
    assert.equal((await client.api('PUT', `/quotas/${q.id}`, { body: { hard: { storage: -1 } } })).status, 200);
    await pushImage(reg, 'q-update/app', 'v2', 1, 64);
  });

  test('malformed bodies get 400 with Harbor\'s message and change nothing', async () => {
    const id = await createProject('q-malformed', { storage_limit: 777 });
    const q = await quotaOf(id);
    const cases: Array<[unknown, RegExp]> = [
      [{}, /hard required in body/],
      [{ hard: {} }, /hard required in body/],
      [{ hard: { storage: -2 } }, /invalid non-positive value for quota limit, value=-2/],
      [{ hard: { storage: 0 } }, /invalid non-positive value/],
      [{ hard: { storage: 1_125_899_906_842_625 } }, /exceeded 1024TB/],
      [{ hard: { count: 5 } }, /resource count not support/],
      [{ hard: { storage: 5, count: 5 } }, /resource count not support/],
      [{ hard: { storage: 'ten' } }, /storage/],
      [{ hard: { storage: 1.5 } }, /storage/],
      [{ hard: 7 }, /hard/],
      ['{"hard":', /./],
    ];
    for (const [body, message] of cases) {
      const r = await client.api('PUT', `/quotas/${q.id}`, { body });
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.errors[0].code, 'BAD_REQUEST');
      assert.match(r.json.errors[0].message, message, JSON.stringify(body));
    }
    assert.deepEqual((await quotaOf(id)).hard, { storage: 777 });
  });
});
