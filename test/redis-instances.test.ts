// @haven-own-database: chooses its own databases, so the PostgreSQL pass of npm test skips it.
// Two Haven instances on one PostgreSQL database and one Redis (issue 10, sections 3 and 4):
// what one instance changes bites on the other at once, though each keeps its own in-memory
// caches (identity 5 s, remembered logins 60 s, registry reads 5 s): a disabled robot, a changed
// password, a deleted and re-created project, a public project made private, a removed member, a moved or deleted tag (blob links: cluster.test.ts, which
// shares storage); and failed logins on either count together.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { postgres } from './backends/postgres.js';
import { redisSkip, startRedis, type RedisBackend } from './backends/redis.js';
import { apiClient, type Creds } from './helpers/api-client.js';
import { eventually } from './helpers/eventually.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { asAdmin, mediaType, pushImage } from './helpers/oci.js';

/** Well inside the shortest TTL it replaces (the identity cache's 5 s): "at once", give or take a message. */
const atOnce = { timeoutMs: 1500, intervalMs: 20 };

describe('two Havens on one PostgreSQL and one Redis', { skip: redisSkip }, () => {
  let redis: RedisBackend;
  let databaseUrl: string;
  let a: RunningHaven;
  let b: RunningHaven;
  before(async () => {
    redis = await startRedis();
    databaseUrl = await (await postgres()).createDatabase('instances');
    const opts = { args: ['--trust-proxy', 'true', '--redis-url', redis.url], env: { HAVEN_DATABASE_URL: databaseUrl } };
    a = await startHaven({ ...opts, projects: ['p1'] });
    b = await startHaven(opts);
  });
  after(async () => {
    await a?.cleanup();
    await b?.cleanup();
    if (databaseUrl) await (await postgres()).dropDatabase(databaseUrl);
    await redis?.cleanup();
  });

  test('a robot disabled through A is refused by B at once, though B had just found it usable', async () => {
    const onA = apiClient(a);
    const onB = apiClient(b);
    const created = await onA.api('POST', '/robots', {
      body: { name: 'ci', level: 'system', duration: 1, permissions: [{ kind: 'project', namespace: 'p1', access: [{ resource: 'repository', action: 'pull' }] }] },
    });
    assert.equal(created.status, 201, created.text);
    const robot: Creds = { username: created.json.name, password: created.json.secret };
    const tok = await onB.token(robot, 'repository:p1/x:pull');
    assert.equal(tok.status, 200, 'B issues it a token');
    const bearer = `Bearer ${tok.token}`;
    assert.equal((await onB.call('GET', '/v2/p1/x/tags/list', { authorization: bearer })).status, 404, 'usable on B (the repository is just missing)');

    assert.equal((await onA.api('PUT', `/robots/${created.json.id}`, { body: { disable: true } })).status, 200);
    await eventually(async () => assert.equal((await onB.call('GET', '/v2/p1/x/tags/list', { authorization: bearer })).status, 401), atOnce);
    assert.equal((await onB.token(robot, 'repository:p1/x:pull')).status, 401);
  });

  test("a password changed through A is refused by B at once, though B remembered the login", async () => {
    const onA = apiClient(a);
    const onB = apiClient(b);
    const created = await onA.api('POST', '/users', { body: { username: 'dana', email: 'dana@example.com', realname: 'Dana', password: 'Dana123456' } });
    assert.equal(created.status, 201, created.text);
    const old: Creds = { username: 'dana', password: 'Dana123456' };
    assert.equal((await onB.api('GET', '/users/current', { as: old })).status, 200, 'B checks it and remembers it for a minute');
    const id = (await onA.api('GET', '/users/current', { as: old })).json.user_id;
    const changed = await onA.api('PUT', `/users/${id}/password`, {
      as: old,
      body: { old_password: 'Dana123456', new_password: 'Dana654321' },
    });
    assert.equal(changed.status, 200, changed.text);
    await eventually(async () => assert.equal((await onB.api('GET', '/users/current', { as: old })).status, 401), atOnce);
    assert.equal((await onB.api('GET', '/users/current', { as: { username: 'dana', password: 'Dana654321' } })).status, 200);
  });

  test("a project deleted through A and made again under its name: B refuses the old project's token at once", async () => {
    const onA = apiClient(a);
    const onB = apiClient(b);
    await a.createProject('p2', true);
    const tok = await onB.token(onB.admin, 'repository:p2/x:pull');
    assert.equal(tok.status, 200);
    const bearer = `Bearer ${tok.token}`;
    assert.equal((await onB.call('GET', '/v2/p2/x/tags/list', { authorization: bearer })).status, 404, "B knows p2's id now");
    assert.equal((await onA.api('DELETE', '/projects/p2')).status, 200);
    await a.createProject('p2', true);
    await eventually(async () => assert.equal((await onB.call('GET', '/v2/p2/x/tags/list', { authorization: bearer })).status, 401), atOnce);
  });

  test('a public project made private through A refuses anonymous pulls on B at once, by PUT /projects and by its metadata', async () => {
    const onA = apiClient(a);
    await a.createProject('open', true);
    const pushed = await pushImage(asAdmin(a), 'open/app', 'v1');
    const anonymousGet = () => fetch(`${b.url}/v2/open/app/manifests/v1`, { headers: { Accept: mediaType.ociManifest } });
    for (let i = 0; i < 3; i++) assert.equal((await anonymousGet()).headers.get('docker-content-digest'), pushed.digest, 'B serves the public project to anyone, then from memory');
    assert.equal((await onA.api('PUT', '/projects/open', { body: { metadata: { public: 'false' } } })).status, 200);
    await eventually(async () => assert.equal((await anonymousGet()).status, 401), atOnce);

    assert.equal((await onA.api('PUT', '/projects/open/metadatas/public', { body: { public: 'true' } })).status, 200);
    await eventually(async () => assert.equal((await anonymousGet()).status, 200), atOnce);
    assert.equal((await onA.api('DELETE', '/projects/open/metadatas/public')).status, 200);
    await eventually(async () => assert.equal((await anonymousGet()).status, 401), atOnce);
  });

  test("a member removed through A is refused by B at once, though B had just read the user's role", async () => {
    const onA = apiClient(a);
    const onB = apiClient(b);
    const user: Creds = { username: 'erin', password: 'Erin123456' };
    const created = await onA.api('POST', '/users', { body: { username: user.username, email: 'erin@example.com', realname: 'Erin', password: user.password } });
    assert.equal(created.status, 201, created.text);
    await a.createProject('team');
    await pushImage(asAdmin(a), 'team/app', 'v1');
    // Basic credentials on /v2: every request asks the user's role in the project.
    const pull = async () => (await onB.call('GET', '/v2/team/app/tags/list', { as: user })).status;
    assert.notEqual(await pull(), 200, 'not a member yet');
    const added = await onA.api('POST', '/projects/team/members', { body: { role_id: 3, member_user: { username: user.username } } });
    assert.equal(added.status, 201, added.text);
    await eventually(async () => assert.equal(await pull(), 200), atOnce);
    for (let i = 0; i < 3; i++) assert.equal(await pull(), 200, 'B answers the role from memory');

    const members = await onA.api('GET', '/projects/team/members?entityname=erin');
    const memberId = members.json[0].id;
    assert.equal((await onA.api('DELETE', `/projects/team/members/${memberId}`)).status, 200);
    await eventually(async () => assert.notEqual(await pull(), 200), atOnce);
    assert.equal((await onB.api('GET', '/projects/team/repositories', { as: user })).status, 404, 'the management API no longer shows it the private project');
  });

  test('failed logins on A and B count together: the sixth, on either, throttles the client on both', async () => {
    const onA = apiClient(a);
    const onB = apiClient(b);
    const client = { 'X-Forwarded-For': '203.0.113.77' };
    const guess = (i: number): Creds => ({ username: 'erin', password: `Guess${i}abc` });
    for (let i = 0; i < 6; i++) assert.equal((await (i % 2 ? onA : onB).call('GET', '/v2/', { as: guess(i), headers: client })).status, 401);
    assert.equal((await onA.call('GET', '/v2/', { as: guess(7), headers: client })).status, 429);
    assert.equal((await onB.call('GET', '/v2/', { as: guess(8), headers: client })).status, 429);
  });

  test('a tag moved or deleted through A is answered anew by B at once, though B had just served it from memory', async () => {
    const get = (ref: string) => fetch(`${b.url}/v2/p1/moving/manifests/${ref}`, { headers: { ...b.asAdmin, Accept: mediaType.ociManifest } });
    const first = await pushImage(asAdmin(a), 'p1/moving', 'stable');
    for (let i = 0; i < 3; i++) assert.equal((await get('stable')).headers.get('docker-content-digest'), first.digest, 'B serves v1, then from memory');
    assert.equal((await get(first.digest)).status, 200);

    const second = await pushImage(asAdmin(a), 'p1/moving', 'stable');
    assert.notEqual(second.digest, first.digest);
    await eventually(async () => assert.equal((await get('stable')).headers.get('docker-content-digest'), second.digest, 'B follows the moved tag'), atOnce);

    const del = await fetch(`${a.url}/api/v2.0/projects/p1/repositories/moving/artifacts/${second.digest}/tags/stable`, { method: 'DELETE', headers: a.asAdmin });
    assert.equal(del.status, 200, await del.text());
    await eventually(async () => assert.equal((await get('stable')).status, 404, 'B no longer knows the deleted tag'), atOnce);

    assert.equal((await fetch(`${a.url}/v2/p1/moving/manifests/${first.digest}`, { method: 'DELETE', headers: a.asAdmin })).status, 202);
    await eventually(async () => assert.equal((await get(first.digest)).status, 404, 'B no longer serves the deleted manifest by digest'), atOnce);
  });
});
