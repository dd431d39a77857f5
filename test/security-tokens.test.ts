// Registry tokens follow identities, not names (issue 7, F2): a token stops working when the
// project it was granted in, or the user or robot it was issued to, is deleted or disabled, even
// when something new takes the name. And robot names cannot be told apart by timing (F7).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { apiClient, basic, type Creds } from './helpers/api-client.js';
import { useHaven, type RunningHaven } from './helpers/haven.js';
import { asAdmin, pushImage, randomBlob, sha256 } from './helpers/oci.js';

let h: RunningHaven;
let client: ReturnType<typeof apiClient>;
useHaven({ args: ['--trust-proxy', 'true'] }, (x) => {
  h = x;
  client = apiClient(h);
});

const alice: Creds = { username: 'alice', password: 'Alice12345x' };
const bob: Creds = { username: 'bob', password: 'Bob12345xyz' };
const carol: Creds = { username: 'carol', password: 'Carol12345x' };

async function createUser(c: Creds): Promise<number> {
  const r = await client.api('POST', '/users', { body: { username: c.username, password: c.password, email: `${c.username}@example.com` } });
  assert.equal(r.status, 201, r.text);
  return Number(r.headers.get('location')!.split('/').pop());
}

async function createProject(as: Creds, name: string): Promise<number> {
  const r = await client.api('POST', '/projects', { as, body: { project_name: name, metadata: { public: 'false' } } });
  assert.equal(r.status, 201, r.text);
  return Number(r.headers.get('location')!.split('/').pop());
}

/** A token from the real flow: GET /service/token with Basic credentials. */
async function token(as: Creds, scope: string): Promise<string> {
  const t = await client.token(as, scope);
  assert.equal(t.status, 200);
  return t.token;
}

/** What a token gets for a pull, a push and a delete on a repository. */
async function uses(tk: string, repo: string) {
  const auth = { Authorization: `Bearer ${tk}` };
  const pull = await fetch(`${h.url}/v2/${repo}/manifests/v1`, { headers: { ...auth, Accept: 'application/vnd.oci.image.manifest.v1+json' } });
  const tags = await fetch(`${h.url}/v2/${repo}/tags/list`, { headers: auth });
  const blob = randomBlob(32);
  const push = await fetch(`${h.url}/v2/${repo}/blobs/uploads/?digest=${blob.digest}`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/octet-stream' },
    body: new Uint8Array(blob.bytes),
  });
  const del = await fetch(`${h.url}/v2/${repo}/manifests/${sha256('nothing')}`, { method: 'DELETE', headers: auth });
  for (const r of [pull, tags, push, del]) await r.arrayBuffer();
  return { pull: pull.status, tags: tags.status, push: push.status, delete: del.status, challenge: pull.headers.get('www-authenticate') ?? '' };
}

describe('F2: tokens are bound to the project, user and robot they were granted for', () => {
  before(async () => {
    await createUser(alice);
    await createUser(bob);
  });

  test('a token for p/x stops working once p is deleted and re-created (private) by someone else', async () => {
    const pid = await createProject(alice, 'temp1');
    const old = await token(alice, 'repository:temp1/x:pull,push,delete');
    // It works while temp1 is alice's (nothing to pull yet, but authorized: 404 not 401).
    const blob = randomBlob(16);
    const ok = await fetch(`${h.url}/v2/temp1/x/blobs/${blob.digest}`, { method: 'HEAD', headers: { Authorization: `Bearer ${old}` } });
    assert.equal(ok.status, 404);

    assert.equal((await client.api('DELETE', `/projects/${pid}`, { as: alice })).status, 200);
    await createProject(bob, 'temp1');
    await pushImage(asAdmin(h), 'temp1/x', 'v1'); // as admin: bob's new project has something to steal

    const after = await uses(old, 'temp1/x');
    assert.deepEqual({ pull: after.pull, tags: after.tags, push: after.push, delete: after.delete }, { pull: 401, tags: 401, push: 401, delete: 401 });
    assert.match(after.challenge, /^Bearer realm="[^"]+",service="haven",scope="repository:temp1\/x:pull",error="invalid_token"$/);
    // bob's own token does work there, and alice's new one gets nothing.
    assert.equal((await uses(await token(bob, 'repository:temp1/x:pull'), 'temp1/x')).pull, 200);
    assert.equal((await client.token(alice, 'repository:temp1/x:pull,push,delete')).access[0]!.actions.length, 0);
  });

  test('a token for a project that is merely deleted is refused too', async () => {
    const pid = await createProject(alice, 'temp2');
    const old = await token(alice, 'repository:temp2/x:pull,push');
    assert.equal((await client.api('DELETE', `/projects/${pid}`, { as: alice })).status, 200);
    const r = await uses(old, 'temp2/x');
    assert.equal(r.pull, 401);
    assert.equal(r.push, 401);
  });

  test("a deleted user's token and Basic credentials are refused at once, also after the name is taken again", async () => {
    const carolId = await createUser(carol);
    await createProject(carol, 'carols');
    const tk = await token(carol, 'repository:carols/app:pull,push,delete');
    const before = await uses(tk, 'carols/app');
    assert.equal(before.push, 201, 'the token works before');
    // Basic at /v2 too, so the authenticator has the login remembered.
    assert.equal((await fetch(`${h.url}/v2/carols/app/tags/list`, { headers: { Authorization: basic(carol) } })).status, 200);

    // The project outlives its owner (admin keeps it); carol is deleted.
    assert.equal((await client.api('DELETE', `/users/${carolId}`)).status, 200);
    const after = await uses(tk, 'carols/app');
    assert.deepEqual([after.pull, after.tags, after.push, after.delete], [401, 401, 401, 401]);
    assert.match(after.challenge, /error="invalid_token"/);
    const viaBasic = await fetch(`${h.url}/v2/carols/app/tags/list`, { headers: { Authorization: basic(carol) } });
    assert.equal(viaBasic.status, 401);
    assert.equal((await client.api('GET', '/users/current', { as: carol })).status, 401);

    // A new carol (same name, same password) is someone else: the old token stays dead.
    await createUser(carol);
    assert.equal((await uses(tk, 'carols/app')).pull, 401);
  });

  describe('robots', () => {
    async function robot(name: string): Promise<{ id: number; creds: Creds }> {
      const r = await client.api('POST', '/robots', {
        body: { name, level: 'project', duration: -1, permissions: [{ kind: 'project', namespace: 'robotp', access: [{ resource: 'repository', action: 'pull' }, { resource: 'repository', action: 'push' }] }] },
      });
      assert.equal(r.status, 201, r.text);
      return { id: r.json.id, creds: { username: r.json.name, password: r.json.secret } };
    }

    before(async () => {
      await createProject(client.admin, 'robotp');
    });

    test("a disabled robot's token is refused, and works again once re-enabled", async () => {
      const r = await robot('ci1');
      const tk = await token(r.creds, 'repository:robotp/app:pull,push');
      assert.equal((await uses(tk, 'robotp/app')).push, 201);
      const robotView = (await client.api('GET', `/robots/${r.id}`)).json;
      assert.equal((await client.api('PUT', `/robots/${r.id}`, { body: { ...robotView, disable: true } })).status, 200);
      const after = await uses(tk, 'robotp/app');
      assert.deepEqual([after.pull, after.tags, after.push], [401, 401, 401]);
      assert.equal((await client.api('PUT', `/robots/${r.id}`, { body: { ...robotView, disable: false } })).status, 200);
      assert.equal((await uses(tk, 'robotp/app')).push, 201);
    });

    test("a deleted robot's token is refused", async () => {
      const r = await robot('ci2');
      const tk = await token(r.creds, 'repository:robotp/app:pull,push');
      assert.equal((await uses(tk, 'robotp/app')).push, 201);
      assert.equal((await client.api('DELETE', `/robots/${r.id}`)).status, 200);
      const after = await uses(tk, 'robotp/app');
      assert.deepEqual([after.pull, after.tags, after.push], [401, 401, 401]);
      assert.equal((await fetch(`${h.url}/v2/robotp/app/tags/list`, { headers: { Authorization: basic(r.creds) } })).status, 401);
    });
  });
});

describe('F7: robot names cannot be told apart by response time', () => {
  test('an unknown robot takes about as long to refuse as a known robot with a wrong secret', async () => {
    const made = await client.api('POST', '/robots', {
      body: { name: 'timing', level: 'system', duration: -1, permissions: [{ kind: 'project', namespace: '*', access: [{ resource: 'repository', action: 'pull' }] }] },
    });
    assert.equal(made.status, 201, made.text);
    const known = made.json.name as string;
    // Each try from its own client address (trusted X-Forwarded-For), so the throttle stays out of it.
    let tries = 0;
    const time = async (username: string) => {
      tries++;
      const t0 = process.hrtime.bigint();
      const r = await fetch(`${h.url}/service/token?service=haven`, {
        headers: { Authorization: basic({ username, password: `Wrong${tries}Secret9` }), 'X-Forwarded-For': `198.51.100.${tries}` },
      });
      await r.arrayBuffer();
      assert.equal(r.status, 401);
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 11; i++) {
      unknown.push(await time(`robot$nosuch${i}`));
      wrong.push(await time(known));
    }
    const mu = median(unknown);
    const mk = median(wrong);
    assert.ok(mu >= 0.5 * mk, `unknown robot: median ${mu.toFixed(1)} ms; known robot, wrong secret: ${mk.toFixed(1)} ms`);
  });
});
