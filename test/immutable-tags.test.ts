// Immutable tags, end to end: Harbor's rules API (/projects/{p}/immutabletagrules) with its
// validation, cap and duplicates, and what a protected tag means to /v2 clients and the API: it is
// pushed once, and then no manifest PUT, tag or manifest delete, or repository delete can move or
// drop it. Refusals carry Harbor's 412 and message, which skopeo prints.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiClient } from './helpers/api-client.js';
import { eventually } from './helpers/eventually.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { asAdmin, imageManifest, pushBlob, pushImage, putManifest, randomBlob, sha256, type Registry } from './helpers/oci.js';
import { writeTestLayout } from './helpers/oci-layout.js';
import { describeRun, run } from './helpers/run.js';
import { requireTool } from './helpers/tools.js';
import { podmanDriver, privatePodman } from './helpers/podman.js';

let h: RunningHaven;
let client: ReturnType<typeof apiClient>;
let reg: Registry;
let work: string;
const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  client.api(method, path, { ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });

before(async () => {
  h = await startHaven();
  client = apiClient(h);
  reg = asAdmin(h);
  work = mkdtempSync(join(tmpdir(), 'haven-immutable-'));
  for (const p of ['imm', 'other', 'crud', 'cap', 'scope', 'tool']) await h.createProject(p);
});

after(async () => {
  await h?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Harbor's rule body, as its portal sends it. */
function rule(tag: string, repo = '**', opts: { tagDecoration?: string; repoDecoration?: string; id?: number; disabled?: boolean; priority?: number } = {}) {
  return {
    ...(opts.id !== undefined ? { id: opts.id } : {}),
    ...(opts.disabled !== undefined ? { disabled: opts.disabled } : {}),
    priority: opts.priority ?? 0,
    action: 'immutable',
    template: 'immutable_template',
    tag_selectors: [{ kind: 'doublestar', decoration: opts.tagDecoration ?? 'matches', pattern: tag }],
    scope_selectors: { repository: [{ kind: 'doublestar', decoration: opts.repoDecoration ?? 'repoMatches', pattern: repo }] },
  };
}

async function createRule(project: string, body: unknown): Promise<number> {
  const r = await api('POST', `/projects/${project}/immutabletagrules`, body);
  assert.equal(r.status, 201, r.text);
  const location = r.headers.get('location') ?? '';
  assert.match(location, new RegExp(`^/api/v2\\.0/projects/${project}/immutabletagrules/\\d+$`));
  return Number(location.split('/').pop());
}

async function listRules(project: string, query = ''): Promise<Array<Record<string, unknown>>> {
  const r = await api('GET', `/projects/${project}/immutabletagrules${query}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

async function deleteAllRules(project: string): Promise<void> {
  for (const r of await listRules(project, '?page_size=100')) assert.equal((await api('DELETE', `/projects/${project}/immutabletagrules/${r.id}`)).status, 200);
}

/** The digest a tag names now, or null. */
async function tagDigest(repo: string, tag: string): Promise<string | null> {
  const r = await fetch(`${h.url}/v2/${repo}/manifests/${tag}`, { method: 'HEAD', headers: { ...reg.headers, Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json' } });
  return r.status === 200 ? r.headers.get('docker-content-digest') : null;
}

/** A second, different image manifest over fresh blobs (pushed), ready to PUT anywhere in `repo`. */
async function otherManifest(repo: string): Promise<Buffer> {
  const config = randomBlob(64);
  const layer = randomBlob(512);
  await pushBlob(reg, repo, config.bytes);
  await pushBlob(reg, repo, layer.bytes);
  return imageManifest(config, [layer]);
}

async function v2Error(r: Response): Promise<{ status: number; code: string; message: string }> {
  const body = (await r.json()) as { errors: Array<{ code: string; message: string }> };
  return { status: r.status, code: body.errors[0]!.code, message: body.errors[0]!.message };
}

const v2Delete = (repo: string, reference: string) => fetch(`${h.url}/v2/${repo}/manifests/${reference}`, { method: 'DELETE', headers: reg.headers });

describe('the rules API', () => {
  test('create, list, update, toggle and delete, in Harbor JSON', async () => {
    const id = await createRule('crud', rule('release-**', 'team/**', { priority: 3 }));
    const listed = await listRules('crud');
    assert.deepEqual(listed, [
      {
        id,
        priority: 3,
        disabled: false,
        action: 'immutable',
        template: 'immutable_template',
        tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: 'release-**' }],
        scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: 'team/**' }] },
      },
    ]);
    const page = await api('GET', '/projects/crud/immutabletagrules');
    assert.equal(page.headers.get('x-total-count'), '1');

    // The project by id works as by name, and X-Is-Resource-Name picks the name reading.
    const byId = await api('GET', '/projects/crud');
    assert.equal((await listRules(String(byId.json.project_id))).length, 1);
    assert.equal((await api('GET', '/projects/crud/immutabletagrules', undefined, { 'X-Is-Resource-Name': 'true' })).json.length, 1);

    // Content update.
    let r = await api('PUT', `/projects/crud/immutabletagrules/${id}`, rule('v*', '**', { id, priority: 1 }));
    assert.equal(r.status, 200, r.text);
    let [got] = await listRules('crud');
    assert.deepEqual([got!.priority, (got!.tag_selectors as Array<{ pattern: string }>)[0]!.pattern, got!.disabled], [1, 'v*', false]);

    // A body whose `disabled` differs only toggles the rule (its content stays as it was).
    r = await api('PUT', `/projects/crud/immutabletagrules/${id}`, { ...rule('ignored-*', '**', { id }), disabled: true });
    assert.equal(r.status, 200, r.text);
    [got] = await listRules('crud');
    assert.deepEqual([got!.disabled, (got!.tag_selectors as Array<{ pattern: string }>)[0]!.pattern], [true, 'v*']);
    assert.equal((await listRules('crud', '?q=disabled%3Dtrue')).length, 1);
    assert.equal((await listRules('crud', '?q=disabled%3Dfalse')).length, 0);
    r = await api('PUT', `/projects/crud/immutabletagrules/${id}`, { id, disabled: false });
    assert.equal(r.status, 200, r.text);
    assert.equal((await listRules('crud'))[0]!.disabled, false);

    // Harbor wants the body's id to be the path's.
    r = await api('PUT', `/projects/crud/immutabletagrules/${id}`, rule('x', '**', { id: id + 1 }));
    assert.equal(r.status, 400);
    assert.equal(r.json.errors[0].message, "the immutable_rule_id doesn't match the id in the payload body of ImmutableRule");
    r = await api('PUT', '/projects/crud/immutabletagrules/999999', rule('x', '**', { id: 999999 }));
    assert.equal(r.status, 404, r.text);
    assert.equal(r.json.errors[0].code, 'NOT_FOUND');

    assert.equal((await api('DELETE', `/projects/crud/immutabletagrules/${id}`)).status, 200);
    assert.deepEqual(await listRules('crud'), []);
    r = await api('DELETE', `/projects/crud/immutabletagrules/${id}`);
    assert.equal(r.status, 404);

    // Every change is in the project's audit log (written in batches, hence eventually).
    const logged = await eventually(async () => {
      const logs = await api('GET', `/projects/crud/logs?q=${encodeURIComponent('resource_type=immutable_rule')}&page_size=50`);
      assert.equal(logs.status, 200, logs.text);
      assert.equal(logs.json.length, 5);
      return logs.json as Array<{ operation: string; resource: string; username: string }>;
    });
    assert.deepEqual(logged.map((l) => l.operation).sort(), ['create', 'delete', 'update', 'update', 'update']);
    assert.ok(logged.every((l) => l.resource === `crud/immutabletagrules/${id}` && l.username === 'admin'), JSON.stringify(logged));
  });

  test('bad rules get a 400 naming the problem, and nothing is stored', async () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ ...rule('v*'), tag_selectors: [{ kind: 'label', decoration: 'with', pattern: 'x' }] }, /selector kind "label" is not supported/],
      [rule('v*', '**', { tagDecoration: 'repoMatches' }), /decoration "repoMatches" of selector doublestar is not supported/],
      [rule('v*', '**', { repoDecoration: 'matches' }), /decoration "matches" of selector doublestar is not supported/],
      [rule('[v'), /invalid pattern "\[v": unterminated character class/],
      [rule('v*', '{a,b'), /invalid pattern "\{a,b": unterminated/],
      [rule(''), /tag_selectors: pattern is required/],
      [{ ...rule('v*'), tag_selectors: [] }, /tag_selectors must hold exactly one selector/],
      [{ ...rule('v*'), scope_selectors: {} }, /scope_selectors.repository must hold exactly one selector/],
      [{ ...rule('v*'), scope_selectors: { namespace: [{ kind: 'doublestar', decoration: 'nsMatches', pattern: '**' }] } }, /scope "namespace" is not supported/],
      [{ ...rule('v*'), action: 'retain' }, /action "retain" is not supported/],
      [{ ...rule('v*'), template: 'always' }, /template "always" is not supported/],
      [{ ...rule('v*'), priority: -1 }, /priority must be a non-negative integer/],
      [{ ...rule('v*'), tag_selectors: 'v*' }, /tag_selectors/],
      ['{"action": "immutable", ', /./],
    ];
    for (const [body, message] of bad) {
      const r = await api('POST', '/projects/crud/immutabletagrules', body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.errors[0].code, 'BAD_REQUEST');
      assert.match(r.json.errors[0].message, message, JSON.stringify(body));
    }
    assert.deepEqual(await listRules('crud'), []);
  });

  test('at most 15 rules per project; the same rule twice is a conflict', async () => {
    for (let i = 0; i < 15; i++) await createRule('cap', rule(`v${i}.*`));
    let r = await api('POST', '/projects/cap/immutabletagrules', rule('v99.*'));
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.errors[0].message, 'only 15 rules are allowed at most');
    assert.equal((await api('GET', '/projects/cap/immutabletagrules?page_size=100')).headers.get('x-total-count'), '15');
    // Paging is Harbor's.
    const page2 = await api('GET', '/projects/cap/immutabletagrules?page=2&page_size=10');
    assert.equal(page2.json.length, 5);
    assert.match(page2.headers.get('link') ?? '', /rel="prev"/);

    const [first] = await listRules('cap');
    assert.equal((await api('DELETE', `/projects/cap/immutabletagrules/${first!.id}`)).status, 200);
    r = await api('POST', '/projects/cap/immutabletagrules', rule('v1.*'));
    assert.equal(r.status, 409, r.text);
    assert.equal(r.json.errors[0].message, 'immutable rule already exists');
    // Updating a rule into a copy of another is a conflict too.
    const [a, b] = await listRules('cap');
    r = await api('PUT', `/projects/cap/immutabletagrules/${a!.id}`, { ...rule((b!.tag_selectors as Array<{ pattern: string }>)[0]!.pattern), id: a!.id });
    assert.equal(r.status, 409, r.text);
    await createRule('cap', rule('v0.*', 'other/**'));
    await deleteAllRules('cap');
  });

  test("another project's rule id under this project's path is 404 and changes nothing", async () => {
    const theirs = await createRule('other', rule('prod-*'));
    const before = await listRules('other');
    let r = await api('PUT', `/projects/crud/immutabletagrules/${theirs}`, { ...rule('x*'), id: theirs });
    assert.equal(r.status, 404, r.text);
    r = await api('PUT', `/projects/crud/immutabletagrules/${theirs}`, { id: theirs, disabled: true });
    assert.equal(r.status, 404, r.text);
    r = await api('DELETE', `/projects/crud/immutabletagrules/${theirs}`);
    assert.equal(r.status, 404, r.text);
    assert.deepEqual(await listRules('other'), before);
    assert.deepEqual(await listRules('crud'), []);
    await deleteAllRules('other');
  });

  test('a missing project is 404; an anonymous caller is told to log in', async () => {
    assert.equal((await api('GET', '/projects/nope/immutabletagrules')).status, 404);
    assert.equal((await api('POST', '/projects/nope/immutabletagrules', rule('v*'))).status, 404);
    const anon = await client.api('GET', '/projects/imm/immutabletagrules', { as: null });
    assert.equal(anon.status, 404);
  });
});

describe('a protected tag over /v2 and the API', () => {
  const repo = 'imm/app';
  let original: { digest: string; manifest: Buffer };
  let ruleId: number;

  before(async () => {
    ruleId = await createRule('imm', rule('release-*'));
    original = await pushImage(reg, repo, 'release-1');
    await pushImage(reg, repo, 'latest');
  });

  test('a manifest PUT cannot overwrite it (412, Harbor message); the same digest again is fine', async () => {
    const other = await otherManifest(repo);
    const r = await putManifest(reg, repo, 'release-1', other);
    assert.deepEqual(await v2Error(r), { status: 412, code: 'PRECONDITION', message: "Failed to process request due to 'app:release-1' configured as immutable." });
    assert.equal(await tagDigest(repo, 'release-1'), original.digest);
    // Nothing of the refused push is left behind as a manifest of the repository.
    assert.equal((await fetch(`${h.url}/v2/${repo}/manifests/${sha256(other)}`, { method: 'HEAD', headers: reg.headers })).status, 404);

    assert.equal((await putManifest(reg, repo, 'release-1', original.manifest)).status, 201);
    assert.equal(await tagDigest(repo, 'release-1'), original.digest);
    // Tags the rule does not cover move freely, and a new protected tag is pushed once.
    assert.equal((await putManifest(reg, repo, 'latest', other)).status, 201);
    assert.equal((await putManifest(reg, repo, 'release-2', other)).status, 201);
    assert.equal((await putManifest(reg, repo, 'release-2', original.manifest)).status, 412);
    assert.equal(await tagDigest(repo, 'release-2'), sha256(other));
  });

  test('/v2 DELETE by tag and by digest are refused', async () => {
    let r = await v2Delete(repo, 'release-1');
    assert.deepEqual(await v2Error(r), { status: 412, code: 'PRECONDITION', message: 'the tag release-1 configured as immutable, cannot be deleted' });
    r = await v2Delete(repo, original.digest);
    assert.deepEqual(await v2Error(r), { status: 412, code: 'PRECONDITION', message: 'the tag release-1 configured as immutable, cannot be deleted' });
    assert.equal(await tagDigest(repo, 'release-1'), original.digest);
    // A protected tag that does not exist is simply not found.
    r = await v2Delete(repo, 'release-404');
    assert.equal(r.status, 404);
    // An unprotected tag goes.
    assert.equal((await putManifest(reg, repo, 'scratch', original.manifest)).status, 201);
    assert.equal((await v2Delete(repo, 'scratch')).status, 202);
  });

  test('an index whose tag is protected cannot be deleted; its children stay', async () => {
    const child = await pushImage(reg, 'imm/multi', 'child-untagged');
    assert.equal((await v2Delete('imm/multi', 'child-untagged')).status, 202);
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: child.digest, size: child.manifest.length, platform: { os: 'linux', architecture: 'amd64' } }],
      }),
    );
    assert.equal((await putManifest(reg, 'imm/multi', 'release-1', index, 'application/vnd.oci.image.index.v1+json')).status, 201);
    const r = await v2Delete('imm/multi', sha256(index));
    assert.equal((await v2Error(r)).status, 412);
    assert.equal((await fetch(`${h.url}/v2/imm/multi/manifests/${child.digest}`, { method: 'HEAD', headers: reg.headers })).status, 200);
  });

  test('the repository cannot be deleted through the API while it holds a protected tag', async () => {
    const r = await api('DELETE', '/projects/imm/repositories/app');
    assert.equal(r.status, 412, r.text);
    assert.deepEqual(r.json, { errors: [{ code: 'PRECONDITION', message: 'the tag release-1 configured as immutable, cannot be deleted' }] });
    assert.equal(await tagDigest(repo, 'release-1'), original.digest);
    assert.equal(await tagDigest(repo, 'latest') !== null, true);
  });

  test('the artifact API shows the protection and refuses to delete the tag or its artifact', async () => {
    const art = await api('GET', '/projects/imm/repositories/app/artifacts/release-1?with_tag=true&with_immutable_status=true');
    assert.equal(art.status, 200, art.text);
    const tags = new Map((art.json.tags as Array<{ name: string; immutable: boolean }>).map((t) => [t.name, t.immutable]));
    assert.equal(tags.get('release-1'), true);
    const latest = await api('GET', '/projects/imm/repositories/app/artifacts/latest?with_tag=true&with_immutable_status=true');
    assert.ok((latest.json.tags as Array<{ name: string; immutable: boolean }>).every((t) => t.name === 'latest' ? !t.immutable : true));

    let r = await api('DELETE', `/projects/imm/repositories/app/artifacts/${original.digest}`);
    assert.equal(r.status, 412, r.text);
    assert.equal(r.json.errors[0].code, 'PRECONDITION');
    assert.match(r.json.errors[0].message, /release-1/);
    r = await api('DELETE', `/projects/imm/repositories/app/artifacts/${original.digest}/tags/release-1`);
    assert.equal(r.status, 412, r.text);
    assert.equal(await tagDigest(repo, 'release-1'), original.digest);
    // A copy cannot move a protected tag onto another artifact either.
    const elsewhere = await pushImage(reg, 'imm/src', 'release-1');
    r = await api('POST', `/projects/imm/repositories/app/artifacts?from=${encodeURIComponent('imm/src:release-1')}`);
    assert.equal(r.status, 412, r.text);
    assert.equal(await tagDigest(repo, 'release-1'), original.digest);
    assert.equal((await fetch(`${h.url}/v2/${repo}/manifests/${elsewhere.digest}`, { method: 'HEAD', headers: reg.headers })).status, 404);
  });

  test('a disabled rule protects nothing; enabled again, it protects what the tags name then', async () => {
    assert.equal((await api('PUT', `/projects/imm/immutabletagrules/${ruleId}`, { id: ruleId, disabled: true })).status, 200);
    const other = await otherManifest(repo);
    assert.equal((await putManifest(reg, repo, 'release-1', other)).status, 201);
    assert.equal((await api('PUT', `/projects/imm/immutabletagrules/${ruleId}`, { id: ruleId, disabled: false })).status, 200);
    assert.equal((await putManifest(reg, repo, 'release-1', original.manifest)).status, 412);
    assert.equal(await tagDigest(repo, 'release-1'), sha256(other));
  });

  test('rules belong to their project: the same repository and tag elsewhere are free', async () => {
    await pushImage(reg, 'other/app', 'release-1');
    const other = await otherManifest('other/app');
    assert.equal((await putManifest(reg, 'other/app', 'release-1', other)).status, 201);
    assert.equal((await v2Delete('other/app', 'release-1')).status, 202);
  });

  test('deleting the rule lifts the protection at once', async () => {
    assert.equal((await api('DELETE', `/projects/imm/immutabletagrules/${ruleId}`)).status, 200);
    assert.equal((await v2Delete(repo, 'release-1')).status, 202);
    assert.equal((await api('DELETE', '/projects/imm/repositories/app')).status, 200);
  });
});

describe('selectors', () => {
  test('excludes protects every tag but the matching ones', async () => {
    const id = await createRule('scope', rule('dev-*', '**', { tagDecoration: 'excludes' }));
    const img = await pushImage(reg, 'scope/ex', 'dev-1');
    await pushImage(reg, 'scope/ex', 'v1');
    const other = await otherManifest('scope/ex');
    assert.equal((await putManifest(reg, 'scope/ex', 'dev-1', other)).status, 201);
    const r = await putManifest(reg, 'scope/ex', 'v1', other);
    assert.equal((await v2Error(r)).message, "Failed to process request due to 'ex:v1' configured as immutable.");
    assert.equal((await putManifest(reg, 'scope/ex', 'dev-1', img.manifest)).status, 201);
    assert.equal((await api('DELETE', `/projects/scope/immutabletagrules/${id}`)).status, 200);
  });

  test('repoMatches and repoExcludes see the repository without its project', async () => {
    const prodOnly = await createRule('scope', rule('**', 'prod/**'));
    const notScratch = await createRule('scope', rule('stable', 'scratch*', { repoDecoration: 'repoExcludes' }));
    for (const r of ['scope/prod/api', 'scope/dev/api', 'scope/scratch-1', 'scope/web']) {
      await pushImage(reg, r, 'stable');
      await pushImage(reg, r, 'edge');
    }
    const refusals: string[] = [];
    for (const r of ['scope/prod/api', 'scope/dev/api', 'scope/scratch-1', 'scope/web']) {
      for (const tag of ['stable', 'edge']) {
        const res = await putManifest(reg, r, tag, await otherManifest(r));
        if (res.status === 412) refusals.push(`${r}:${tag}`);
        else assert.equal(res.status, 201, `${r}:${tag}: ${res.status}`);
      }
    }
    // prod/** protects all of prod/api; "stable" is protected everywhere but in scratch*.
    assert.deepEqual(refusals, ['scope/prod/api:stable', 'scope/prod/api:edge', 'scope/dev/api:stable', 'scope/web:stable']);
    for (const id of [prodOnly, notScratch]) assert.equal((await api('DELETE', `/projects/scope/immutabletagrules/${id}`)).status, 200);
  });

  test('{a,b} alternatives and ** across components', async () => {
    const id = await createRule('scope', rule('{v1,v2}.*', '{team/**,web}'));
    await pushImage(reg, 'scope/team/a/b', 'v2.0');
    await pushImage(reg, 'scope/team/a/b', 'v3.0');
    assert.equal((await putManifest(reg, 'scope/team/a/b', 'v2.0', await otherManifest('scope/team/a/b'))).status, 412);
    assert.equal((await putManifest(reg, 'scope/team/a/b', 'v3.0', await otherManifest('scope/team/a/b'))).status, 201);
    assert.equal((await api('DELETE', `/projects/scope/immutabletagrules/${id}`)).status, 200);
  });
});

describe('real clients', () => {
  test('skopeo cannot overwrite an immutable tag and prints Harbor\'s message', { timeout: 120_000 }, async (t) => {
    if (!requireTool(t, 'skopeo')) return;
    await createRule('tool', rule('v1', 'app'));
    const first = writeTestLayout(join(work, 'first'), { tag: 'v1' });
    const second = writeTestLayout(join(work, 'second'), { tag: 'v1' });
    const authFile = join(work, 'auth.json');
    writeFileSync(authFile, JSON.stringify({ auths: { [h.host]: { auth: Buffer.from(`admin:${h.admin.password}`).toString('base64') } } }));
    const skopeo = (args: string[]) => run('skopeo', args, { timeoutMs: 60_000, env: { REGISTRY_AUTH_FILE: authFile } });
    const dest = `docker://${h.host}/tool/app:v1`;

    const ok = await skopeo(['copy', '--all', '--dest-tls-verify=false', `oci:${first.dir}:v1`, dest]);
    assert.equal(ok.code, 0, describeRun('skopeo', ['copy', dest], ok));
    const refused = await skopeo(['copy', '--all', '--dest-tls-verify=false', `oci:${second.dir}:v1`, dest]);
    assert.notEqual(refused.code, 0, describeRun('skopeo', ['copy', dest], refused));
    assert.match(refused.stderr, /Failed to process request due to 'app:v1' configured as immutable\./, refused.stderr);
    assert.equal(await tagDigest('tool/app', 'v1'), first.indexDigest);

    const del = await skopeo(['delete', '--tls-verify=false', dest]);
    assert.notEqual(del.code, 0);
    assert.match(del.stderr, /configured as immutable/, del.stderr);
  });

  test('podman pushes a protected tag once, then prints Harbor\'s refusal', { timeout: 180_000 }, async (t) => {
    if (!requireTool(t, 'podman')) return;
    await createRule('tool', rule('v*', 'hello'));
    // A private image store and configuration: the machine's podman images are neither read nor changed.
    const pm = join(work, 'podman');
    mkdirSync(join(pm, 'ctx'), { recursive: true });
    const authFile = join(pm, 'auth.json');
    writeFileSync(authFile, JSON.stringify({ auths: { [h.host]: { auth: Buffer.from(`admin:${h.admin.password}`).toString('base64') } } }));
    const podman = privatePodman(pm, authFile, { timeoutMs: 90_000, env: { BUILDAH_ISOLATION: 'chroot' } });
    if ((await podmanDriver(t, podman)) === null) return;
    const image = `${h.host}/tool/hello:v1`;
    try {
      const pushes = [];
      for (const content of ['first', 'second']) {
        writeFileSync(join(pm, 'ctx', 'hello.txt'), content);
        writeFileSync(join(pm, 'ctx', 'Containerfile'), 'FROM scratch\nCOPY hello.txt /\n');
        const built = await podman(['build', '-q', '-t', image, join(pm, 'ctx')]);
        assert.equal(built.code, 0, describeRun('podman', ['build'], built));
        pushes.push(await podman(['push', '--tls-verify=false', image]));
      }
      assert.equal(pushes[0]!.code, 0, describeRun('podman', ['push', image], pushes[0]!));
      assert.notEqual(pushes[1]!.code, 0, describeRun('podman', ['push', image], pushes[1]!));
      assert.match(pushes[1]!.stderr, /Failed to process request due to 'hello:v1' configured as immutable\./, pushes[1]!.stderr);
    } finally {
      await podman(['rmi', '--all', '--force']);
    }
  });
});
