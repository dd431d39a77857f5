// /search, /statistics, the project summary and the project list's owner and with_detail, over
// HTTP as different callers: each sees exactly the projects and repositories it may (public ones,
// its own, everything for an administrator), with Harbor's JSON and counts.
import { havenSql } from './helpers/haven-db.js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiClient, type Creds, type Reply } from './helpers/api-client.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { asAdmin, imageManifest, pushBlob, pushImage, putManifest, randomBlob } from './helpers/oci.js';

let h: RunningHaven;
let client: ReturnType<typeof apiClient>;
const api = (method: string, path: string, opts: Parameters<typeof client.api>[2] = {}) => client.api(method, path, opts);

const password = 'Search12345';
const alice: Creds = { username: 'alice', password };
const bob: Creds = { username: 'bob', password };
const ids: Record<string, number> = {};

function assertError(r: Reply, status: number, code: string): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.errors?.[0]?.code, code, r.text);
}

const repoNames = (r: Reply) => (r.json.repository as Array<{ repository_name: string }>).map((x) => x.repository_name).sort();
const projectNames = (r: Reply) => (r.json.project as Array<{ name: string }>).map((x) => x.name).sort();

before(async () => {
  h = await startHaven();
  client = apiClient(h);
  for (const u of [alice, bob]) assert.equal((await api('POST', '/users', { body: { username: u.username, password, email: `${u.username}@example.com` } })).status, 201);
  // Alice creates (and so owns and administers) findme-mine; the admin creates the others.
  const created = await api('POST', '/projects', { as: alice, body: { project_name: 'findme-mine', metadata: { public: 'false' } } });
  assert.equal(created.status, 201, created.text);
  await h.createProject('findme-open', true);
  await h.createProject('findme-closed', false);
  for (const name of ['findme-mine', 'findme-open', 'findme-closed']) {
    ids[name] = (await api('GET', `/projects/${name}`, { headers: { 'X-Is-Resource-Name': 'true' } })).json.project_id;
  }
  const reg = asAdmin(h);
  await pushImage(reg, 'findme-open/webapp', 'v1');
  await pushImage(reg, 'findme-open/webapp', 'v2');
  await pushImage(reg, 'findme-open/tools/cli', 'v1');
  await pushImage(reg, 'findme-mine/webapp-private', 'v1');
  await pushImage(reg, 'findme-closed/webapp-secret', 'v1');
});

after(async () => {
  await h?.cleanup();
});

describe('/search', () => {
  test("Harbor's JSON: projects and repositories with their counts", async () => {
    const r = await api('GET', '/search?q=webapp');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.json).sort(), ['project', 'repository']);
    assert.deepEqual(repoNames(r), ['findme-closed/webapp-secret', 'findme-mine/webapp-private', 'findme-open/webapp']);
    const web = (r.json.repository as Array<Record<string, unknown>>).find((x) => x.repository_name === 'findme-open/webapp')!;
    assert.deepEqual(web, { project_id: ids['findme-open'], project_name: 'findme-open', project_public: true, repository_name: 'findme-open/webapp', pull_count: 0, artifact_count: 2 });
    assert.deepEqual(r.json.project, [], 'no project is named like webapp');
    const p = await api('GET', '/search?q=findme');
    assert.deepEqual(projectNames(p), ['findme-closed', 'findme-mine', 'findme-open']);
    const open = (p.json.project as Array<Record<string, unknown>>).find((x) => x.name === 'findme-open')!;
    assert.equal(open.repo_count, 2);
    assert.equal((open.metadata as Record<string, string>).public, 'true');
  });

  test('each caller sees only what it may: its own private projects, public ones; anonymous the public ones', async () => {
    const as = async (c: Creds | null) => api('GET', '/search?q=findme', { as: c });
    const a = await as(alice);
    assert.deepEqual(projectNames(a), ['findme-mine', 'findme-open']);
    assert.deepEqual(repoNames(a), ['findme-mine/webapp-private', 'findme-open/tools/cli', 'findme-open/webapp']);
    const mine = (a.json.project as Array<Record<string, unknown>>).find((x) => x.name === 'findme-mine')!;
    assert.equal(mine.current_user_role_id, 1, "alice's role is shown");
    const b = await as(bob);
    assert.deepEqual(projectNames(b), ['findme-open']);
    assert.deepEqual(repoNames(b), ['findme-open/tools/cli', 'findme-open/webapp']);
    const anon = await as(null);
    assert.equal(anon.status, 200);
    assert.deepEqual(repoNames(anon), repoNames(b));
    assert.doesNotMatch(anon.text + b.text, /secret|closed|private/);
  });

  test('the text matches literally: LIKE wildcards are not wildcards, and a missing q is a 400', async () => {
    for (const q of ['%', '_', 'web%app', 'f_ndme']) {
      const r = await api('GET', `/search?q=${encodeURIComponent(q)}`);
      assert.equal(r.status, 200);
      assert.deepEqual(repoNames(r), [], q);
      assert.deepEqual(projectNames(r), [], q);
    }
    assert.deepEqual(repoNames(await api('GET', '/search?q=tools%2Fcli')), ['findme-open/tools/cli']);
    assertError(await api('GET', '/search'), 400, 'BAD_REQUEST');
  });
});

describe('/statistics', () => {
  test('an administrator sees every count and the storage used; a user the public ones and its own; anonymous is refused', async () => {
    const projects = (await api('GET', '/projects?page_size=100')).json as Array<{ name: string; metadata: { public: string } }>;
    const publicProjects = projects.filter((p) => p.metadata.public === 'true').length;
    const admin = await api('GET', '/statistics');
    assert.equal(admin.status, 200, admin.text);
    assert.deepEqual(admin.json, {
      private_project_count: projects.length - publicProjects,
      private_repo_count: 2,
      public_project_count: publicProjects,
      public_repo_count: 2,
      total_project_count: projects.length,
      total_repo_count: 4,
      total_storage_consumption: admin.json.total_storage_consumption,
    });
    const a = await api('GET', '/statistics', { as: alice });
    assert.deepEqual(a.json, {
      private_project_count: 1,
      private_repo_count: 1,
      public_project_count: publicProjects,
      public_repo_count: 2,
      total_project_count: 0,
      total_repo_count: 0,
      total_storage_consumption: 0,
    });
    const b = await api('GET', '/statistics', { as: bob });
    assert.equal(b.json.private_project_count, 0);
    assert.equal(b.json.private_repo_count, 0);
    assertError(await api('GET', '/statistics', { as: null }), 401, 'UNAUTHORIZED');
  });

  test('storage counts each distinct blob once, across projects', async () => {
    // The same layers in two projects: each project's quota counts them, the registry's total once.
    const layer = randomBlob(4096);
    const config = randomBlob(64);
    const manifest = imageManifest(config, [layer]);
    const reg = asAdmin(h);
    for (const repo of ['shared-a/app', 'shared-b/app']) {
      await h.createProject(repo.split('/')[0]!);
      await pushBlob(reg, repo, config.bytes);
      await pushBlob(reg, repo, layer.bytes);
      assert.equal((await putManifest(reg, repo, 'v1', manifest)).status, 201);
    }
    const q = async (sql: string) => Number((await havenSql<{ n: number }>(h, sql)).rows[0]!.n);
    const distinct = await q('select coalesce(sum(size), 0) as n from (select digest, max(size) as size from project_blobs group by digest) d');
    const perProject = await q('select coalesce(sum(used_storage), 0) as n from quotas');
    assert.equal((await api('GET', '/statistics')).json.total_storage_consumption, distinct);
    assert.ok(distinct > 0 && distinct <= perProject - 4096 - 64 - manifest.length, `${distinct} vs ${perProject}`);
  });

  test("the summary shows each quota in Harbor's ResourceList shape", async () => {
    // The quota ledger fills this table; here rows are set directly to check what is read.
    const put = (projectId: number | undefined, hard: number, used: number) =>
      havenSql(
        h,
        'insert into quotas (project_id, hard_storage, used_storage, created_at, updated_at) values (?, ?, ?, 0, 0) on conflict (project_id) do update set hard_storage = excluded.hard_storage, used_storage = excluded.used_storage',
        [projectId, hard, used],
      );
    await put(ids['findme-open'], -1, 1000);
    await put(ids['findme-mine'], 5000, 234);
    const mine = await api('GET', `/projects/${ids['findme-mine']}/summary`, { as: alice });
    assert.equal(mine.status, 200, mine.text);
    assert.deepEqual(mine.json.quota, { hard: { storage: 5000 }, used: { storage: 234 } });
    assert.equal(mine.json.repo_count, 1);
    assert.equal(mine.json.project_admin_count, 1);
    const open = await api('GET', `/projects/${ids['findme-open']}/summary`, { as: bob });
    assert.equal(open.status, 200, open.text);
    // Harbor's public project policies give a non-member neither the quota nor the member counts.
    assert.equal(open.json.quota, undefined);
    assert.equal(open.json.project_admin_count, undefined, 'member counts only for those who may list members');
    assert.deepEqual((await api('GET', `/projects/${ids['findme-open']}/summary`)).json.quota, { hard: { storage: -1 }, used: { storage: 1000 } });
    assertError(await api('GET', `/projects/${ids['findme-closed']}/summary`, { as: alice }), 404, 'NOT_FOUND');
  });
});

describe('GET /projects: owner and with_detail', () => {
  test('owner filters by the creator, with_detail=false leaves out metadata and the owner name', async () => {
    const mine = await api('GET', '/projects?owner=alice&page_size=100');
    assert.deepEqual((mine.json as Array<{ name: string }>).map((p) => p.name), ['findme-mine']);
    assert.equal(mine.headers.get('x-total-count'), '1');
    assert.deepEqual((await api('GET', '/projects?owner=nobody')).json, []);
    // Alice owns nothing she cannot see; bob sees none of alice's private projects.
    assert.deepEqual((await api('GET', '/projects?owner=alice', { as: bob })).json, []);
    const brief = await api('GET', '/projects?name=findme-open&with_detail=false');
    assert.equal(brief.status, 200, brief.text);
    assert.equal(brief.json.length, 1);
    assert.equal(brief.json[0].metadata, undefined);
    assert.equal(brief.json[0].owner_name, undefined);
    assert.equal(brief.json[0].repo_count, 2);
    const full = await api('GET', '/projects?name=findme-open&with_detail=true');
    assert.equal(full.json[0].metadata.public, 'true');
    assert.equal(full.json[0].owner_name, 'admin');
  });
});
