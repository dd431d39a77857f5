// Storage quotas enforced on /v2, as Harbor does: a push that would pass the limit is refused
// with 403 DENIED and Harbor's "... will exceed the configured upper limit of ..." message, which
// skopeo prints; a refused push leaves nothing behind; usage counts each digest once per project;
// warnings (85 %) and refusals are written to the event outbox.
import { havenSql } from './helpers/haven-db.js';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { apiClient } from './helpers/api-client.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { asAdmin, body, imageManifest, pushBlob, putManifest, randomBlob, sha256, type Blob } from './helpers/oci.js';
import { writeTestLayout } from './helpers/oci-layout.js';
import { describeRun, run } from './helpers/run.js';
import { requireTool } from './helpers/tools.js';
import { podmanDriver, privatePodman } from './helpers/podman.js';

let h: RunningHaven;
let client: ReturnType<typeof apiClient>;
let work: string;

before(async () => {
  h = await startHaven();
  client = apiClient(h);
  work = mkdtempSync(join(tmpdir(), 'haven-quota-push-'));
});
after(async () => {
  await h?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function createProject(name: string, storageLimit: number): Promise<number> {
  const r = await client.api('POST', '/projects', { body: { project_name: name, storage_limit: storageLimit } });
  assert.equal(r.status, 201, r.text);
  return Number(r.headers.get('location')!.split('/').pop());
}

async function quotaOf(projectId: number): Promise<{ id: number; hard: number; used: number }> {
  const r = await client.api('GET', `/quotas?reference_id=${projectId}`);
  assert.equal(r.json.length, 1, r.text);
  return { id: r.json[0].id, hard: r.json[0].hard.storage, used: r.json[0].used.storage };
}

interface OutboxEvent {
  type: string;
  project_id: number;
  payload: { project: { id: number; name: string }; repository: string; digest: string; usage: number; hard: number; message: string };
}

/** The quota events in the outbox of a project, read from the server's database (pushes write PUSH_ARTIFACT there too). */
async function events(projectId: number): Promise<OutboxEvent[]> {
  const { rows } = await havenSql<{ type: string; project_id: number; payload: string }>(h, "select type, project_id, payload from event_outbox where project_id = ? and type like 'QUOTA%' order by id", [projectId]);
  return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) }));
}

const reg = () => asAdmin(h);
const exceeded = /^adding .+ of storage resource, which when updated to current usage of .+ will exceed the configured upper limit of .+\.$/;

/** An image's blobs pushed, its manifest not yet. */
async function stage(repo: string, sizes: number[]): Promise<{ manifest: Buffer; digest: string; bytes: number }> {
  const config = randomBlob(32);
  await pushBlob(reg(), repo, config.bytes);
  const layers: Blob[] = [];
  for (const s of sizes) {
    const l = randomBlob(s);
    await pushBlob(reg(), repo, l.bytes);
    layers.push(l);
  }
  const manifest = imageManifest(config, layers);
  return { manifest, digest: sha256(manifest), bytes: manifest.length + config.size + layers.reduce((n, l) => n + l.size, 0) };
}

describe('quota enforcement on /v2', () => {
  test('skopeo: a push over the limit fails with Harbor\'s message; no artifact, no repository, usage unchanged; QUOTA_EXCEED recorded', async (t) => {
    if (!requireTool(t, 'skopeo')) return;
    const id = await createProject('q-skopeo', 64 * 1024);
    const layout = writeTestLayout(join(work, 'layout'), { tag: 'v1' });
    const authFile = join(work, 'auth.json');
    writeFileSync(authFile, JSON.stringify({ auths: { [h.host]: { auth: Buffer.from(`admin:${h.admin.password}`).toString('base64') } } }));
    const args = ['copy', '--all', '--retry-times', '0', '--dest-tls-verify=false', `oci:${layout.dir}:v1`, `docker://${h.host}/q-skopeo/app:v1`];
    const r = await run('skopeo', args, { timeoutMs: 60_000, env: { REGISTRY_AUTH_FILE: authFile } });
    assert.notEqual(r.code, 0, describeRun('skopeo', args, r));
    assert.match(r.stderr, /denied: adding .* of storage resource, which when updated to current usage of .* will exceed the configured upper limit of 64\.0 KiB\./, describeRun('skopeo', args, r));
    // The blobs that fitted were linked (as after any interrupted push); nothing is tagged or counted.
    const tags = await h.adminFetch(`${h.url}/v2/q-skopeo/app/tags/list`);
    assert.deepEqual(tags.status === 404 ? [] : (((await tags.json()) as { tags: string[] | null }).tags ?? []), [], 'no tags');
    const manifest = await h.adminFetch(`${h.url}/v2/q-skopeo/app/manifests/${layout.indexDigest}`);
    assert.equal(manifest.status, 404, 'no index');
    assert.equal((await quotaOf(id)).used, 0);
    const ev = (await events(id)).filter((e) => e.type === 'QUOTA_EXCEED');
    assert.ok(ev.length >= 1, 'QUOTA_EXCEED written');
    assert.equal(ev[0]!.payload.project.name, 'q-skopeo');
    assert.equal(ev[0]!.payload.repository, 'q-skopeo/app');
    assert.equal(ev[0]!.payload.hard, 64 * 1024);
    assert.match(ev[0]!.payload.message, exceeded);
  });

  test('podman: a push over the limit fails with Harbor\'s message, and leaves no tag and no usage', async (t) => {
    if (!requireTool(t, 'podman')) return;
    const id = await createProject('q-podman', 64 * 1024);
    // podman names an image pulled from a layout after its path, which must be lowercase.
    const layoutDir = join(tmpdir(), `haven-quota-podman-${process.pid}`);
    const layout = writeTestLayout(layoutDir, { tag: 'v1' });
    const authFile = join(work, 'auth.json');
    writeFileSync(authFile, JSON.stringify({ auths: { [h.host]: { auth: Buffer.from(`admin:${h.admin.password}`).toString('base64') } } }));
    // A private image store, so the machine's podman images are untouched.
    const podman = privatePodman(join(work, 'podman'), authFile);
    if ((await podmanDriver(t, podman)) === null) return;
    try {
      const pull = ['pull', '--arch', 'amd64', '--os', 'linux', `oci:${layout.dir}:v1`];
      const pulled = await podman(pull);
      assert.equal(pulled.code, 0, describeRun('podman', pull, pulled));
      const imageId = pulled.stdout.toString().trim().split('\n').pop()!;
      const push = ['push', '--tls-verify=false', imageId, `${h.host}/q-podman/app:v1`];
      const r = await podman(push);
      assert.notEqual(r.code, 0, describeRun('podman', push, r));
      assert.match(r.stderr, /denied: adding .* of storage resource, which when updated to current usage of .* will exceed the configured upper limit of 64\.0 KiB\./, describeRun('podman', push, r));
    } finally {
      await podman(['rmi', '--all', '--force']);
      rmSync(layoutDir, { recursive: true, force: true });
    }
    assert.equal((await h.adminFetch(`${h.url}/v2/q-podman/app/manifests/v1`)).status, 404);
    assert.equal((await quotaOf(id)).used, 0);
  });

  test('manifest PUT over the limit: 403 DENIED, no manifest, no tag, usage unchanged, QUOTA_EXCEED with the digest', async () => {
    const id = await createProject('q-manifest', 10_000);
    const first = await stage('q-manifest/app', [3000]);
    assert.equal((await putManifest(reg(), 'q-manifest/app', 'v1', first.manifest)).status, 201);
    assert.equal((await quotaOf(id)).used, first.bytes);
    // Each blob fits alone (the pre-check), the image as a whole does not.
    const second = await stage('q-manifest/app', [3000, 3500]);
    const r = await putManifest(reg(), 'q-manifest/app', 'v2', second.manifest);
    assert.equal(r.status, 403);
    const err = (await r.json()) as { errors: Array<{ code: string; message: string }> };
    assert.equal(err.errors[0]!.code, 'DENIED');
    assert.match(err.errors[0]!.message, exceeded);
    assert.match(err.errors[0]!.message, new RegExp(`current usage of ${(first.bytes / 1024).toFixed(1)} KiB will exceed the configured upper limit of 9\\.8 KiB\\.$`));
    assert.equal((await h.adminFetch(`${h.url}/v2/q-manifest/app/manifests/${second.digest}`)).status, 404);
    assert.equal((await h.adminFetch(`${h.url}/v2/q-manifest/app/manifests/v2`)).status, 404);
    const tags = (await (await h.adminFetch(`${h.url}/v2/q-manifest/app/tags/list`)).json()) as { tags: string[] };
    assert.deepEqual(tags.tags, ['v1']);
    assert.equal((await quotaOf(id)).used, first.bytes);
    const ev = (await events(id)).filter((e) => e.type === 'QUOTA_EXCEED');
    assert.equal(ev.length, 1);
    assert.equal(ev[0]!.payload.digest, second.digest);
    assert.equal(ev[0]!.payload.usage, first.bytes);
  });

  test('a blob upload that cannot fit is refused at completion (chunked and monolithic), and leaves no blob', async () => {
    const id = await createProject('q-blob', 1000);
    const big = randomBlob(2000);
    // Monolithic.
    const mono = await h.adminFetch(`${h.url}/v2/q-blob/app/blobs/uploads/?digest=${big.digest}`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: body(big.bytes) });
    assert.equal(mono.status, 403);
    assert.match(((await mono.json()) as { errors: Array<{ message: string }> }).errors[0]!.message, /adding 2\.0 KiB of storage resource, which when updated to current usage of 0 B will exceed the configured upper limit of 1000 B\./);
    // Session: POST, PATCH, PUT ?digest.
    const start = await h.adminFetch(`${h.url}/v2/q-blob/app/blobs/uploads/`, { method: 'POST' });
    assert.equal(start.status, 202);
    const loc = new URL(start.headers.get('location')!, h.url);
    const patch = await h.adminFetch(loc, { method: 'PATCH', headers: { 'Content-Type': 'application/octet-stream' }, body: body(big.bytes) });
    assert.equal(patch.status, 202);
    const done = new URL(patch.headers.get('location')!, h.url);
    done.searchParams.set('digest', big.digest);
    const put = await h.adminFetch(done, { method: 'PUT' });
    assert.equal(put.status, 403);
    assert.equal(((await put.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'DENIED');
    assert.equal((await h.adminFetch(`${h.url}/v2/q-blob/app/blobs/${big.digest}`, { method: 'HEAD' })).status, 404);
    assert.equal((await h.adminFetch(loc)).status, 404, 'the refused upload session is gone');
    assert.equal((await quotaOf(id)).used, 0);
    assert.equal((await events(id)).filter((e) => e.type === 'QUOTA_EXCEED').length, 2);
  });

  test('a cross-project mount counts against the target: refused when it cannot fit, allowed for a blob the project holds', async () => {
    await createProject('q-src', -1);
    const target = await createProject('q-dst', 1500);
    const big = randomBlob(2000);
    await pushBlob(reg(), 'q-src/app', big.bytes);
    const mount = await h.adminFetch(`${h.url}/v2/q-dst/app/blobs/uploads/?mount=${big.digest}&from=q-src/app`, { method: 'POST' });
    assert.equal(mount.status, 403);
    assert.equal(((await mount.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'DENIED');
    assert.equal((await h.adminFetch(`${h.url}/v2/q-dst/app/blobs/${big.digest}`, { method: 'HEAD' })).status, 404);
    // A small image in q-dst, then its layer mounted into another repository of q-dst: already counted.
    const img = await stage('q-dst/app', [500]);
    assert.equal((await putManifest(reg(), 'q-dst/app', 'v1', img.manifest)).status, 201);
    assert.equal((await client.api('PUT', `/quotas/${(await quotaOf(target)).id}`, { body: { hard: { storage: img.bytes } } })).status, 200);
    const parsed = JSON.parse(img.manifest.toString()) as { config: { digest: string }; layers: Array<{ digest: string }> };
    for (const d of [parsed.config.digest, ...parsed.layers.map((l) => l.digest)]) {
      const again = await h.adminFetch(`${h.url}/v2/q-dst/other/blobs/uploads/?mount=${d}&from=q-dst/app`, { method: 'POST' });
      assert.equal(again.status, 201, await again.text());
    }
    assert.equal((await putManifest(reg(), 'q-dst/other', 'v1', img.manifest)).status, 201, 'the same image in another repository adds nothing');
    assert.equal((await quotaOf(target)).used, img.bytes);
  });

  test('layers shared between repositories count once; deletes release exactly what nothing else uses', async () => {
    const id = await createProject('q-shared', -1);
    const shared = randomBlob(4000);
    const own = [randomBlob(1000), randomBlob(1500)];
    const config = randomBlob(40);
    const manifests: Buffer[] = [];
    for (const [i, repo] of ['q-shared/a', 'q-shared/b/c'].entries()) {
      for (const b of [config, shared, own[i]!]) await pushBlob(reg(), repo, b.bytes);
      const m = imageManifest(config, [shared, own[i]!]);
      manifests.push(m);
      assert.equal((await putManifest(reg(), repo, 'v1', m)).status, 201);
    }
    const expected = config.size + shared.size + own[0]!.size + own[1]!.size + manifests[0]!.length + manifests[1]!.length;
    assert.equal((await quotaOf(id)).used, expected);
    const del = await h.adminFetch(`${h.url}/v2/q-shared/a/manifests/${sha256(manifests[0]!)}`, { method: 'DELETE' });
    assert.equal(del.status, 202);
    assert.equal((await quotaOf(id)).used, expected - own[0]!.size - manifests[0]!.length, 'the shared layer and config are still used by b/c');
    const repoDel = await client.api('DELETE', `/projects/q-shared/repositories/${encodeURIComponent('b%2Fc')}`);
    assert.equal(repoDel.status, 200, repoDel.text);
    assert.equal((await quotaOf(id)).used, 0);
  });

  test('QUOTA_WARNING is written once, by the push that reaches 85 % of the limit', async () => {
    const id = await createProject('q-warn', 20_000);
    const a = await stage('q-warn/app', [8000]);
    assert.equal((await putManifest(reg(), 'q-warn/app', 'a', a.manifest)).status, 201);
    assert.deepEqual((await events(id)), []);
    const b = await stage('q-warn/app', [9000]);
    assert.equal((await putManifest(reg(), 'q-warn/app', 'b', b.manifest)).status, 201);
    const c = await stage('q-warn/app', [300]);
    assert.equal((await putManifest(reg(), 'q-warn/app', 'c', c.manifest)).status, 201);
    const warnings = (await events(id)).filter((e) => e.type === 'QUOTA_WARNING');
    assert.equal(warnings.length, 1, JSON.stringify((await events(id))));
    assert.equal(warnings[0]!.payload.digest, b.digest);
    assert.equal(warnings[0]!.payload.usage, a.bytes + b.bytes);
    assert.equal(warnings[0]!.payload.hard, 20_000);
    assert.match(warnings[0]!.payload.message, /^quota usage reach 85%: resource storage used .* of 19\.5 KiB$/);
  });
});
