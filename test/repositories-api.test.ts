// Harbor's repositories API over real pushes: list per project (q, sort, paging), /repositories
// for everything the caller can see, get, description update (stored and returned verbatim), and
// pull time and pull count, written in batches after the pulls.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiClient, type Creds } from './helpers/api-client.js';
import { eventually } from './helpers/eventually.js';
import { useHaven, type RunningHaven } from './helpers/haven.js';
import { asAdmin, pushImage } from './helpers/oci.js';

let h: RunningHaven;
useHaven({ projects: ['repa', 'repb'] }, (x) => {
  h = x;
});
const api = (method: string, path: string, opts: Parameters<ReturnType<typeof apiClient>['api']>[2] = {}) => apiClient(h).api(method, path, opts);

const member: Creds = { username: 'repmember', password: 'Member12345' };

describe('repositories API', { timeout: 60_000 }, () => {
  test('lists a project\'s repositories with Harbor\'s fields, searches, sorts and pages', async () => {
    for (const name of ['repa/alpha', 'repa/team/beta', 'repa/gamma']) await pushImage(asAdmin(h), name, 'v1', 1, 64);
    await pushImage(asAdmin(h), 'repa/alpha', 'v2', 1, 64);
    await pushImage(asAdmin(h), 'repb/other', 'v1', 1, 64);

    const all = await api('GET', '/projects/repa/repositories');
    assert.equal(all.status, 200, all.text);
    assert.equal(all.headers.get('x-total-count'), '3');
    // Harbor's default order: newest first.
    assert.deepEqual(all.json.map((r: { name: string }) => r.name), ['repa/gamma', 'repa/team/beta', 'repa/alpha']);
    const alpha = all.json.find((r: { name: string }) => r.name === 'repa/alpha');
    assert.deepEqual(Object.keys(alpha).sort(), ['artifact_count', 'creation_time', 'description', 'id', 'name', 'project_id', 'pull_count', 'update_time']);
    assert.equal(alpha.artifact_count, 2);
    assert.equal(alpha.pull_count, 0);
    assert.equal(alpha.description, '');
    const project = await api('GET', '/projects/repa');
    assert.equal(alpha.project_id, project.json.project_id);

    const fuzzy = await api('GET', `/projects/repa/repositories?q=${encodeURIComponent('name=~team')}`);
    assert.deepEqual(fuzzy.json.map((r: { name: string }) => r.name), ['repa/team/beta']);
    const exact = await api('GET', `/projects/repa/repositories?q=${encodeURIComponent('name=repa/gamma')}`);
    assert.deepEqual(exact.json.map((r: { name: string }) => r.name), ['repa/gamma']);

    const sorted = await api('GET', '/projects/repa/repositories?sort=name&page_size=2');
    assert.deepEqual(sorted.json.map((r: { name: string }) => r.name), ['repa/alpha', 'repa/gamma']);
    assert.match(sorted.headers.get('link') ?? '', /rel="next"/);
    const page2 = await api('GET', '/projects/repa/repositories?sort=name&page_size=2&page=2');
    assert.deepEqual(page2.json.map((r: { name: string }) => r.name), ['repa/team/beta']);

    assert.equal((await api('GET', `/projects/repa/repositories?q=${encodeURIComponent('description=x')}`)).status, 400);
    assert.equal((await api('GET', '/projects/repa/repositories?sort=password')).status, 400);
    assert.equal((await api('GET', '/projects/nosuch/repositories')).status, 404);
  });

  test('gets a repository by its name, with a slash double- or single-encoded', async () => {
    const double = await api('GET', '/projects/repa/repositories/team%252Fbeta');
    assert.equal(double.status, 200, double.text);
    assert.equal(double.json.name, 'repa/team/beta');
    const single = await api('GET', '/projects/repa/repositories/team%2Fbeta');
    assert.equal(single.json.id, double.json.id);
    assert.equal((await api('GET', '/projects/repa/repositories/missing')).status, 404);
    // A repository of another project under this project's path is not found.
    assert.equal((await api('GET', '/projects/repa/repositories/other')).status, 404);
    assert.equal((await api('GET', '/projects/repb/repositories/other')).status, 200);
  });

  test('stores the description verbatim (markdown, never interpreted)', async () => {
    const text = '# Alpha\n<script>alert(1)</script> & "quotes"';
    const put = await api('PUT', '/projects/repa/repositories/alpha', { body: { description: text } });
    assert.equal(put.status, 200, put.text);
    const got = await api('GET', '/projects/repa/repositories/alpha');
    assert.equal(got.json.description, text);
    assert.match(got.headers.get('content-type') ?? '', /application\/json/);
    // A body off Harbor's schema is refused and changes nothing; another project's name is not found.
    assert.equal((await api('PUT', '/projects/repa/repositories/alpha', { body: { description: 42 } })).status, 400);
    assert.equal((await api('PUT', '/projects/repa/repositories/alpha', { body: '{"description":' })).status, 400);
    assert.equal((await api('PUT', '/projects/repa/repositories/other', { body: { description: 'x' } })).status, 404);
    assert.equal((await api('GET', '/projects/repb/repositories/other')).json.description, '');
    assert.equal((await api('GET', '/projects/repa/repositories/alpha')).json.description, text);
  });

  test('/repositories lists only what the caller can see', async () => {
    assert.equal((await api('POST', '/users', { body: { username: member.username, password: member.password, email: 'm@example.com' } })).status, 201);
    assert.equal((await api('POST', '/projects/repb/members', { body: { role_id: 3, member_user: { username: member.username } } })).status, 201);
    const asAdminAll = await api('GET', '/repositories?page_size=100');
    assert.deepEqual(asAdminAll.json.map((r: { name: string }) => r.name).sort(), ['repa/alpha', 'repa/gamma', 'repa/team/beta', 'repb/other']);
    const mine = await api('GET', '/repositories', { as: member });
    assert.equal(mine.status, 200, mine.text);
    assert.deepEqual(mine.json.map((r: { name: string }) => r.name), ['repb/other']);
    assert.equal(mine.headers.get('x-total-count'), '1');
    // Asking for a hidden project's id by q still shows nothing of it.
    const repaId = (await api('GET', '/projects/repa')).json.project_id;
    assert.deepEqual((await api('GET', `/repositories?q=project_id=${repaId}`, { as: member })).json, []);
    assert.equal((await api('GET', '/projects/repa/repositories', { as: member })).status, 404);
    const anon = await api('GET', '/repositories', { as: null });
    assert.deepEqual(anon.json, []);
    // A project robot sees the repositories of the projects it is granted, nothing else.
    const robot = await api('POST', '/robots', {
      body: { name: 'lister', level: 'project', duration: -1, permissions: [{ kind: 'project', namespace: 'repa', access: [{ resource: 'repository', action: 'list' }] }] },
    });
    assert.equal(robot.status, 201, robot.text);
    const asRobot = await api('GET', '/repositories?sort=name', { as: { username: robot.json.name, password: robot.json.secret } });
    assert.equal(asRobot.status, 200, asRobot.text);
    assert.deepEqual(asRobot.json.map((r: { name: string }) => r.name), ['repa/alpha', 'repa/gamma', 'repa/team/beta']);
    // A robot granted something else on a project (here: pushing) is not shown its repositories.
    const pusher = await api('POST', '/robots', {
      body: { name: 'pusher', level: 'project', duration: -1, permissions: [{ kind: 'project', namespace: 'repa', access: [{ resource: 'repository', action: 'push' }] }] },
    });
    assert.equal(pusher.status, 201, pusher.text);
    const asPusher = await api('GET', '/repositories', { as: { username: pusher.json.name, password: pusher.json.secret } });
    assert.equal(asPusher.status, 200, asPusher.text);
    assert.deepEqual(asPusher.json.filter((r: { name: string }) => r.name.startsWith('repa/')), []);
  });

  test('pull time and pull count appear after pulls, HEAD not counted', async () => {
    const { digest } = await pushImage(asAdmin(h), 'repb/pulled', 'v1', 1, 64);
    const get = (ref: string, method = 'GET') =>
      fetch(`${h.url}/v2/repb/pulled/manifests/${ref}`, { method, headers: { ...h.asAdmin, Accept: 'application/vnd.oci.image.manifest.v1+json' } });
    for (const ref of ['v1', 'v1', digest]) assert.equal((await get(ref)).status, 200);
    assert.equal((await get('v1', 'HEAD')).status, 200);
    const repo = await eventually(async () => {
      const r = await api('GET', '/projects/repb/repositories/pulled');
      assert.equal(r.json.pull_count, 3);
      return r.json;
    });
    assert.equal(repo.artifact_count, 1);
    const tags = await api('GET', `/projects/repb/repositories/pulled/artifacts/${digest}/tags`);
    assert.equal(tags.status, 200, tags.text);
    assert.equal(tags.json[0].name, 'v1');
    assert.notEqual(tags.json[0].pull_time, '0001-01-01T00:00:00.000Z');
    assert.ok(Date.parse(tags.json[0].pull_time) >= Date.parse(tags.json[0].push_time));
  });
});
