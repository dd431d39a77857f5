// What skopeo pushes, as the artifact API shows it: a multi-arch index with its platforms, a
// single-platform image with its config's architecture and os, and an OCI 1.1 artifact whose
// subject is the index, listed as the index's accessory and hidden from the list.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { apiClient } from './helpers/api-client.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { writeTestLayout, type TestLayout } from './helpers/oci-layout.js';
import { describeRun, run } from './helpers/run.js';
import { requireTool } from './helpers/tools.js';

describe('artifacts pushed with skopeo', { timeout: 120_000 }, () => {
  let haven: RunningHaven;
  let work: string;
  let authFile: string;
  let layout: TestLayout;
  let api: ReturnType<typeof apiClient>['api'];

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'haven-artifacts-skopeo-'));
    layout = writeTestLayout(join(work, 'layout'), { tag: 'v1', artifactTag: 'sbom' });
    haven = await startHaven({ projects: ['arts'] });
    api = apiClient(haven).api;
    authFile = join(work, 'auth.json');
    writeFileSync(authFile, JSON.stringify({ auths: { [haven.host]: { auth: Buffer.from(`admin:${haven.admin.password}`).toString('base64') } } }));
  });
  after(async () => {
    await haven?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function skopeo(args: string[]) {
    const r = await run('skopeo', args, { timeoutMs: 60_000, env: { REGISTRY_AUTH_FILE: authFile } });
    assert.equal(r.code, 0, describeRun('skopeo', args, r));
  }
  const dest = (repo: string, ref: string) => `docker://${haven.host}/${repo}${ref.startsWith('sha256:') ? '@' : ':'}${ref}`;
  const sizeOf = (img: TestLayout['images'][number]) => img.manifest.length + img.config.length + img.layers.reduce((n, l) => n + l.size, 0);

  test('a multi-arch index: one IMAGE with its tag, size and platform references; its children have their configs', async (t) => {
    if (!requireTool(t, 'skopeo')) return;
    await skopeo(['copy', '--all', '--dest-tls-verify=false', `oci:${layout.dir}:v1`, dest('arts/app', 'v1')]);
    const r = await api('GET', '/projects/arts/repositories/app/artifacts');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.length, 1);
    const a = r.json[0];
    assert.equal(a.digest, layout.indexDigest);
    assert.equal(a.type, 'IMAGE');
    assert.deepEqual(a.tags.map((x: { name: string }) => x.name), ['v1']);
    assert.equal(a.size, layout.index.length + layout.images.reduce((n, i) => n + sizeOf(i), 0));
    assert.deepEqual(
      a.references.map((x: { child_digest: string; platform: unknown }) => [x.child_digest, x.platform]),
      layout.images.map((i) => [i.manifestDigest, { architecture: i.platform.architecture, os: i.platform.os }]),
    );
    assert.equal(a.annotations['org.opencontainers.image.description'], 'haven end-to-end test image');
    for (const img of layout.images) {
      const c = await api('GET', `/projects/arts/repositories/app/artifacts/${img.manifestDigest}`);
      assert.equal(c.status, 200, c.text);
      assert.equal(c.json.type, 'IMAGE');
      assert.equal(c.json.size, sizeOf(img));
      assert.equal(c.json.extra_attrs.architecture, img.platform.architecture);
      assert.equal(c.json.extra_attrs.os, 'linux');
      assert.equal(c.json.extra_attrs.created, '2024-01-01T00:00:00Z');
      assert.deepEqual(c.json.extra_attrs.config.Cmd, ['/bin/true']);
    }
  });

  test('a single-platform copy is an IMAGE with architecture and os', async (t) => {
    if (!requireTool(t, 'skopeo')) return;
    await skopeo(['copy', '--override-arch', 'arm64', '--override-os', 'linux', '--dest-tls-verify=false', `oci:${layout.dir}:v1`, dest('arts/single', 'arm')]);
    const r = await api('GET', '/projects/arts/repositories/single/artifacts/arm');
    assert.equal(r.status, 200, r.text);
    const arm = layout.images.find((i) => i.platform.architecture === 'arm64')!;
    assert.equal(r.json.digest, arm.manifestDigest);
    assert.equal(r.json.type, 'IMAGE');
    assert.equal(r.json.manifest_media_type, 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(r.json.size, sizeOf(arm));
    assert.equal(r.json.extra_attrs.architecture, 'arm64');
    assert.equal(r.json.extra_attrs.os, 'linux');
  });

  test("an artifact whose subject is the index is the index's accessory, not a listed artifact", async (t) => {
    if (!requireTool(t, 'skopeo')) return;
    await skopeo(['copy', '--dest-tls-verify=false', `oci:${layout.dir}:sbom`, dest('arts/app', layout.artifact.manifestDigest)]);
    const listed = await api('GET', '/projects/arts/repositories/app/artifacts?with_accessory=true');
    assert.deepEqual(listed.json.map((a: { digest: string }) => a.digest), [layout.indexDigest]);
    assert.deepEqual(
      listed.json[0].accessories.map((x: { digest: string; subject_artifact_digest: string; type: string }) => [x.digest, x.subject_artifact_digest, x.type]),
      [[layout.artifact.manifestDigest, layout.indexDigest, 'subject.accessory']],
    );
    const acc = await api('GET', `/projects/arts/repositories/app/artifacts/${layout.indexDigest}/accessories`);
    assert.equal(acc.headers.get('x-total-count'), '1');
    const art = await api('GET', `/projects/arts/repositories/app/artifacts/${layout.artifact.manifestDigest}`);
    assert.equal(art.status, 200, art.text);
    assert.equal(art.json.artifact_type, layout.artifact.artifactType);
  });
});
