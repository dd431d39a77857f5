// Harbor's labels over HTTP: global labels (the administrator's), project labels (the project's
// admins and maintainers), attaching them to artifacts by tag or digest, and the cross-project
// cases (Harbor's BOLA class): a label id of project B never reads, changes or reaches anything
// of project A. Names and descriptions are stored and returned exactly as given, HTML included.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiClient, type Creds, type Reply } from './helpers/api-client.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { asAdmin, pushImage } from './helpers/oci.js';

let h: RunningHaven;
let client: ReturnType<typeof apiClient>;
const api = (method: string, path: string, opts: Parameters<typeof client.api>[2] = {}) => client.api(method, path, opts);

const alice: Creds = { username: 'alice', password: 'Alice12345' };
let alphaId = 0;
let betaId = 0;
let alphaDigest = '';

function assertError(r: Reply, status: number, code: string, message?: RegExp): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.errors?.[0]?.code, code, r.text);
  if (message) assert.match(r.json.errors[0].message, message);
}

async function createLabel(body: Record<string, unknown>, as?: Creds): Promise<number> {
  const r = await api('POST', '/labels', { body, ...(as ? { as } : {}) });
  assert.equal(r.status, 201, r.text);
  const location = r.headers.get('location')!;
  assert.match(location, /^\/api\/v2\.0\/labels\/\d+$/);
  return Number(location.split('/').pop());
}

const labelsOf = async (query: string) => (await api('GET', `/labels?${query}&page_size=100`)).json as Array<{ id: number; name: string }>;

before(async () => {
  h = await startHaven({ projects: ['alpha', 'beta'] });
  client = apiClient(h);
  const projectId = async (name: string) => (await api('GET', `/projects/${name}`, { headers: { 'X-Is-Resource-Name': 'true' } })).json.project_id as number;
  alphaId = await projectId('alpha');
  betaId = await projectId('beta');
  assert.equal((await api('POST', '/users', { body: { username: alice.username, password: alice.password, email: 'alice@example.com' } })).status, 201);
  // Alice administers alpha only.
  assert.equal((await api('POST', `/projects/${alphaId}/members`, { body: { role_id: 1, member_user: { username: 'alice' } } })).status, 201);
  alphaDigest = (await pushImage(asAdmin(h), 'alpha/app', 'v1')).digest;
  await pushImage(asAdmin(h), 'alpha/team/web', 'v1');
  await pushImage(asAdmin(h), 'beta/app', 'v1');
});

after(async () => {
  await h?.cleanup();
});

describe('global labels', () => {
  test('an administrator creates, reads, lists, updates and deletes one; Harbor JSON', async () => {
    const id = await createLabel({ name: 'release', description: 'ready to ship', color: '#00FF00', scope: 'g' });
    const r = await api('GET', `/labels/${id}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.json).sort(), ['color', 'creation_time', 'description', 'id', 'name', 'project_id', 'scope', 'update_time']);
    assert.equal(r.json.name, 'release');
    assert.equal(r.json.scope, 'g');
    assert.equal(r.json.project_id, 0);
    assert.ok(!Number.isNaN(Date.parse(r.json.creation_time)));

    const list = await api('GET', '/labels?scope=g&name=rele');
    assert.equal(list.status, 200);
    assert.equal(list.headers.get('x-total-count'), '1');
    assert.equal(list.json[0].id, id);
    assert.deepEqual((await api('GET', `/labels?scope=g&q=${encodeURIComponent('name=~lease')}`)).json.map((l: { id: number }) => l.id), [id]);
    assert.deepEqual((await api('GET', `/labels?scope=g&q=${encodeURIComponent('name=releas')}`)).json, [], 'name=x is exact');
    assert.equal((await api('GET', '/labels?scope=g&sort=-name&page_size=1')).status, 200);

    assert.equal((await api('PUT', `/labels/${id}`, { body: { name: 'released', color: '#0000FF' } })).status, 200);
    const after = (await api('GET', `/labels/${id}`)).json;
    assert.equal(after.name, 'released');
    assert.equal(after.color, '#0000FF');
    assert.equal(after.description, 'ready to ship', 'a field left out keeps its value');
    assert.equal(after.scope, 'g');

    assert.equal((await api('DELETE', `/labels/${id}`)).status, 200);
    assertError(await api('GET', `/labels/${id}`), 404, 'NOT_FOUND', new RegExp(`label ${id} not found`));
    assertError(await api('DELETE', `/labels/${id}`), 404, 'NOT_FOUND');
  });

  test('names are unique within the global scope (409), HTML is stored and returned as given', async () => {
    const name = '<script>alert("x")</script>';
    const description = '<img src=x onerror=alert(1)> & "quotes"';
    const id = await createLabel({ name, description, scope: 'g' });
    const r = await api('GET', `/labels/${id}`);
    assert.match(r.headers.get('content-type') ?? '', /application\/json/);
    assert.equal(r.json.name, name);
    assert.equal(r.json.description, description);
    assertError(await api('POST', '/labels', { body: { name, scope: 'g' } }), 409, 'CONFLICT', /already exists/);
    const other = await createLabel({ name: 'other', scope: 'g' });
    assertError(await api('PUT', `/labels/${other}`, { body: { name } }), 409, 'CONFLICT');
    assert.equal((await api('GET', `/labels/${other}`)).json.name, 'other', 'the refused rename changed nothing');
  });

  test('a user may list global labels but not read one by id, create, change or delete them (Harbor: system access)', async () => {
    const id = await createLabel({ name: 'global-ro', scope: 'g' });
    const list = await api('GET', '/labels?scope=g', { as: alice });
    assert.equal(list.status, 200, list.text);
    assert.ok((list.json as Array<{ id: number }>).some((l) => l.id === id));
    assertError(await api('GET', `/labels/${id}`, { as: alice }), 403, 'FORBIDDEN');
    assertError(await api('POST', '/labels', { as: alice, body: { name: 'mine', scope: 'g' } }), 403, 'FORBIDDEN');
    assertError(await api('PUT', `/labels/${id}`, { as: alice, body: { name: 'hijacked' } }), 403, 'FORBIDDEN');
    assertError(await api('DELETE', `/labels/${id}`, { as: alice }), 403, 'FORBIDDEN');
    assert.equal((await api('GET', `/labels/${id}`)).json.name, 'global-ro');
    assertError(await api('GET', '/labels?scope=g', { as: null }), 401, 'UNAUTHORIZED');
  });

  test('malformed bodies are Harbor 400s and create or change nothing', async () => {
    const before = (await labelsOf('scope=g')).length;
    const bad: unknown[] = [
      { name: 123, scope: 'g' },
      { name: 'x', scope: 'g', unknown_field: true },
      { name: '', scope: 'g' },
      { name: 'x'.repeat(129), scope: 'g' },
      { name: 'x', scope: 'z' },
      { name: 'x' },
      '{"name": "x", "scope": ',
      '[]',
    ];
    for (const body of bad) {
      const r = await api('POST', '/labels', { body });
      assertError(r, 400, 'BAD_REQUEST');
    }
    assert.equal((await labelsOf('scope=g')).length, before);
    const id = await createLabel({ name: 'stable', scope: 'g' });
    assertError(await api('PUT', `/labels/${id}`, { body: { name: '' } }), 400, 'BAD_REQUEST');
    assertError(await api('PUT', `/labels/${id}`, { body: { color: 7 } }), 400, 'BAD_REQUEST');
    assert.equal((await api('GET', `/labels/${id}`)).json.name, 'stable');
    assertError(await api('GET', '/labels/abc'), 400, 'BAD_REQUEST');
    assertError(await api('GET', '/labels?scope=x'), 400, 'BAD_REQUEST', /invalid scope/);
    assertError(await api('GET', '/labels?scope=g&q=color%3Dred'), 400, 'BAD_REQUEST', /unsupported query key/);
  });
});

describe('project labels', () => {
  test('a project admin manages its project labels; names are unique per project, not across projects', async () => {
    const id = await createLabel({ name: 'qa', scope: 'p', project_id: alphaId }, alice);
    const r = await api('GET', `/labels/${id}`, { as: alice });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.scope, 'p');
    assert.equal(r.json.project_id, alphaId);
    assertError(await api('POST', '/labels', { as: alice, body: { name: 'qa', scope: 'p', project_id: alphaId } }), 409, 'CONFLICT');
    // The same name in another project or globally is another label.
    await createLabel({ name: 'qa', scope: 'p', project_id: betaId });
    await createLabel({ name: 'qa', scope: 'g' });
    const list = await api('GET', `/labels?scope=p&project_id=${alphaId}`, { as: alice });
    assert.equal(list.status, 200);
    assert.deepEqual((list.json as Array<{ name: string }>).map((l) => l.name), ['qa']);
    assertError(await api('GET', '/labels?scope=p', { as: alice }), 400, 'BAD_REQUEST', /project ID/);
    assert.equal((await api('PUT', `/labels/${id}`, { as: alice, body: { name: 'qa-passed', scope: 'g', project_id: betaId } })).status, 200);
    const moved = (await api('GET', `/labels/${id}`)).json;
    assert.equal(moved.name, 'qa-passed');
    assert.equal(moved.scope, 'p', 'an update never changes the scope');
    assert.equal(moved.project_id, alphaId, 'nor the project');
    assert.equal((await api('DELETE', `/labels/${id}`, { as: alice })).status, 200);
  });

  test("BOLA: a label of project B is invisible and unchangeable to project A's admin, as a missing one", async () => {
    const betaLabel = await createLabel({ name: 'beta-secret', description: 'do not leak', scope: 'p', project_id: betaId });
    const missing = await api('GET', '/labels/999999', { as: alice });
    const r = await api('GET', `/labels/${betaLabel}`, { as: alice });
    assertError(r, 404, 'NOT_FOUND');
    assert.doesNotMatch(r.text, /beta|leak/);
    assert.equal(r.text.replace(String(betaLabel), 'N'), missing.text.replace('999999', 'N'), 'byte-identical to a missing label');
    assertError(await api('PUT', `/labels/${betaLabel}`, { as: alice, body: { name: 'pwned' } }), 404, 'NOT_FOUND');
    assertError(await api('DELETE', `/labels/${betaLabel}`, { as: alice }), 404, 'NOT_FOUND');
    assertError(await api('GET', `/labels?scope=p&project_id=${betaId}`, { as: alice }), 404, 'NOT_FOUND');
    assertError(await api('POST', '/labels', { as: alice, body: { name: 'planted', scope: 'p', project_id: betaId } }), 404, 'NOT_FOUND');
    const still = (await api('GET', `/labels/${betaLabel}`)).json;
    assert.equal(still.name, 'beta-secret');
    assert.equal(still.description, 'do not leak');
    assert.deepEqual((await labelsOf(`scope=p&project_id=${betaId}`)).map((l) => l.name).filter((n) => n === 'planted'), []);
  });
});

describe('labels of a public project', () => {
  test("anyone may list and read them, as Harbor's public project policies say; nobody outside changes them", async () => {
    await h.createProject('open', true);
    const openId = (await api('GET', '/projects/open', { headers: { 'X-Is-Resource-Name': 'true' } })).json.project_id as number;
    const id = await createLabel({ name: 'public-label', scope: 'p', project_id: openId });
    for (const as of [null, alice]) {
      const list = await api('GET', `/labels?scope=p&project_id=${openId}`, { as });
      assert.equal(list.status, 200, list.text);
      assert.deepEqual((list.json as Array<{ id: number }>).map((l) => l.id), [id]);
      assert.equal((await api('GET', `/labels/${id}`, { as })).status, 200);
    }
    assertError(await api('PUT', `/labels/${id}`, { as: null, body: { name: 'x' } }), 401, 'UNAUTHORIZED');
    assertError(await api('PUT', `/labels/${id}`, { as: alice, body: { name: 'x' } }), 403, 'FORBIDDEN');
    assertError(await api('DELETE', `/labels/${id}`, { as: alice }), 403, 'FORBIDDEN');
    // A private project's labels stay hidden from anonymous callers.
    const betaLabel = await createLabel({ name: 'hidden', scope: 'p', project_id: betaId });
    assertError(await api('GET', `/labels/${betaLabel}`, { as: null }), 404, 'NOT_FOUND');
    assertError(await api('GET', `/labels?scope=p&project_id=${betaId}`, { as: null }), 404, 'NOT_FOUND');
    assert.equal((await api('GET', `/labels/${id}`)).json.name, 'public-label');
  });
});

describe('labels on artifacts', () => {
  const labelsPath = (project: string, repo: string, ref: string) => `/projects/${project}/repositories/${repo}/artifacts/${ref}/labels`;

  test('attach by tag, see it refused twice (409), detach by digest, then the detach is 404', async () => {
    const id = await createLabel({ name: 'attach-me', scope: 'p', project_id: alphaId });
    assert.equal((await api('POST', labelsPath('alpha', 'app', 'v1'), { as: alice, body: { id } })).status, 200);
    assertError(await api('POST', labelsPath('alpha', 'app', alphaDigest), { as: alice, body: { id } }), 409, 'CONFLICT', /already added/);
    assert.equal((await api('DELETE', `${labelsPath('alpha', 'app', alphaDigest)}/${id}`, { as: alice })).status, 200);
    assertError(await api('DELETE', `${labelsPath('alpha', 'app', 'v1')}/${id}`, { as: alice }), 404, 'NOT_FOUND');
  });

  test('a global label attaches to any project; a repository name with a slash works double- and single-encoded', async () => {
    const id = await createLabel({ name: 'everywhere', scope: 'g' });
    assert.equal((await api('POST', labelsPath('alpha', 'team%252Fweb', 'v1'), { body: { id } })).status, 200);
    assertError(await api('POST', labelsPath('alpha', 'team%2Fweb', 'v1'), { body: { id } }), 409, 'CONFLICT');
    assert.equal((await api('POST', labelsPath('beta', 'app', 'v1'), { body: { id } })).status, 200);
  });

  test("BOLA: project B's label cannot be attached to project A's artifact (404, the same as a missing label), and nothing is attached", async () => {
    const betaLabel = await createLabel({ name: 'beta-only', scope: 'p', project_id: betaId });
    for (const as of [alice, client.admin]) {
      const r = await api('POST', labelsPath('alpha', 'app', 'v1'), { as, body: { id: betaLabel } });
      assertError(r, 404, 'NOT_FOUND', new RegExp(`^label ${betaLabel} not found$`));
      const missing = await api('POST', labelsPath('alpha', 'app', 'v1'), { as, body: { id: 999_999 } });
      assert.equal(r.text.replace(String(betaLabel), 'N'), missing.text.replace('999999', 'N'), 'a hidden label looks exactly like a missing one');
    }
    // Had it been attached, removing it would succeed.
    assertError(await api('DELETE', `${labelsPath('alpha', 'app', 'v1')}/${betaLabel}`), 404, 'NOT_FOUND', /label reference/);
    // Project A's admin cannot reach project B's artifacts either.
    const alphaLabel = await createLabel({ name: 'alpha-only', scope: 'p', project_id: alphaId });
    assertError(await api('POST', labelsPath('beta', 'app', 'v1'), { as: alice, body: { id: alphaLabel } }), 404, 'NOT_FOUND', /project beta not found/);
    // And the label of B does attach in B: the refusal above was about the project, not the label.
    assert.equal((await api('POST', labelsPath('beta', 'app', 'v1'), { body: { id: betaLabel } })).status, 200);
  });

  test('unknown labels, artifacts and bodies are refused and change nothing', async () => {
    const id = await createLabel({ name: 'probe', scope: 'p', project_id: alphaId });
    assertError(await api('POST', labelsPath('alpha', 'app', 'v1'), { body: { id: 987654 } }), 404, 'NOT_FOUND', /label 987654 not found/);
    assertError(await api('POST', labelsPath('alpha', 'app', 'nope'), { body: { id } }), 404, 'NOT_FOUND', /artifact/);
    assertError(await api('POST', labelsPath('alpha', 'missing', 'v1'), { body: { id } }), 404, 'NOT_FOUND', /artifact/);
    assertError(await api('POST', labelsPath('alpha', 'app', `sha256:${'0'.repeat(64)}`), { body: { id } }), 404, 'NOT_FOUND');
    assertError(await api('POST', labelsPath('alpha', 'app', 'v1'), { body: { id: 'one' } }), 400, 'BAD_REQUEST');
    assertError(await api('POST', labelsPath('alpha', 'app', 'v1'), { body: {} }), 400, 'BAD_REQUEST');
    // None of the refusals attached the label: the first real attach succeeds.
    assert.equal((await api('POST', labelsPath('alpha', 'app', 'v1'), { body: { id } })).status, 200);
  });

  test('deleting a label takes its attachments along: a new label of the same name attaches afresh', async () => {
    const id = await createLabel({ name: 'short-lived', scope: 'p', project_id: alphaId });
    assert.equal((await api('POST', labelsPath('alpha', 'app', 'v1'), { body: { id } })).status, 200);
    assert.equal((await api('DELETE', `/labels/${id}`)).status, 200);
    assertError(await api('DELETE', `${labelsPath('alpha', 'app', 'v1')}/${id}`), 404, 'NOT_FOUND');
    const again = await createLabel({ name: 'short-lived', scope: 'p', project_id: alphaId });
    assert.notEqual(again, id);
    assert.equal((await api('POST', labelsPath('alpha', 'app', 'v1'), { body: { id: again } })).status, 200);
  });
});
