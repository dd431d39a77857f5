// A project whose content was pushed can be emptied and deleted again: deleting a repository's
// last manifest (over /v2, or with skopeo) removes the repository, and Harbor's
// DELETE /projects/{p}/repositories/{r} removes a repository whole.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { apiClient, type Creds } from './helpers/api-client.js';
import { asAdmin, expectOciError, pushImage } from './helpers/oci.js';
import { writeTestLayout, type TestLayout } from './helpers/oci-layout.js';
import { describeRun, run } from './helpers/run.js';
import { requireTool } from './helpers/tools.js';

let haven: RunningHaven;
let api: ReturnType<typeof apiClient>;
let work: string;
let layout: TestLayout;
let authFile: string;

before(async () => {
  haven = await startHaven();
  api = apiClient(haven);
  work = mkdtempSync(join(tmpdir(), 'haven-repo-delete-'));
  layout = writeTestLayout(join(work, 'layout'), { tag: 'v1' });
  authFile = join(work, 'auth.json');
  writeFileSync(authFile, JSON.stringify({ auths: { [haven.host]: { auth: Buffer.from(`admin:${haven.admin.password}`).toString('base64') } } }));
});

after(async () => {
  await haven?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function catalog(): Promise<string[]> {
  const r = await haven.adminFetch(`${haven.url}/v2/_catalog`);
  assert.equal(r.status, 200);
  return ((await r.json()) as { repositories: string[] }).repositories;
}

async function project(name: string): Promise<void> {
  const r = await api.api('POST', '/projects', { body: { project_name: name } });
  assert.equal(r.status, 201, r.text);
}

async function user(name: string, projectName: string, roleId: number): Promise<Creds> {
  const creds = { username: name, password: 'Passw0rdRepo' };
  assert.equal((await api.api('POST', '/users', { body: { ...creds, email: `${name}@example.com` } })).status, 201);
  const m = await api.api('POST', `/projects/${projectName}/members`, { body: { role_id: roleId, member_user: { username: name } } });
  assert.equal(m.status, 201, m.text);
  return creds;
}

async function skopeo(args: string[]) {
  const r = await run('skopeo', args, { timeoutMs: 60_000, env: { REGISTRY_AUTH_FILE: authFile } });
  assert.equal(r.code, 0, `${describeRun('skopeo', args, r)}\n${haven.output().slice(-2000)}`);
  return r;
}

/** The audit writer flushes in batches: poll (bounded) until the record shows up. */
async function auditRecord(resource: string): Promise<{ operation: string; resource_type: string; username: string } | undefined> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const r = await api.api('GET', `/audit-logs?page_size=100&q=${encodeURIComponent(`resource=${resource}`)}`);
    assert.equal(r.status, 200, r.text);
    const found = (r.json as Array<{ operation: string; resource_type: string; resource: string; username: string }>).find((e) => e.resource === resource && e.resource_type === 'repository');
    if (found) return found;
    await new Promise((res) => setTimeout(res, 100));
  }
  return undefined;
}

describe('a repository goes with its last manifest', () => {
  test('push, delete the only manifest by digest: the catalog forgets it and the project deletes', async () => {
    await project('empties');
    const img = await pushImage(asAdmin(haven), 'empties/app', 'v1', 2);
    assert.ok((await catalog()).includes('empties/app'));
    assert.equal((await api.api('DELETE', '/projects/empties')).status, 412);
    const r = await haven.adminFetch(`${haven.url}/v2/empties/app/manifests/${img.digest}`, { method: 'DELETE' });
    assert.equal(r.status, 202);
    assert.ok(!(await catalog()).includes('empties/app'));
    await expectOciError(await haven.adminFetch(`${haven.url}/v2/empties/app/tags/list`), 404, 'NAME_UNKNOWN');
    await expectOciError(await haven.adminFetch(`${haven.url}/v2/empties/app/blobs/${img.layers[0]!.digest}`), 404, 'BLOB_UNKNOWN');
    assert.equal((await api.api('GET', '/projects/empties/summary', { headers: { 'X-Is-Resource-Name': 'true' } })).json.repo_count, 0);
    assert.equal((await api.api('DELETE', '/projects/empties')).status, 200);
  });

  test('skopeo copy, skopeo delete of the only tag: the repository is gone and the project deletes', async (t) => {
    if (!requireTool(t, 'skopeo')) return;
    await project('skopeo-empties');
    const one = `docker://${haven.host}/skopeo-empties/one:v1`;
    const multi = `docker://${haven.host}/skopeo-empties/multi:v1`;
    // One platform's image, and the whole two-platform index with its children.
    await skopeo(['copy', '--dest-tls-verify=false', '--override-os', 'linux', '--override-arch', 'amd64', `oci:${layout.dir}:v1`, one]);
    await skopeo(['copy', '--all', '--dest-tls-verify=false', `oci:${layout.dir}:v1`, multi]);
    const listed = await catalog();
    assert.ok(listed.includes('skopeo-empties/one') && listed.includes('skopeo-empties/multi'), listed.join(','));
    await skopeo(['delete', '--tls-verify=false', one]);
    await skopeo(['delete', '--tls-verify=false', multi]);
    const after = await catalog();
    assert.ok(!after.some((n) => n.startsWith('skopeo-empties/')), after.join(','));
    const gone = await run('skopeo', ['list-tags', '--tls-verify=false', `docker://${haven.host}/skopeo-empties/multi`], { timeoutMs: 60_000, env: { REGISTRY_AUTH_FILE: authFile } });
    assert.notEqual(gone.code, 0, 'list-tags of a deleted repository succeeded');
    const del = await api.api('DELETE', '/projects/skopeo-empties');
    assert.equal(del.status, 200, del.text);
  });
});

describe('DELETE /api/v2.0/projects/{project_name}/repositories/{repository_name}', () => {
  before(async () => {
    await project('repos');
  });

  test('removes a nested repository (a%252Fb, as Harbor clients send it) with its tags and blobs; 404 after', async () => {
    const a = await pushImage(asAdmin(haven), 'repos/team/app', 'v1', 1);
    await pushImage(asAdmin(haven), 'repos/team/app', 'v2', 1);
    const keep = await pushImage(asAdmin(haven), 'repos/keep', 'v1', 1);
    const r = await api.api('DELETE', '/projects/repos/repositories/team%252Fapp');
    assert.equal(r.status, 200, r.text);
    assert.ok(!(await catalog()).includes('repos/team/app'));
    for (const ref of ['v1', 'v2', a.digest]) await expectOciError(await haven.adminFetch(`${haven.url}/v2/repos/team/app/manifests/${ref}`), 404, 'MANIFEST_UNKNOWN');
    await expectOciError(await haven.adminFetch(`${haven.url}/v2/repos/team/app/blobs/${a.layers[0]!.digest}`), 404, 'BLOB_UNKNOWN');
    // Another repository of the project is untouched.
    const k = await haven.adminFetch(`${haven.url}/v2/repos/keep/manifests/v1`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(k.status, 200);
    assert.ok(Buffer.from(await k.arrayBuffer()).equals(keep.manifest));
    const again = await api.api('DELETE', '/projects/repos/repositories/team%252Fapp');
    assert.equal(again.status, 404);
    assert.equal(again.json.errors[0].code, 'NOT_FOUND');
    const audited = await auditRecord('repos/team/app');
    assert.deepEqual(audited && [audited.operation, audited.username], ['delete', 'admin']);
  });

  test('single-encoded (a%2Fb) and plain names work too; an unknown project is 404', async () => {
    await pushImage(asAdmin(haven), 'repos/single/enc', 'v1', 1);
    await pushImage(asAdmin(haven), 'repos/plain', 'v1', 1);
    assert.equal((await api.api('DELETE', '/projects/repos/repositories/single%2Fenc')).status, 200);
    assert.equal((await api.api('DELETE', '/projects/repos/repositories/plain')).status, 200);
    const listed = await catalog();
    assert.ok(!listed.includes('repos/single/enc') && !listed.includes('repos/plain'), listed.join(','));
    assert.equal((await api.api('DELETE', '/projects/no-such-project/repositories/plain')).status, 404);
  });

  test("needs the project's repository delete permission (maintainer yes, developer and guest no, outsiders see nothing)", async () => {
    await project('repos-rbac');
    const maintainer = await user('repo-maintainer', 'repos-rbac', 4);
    const developer = await user('repo-developer', 'repos-rbac', 2);
    const guest = await user('repo-guest', 'repos-rbac', 3);
    const outsider = { username: 'repo-outsider', password: 'Passw0rdRepo' };
    assert.equal((await api.api('POST', '/users', { body: { ...outsider, email: 'repo-outsider@example.com' } })).status, 201);
    await pushImage(asAdmin(haven), 'repos-rbac/app', 'v1', 1);
    const path = '/projects/repos-rbac/repositories/app';
    assert.equal((await api.api('DELETE', path, { as: developer })).status, 403);
    assert.equal((await api.api('DELETE', path, { as: guest })).status, 403);
    assert.equal((await api.api('DELETE', path, { as: outsider })).status, 404);
    // Anonymous callers are told nothing of a private project either.
    assert.equal((await api.api('DELETE', path, { as: null })).status, 404);
    assert.ok((await catalog()).includes('repos-rbac/app'));
    assert.equal((await api.api('DELETE', path, { as: maintainer })).status, 200);
    assert.ok(!(await catalog()).includes('repos-rbac/app'));
    // Emptied, the project can be deleted.
    assert.equal((await api.api('DELETE', '/projects/repos-rbac')).status, 200);
  });
});
