// Retag and copy seen from real clients: skopeo pushes a multi-arch image, the API retags it and
// copies it into another project, and podman pulls the copy (by the copied tag) and the retag.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiClient } from './helpers/api-client.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { writeTestLayout, type TestLayout } from './helpers/oci-layout.js';
import { describeRun, run } from './helpers/run.js';
import { requireTool } from './helpers/tools.js';
import { podmanDriver, privatePodman } from './helpers/podman.js';

const hexOf = (digest: string) => digest.slice('sha256:'.length);

describe('retag and copy through the API, seen by skopeo and podman', { timeout: 120_000 }, () => {
  let haven: RunningHaven;
  let work: string;
  let authFile: string;
  let layout: TestLayout;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'haven-copy-'));
    layout = writeTestLayout(join(work, 'layout'), { tag: 'v1', artifactTag: 'sbom' });
    haven = await startHaven();
    await haven.createProject('src');
    await haven.createProject('dst');
    authFile = join(work, 'auth.json');
    writeFileSync(authFile, JSON.stringify({ auths: { [haven.host]: { auth: Buffer.from(`admin:${haven.admin.password}`).toString('base64') } } }));
  });

  after(async () => {
    await haven?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const diagnostics = () => {
    let log = '';
    try {
      log = readFileSync(join(haven.dataDir, 'haven.log'), 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      log = '(no log file)';
    }
    return `--- haven output:\n${haven.output().slice(-2000)}\n--- haven.log:\n${log}`;
  };

  test('skopeo push, API retag and cross-project copy, podman pull of the copy', async (t) => {
    if (!requireTool(t, 'skopeo') || !requireTool(t, 'podman')) return;
    const skopeo = async (args: string[]) => {
      const r = await run('skopeo', args, { timeoutMs: 60_000, env: { REGISTRY_AUTH_FILE: authFile } });
      assert.equal(r.code, 0, `${describeRun('skopeo', args, r)}\n${diagnostics()}`);
      return r;
    };
    await skopeo(['copy', '--all', '--dest-tls-verify=false', `oci:${layout.dir}:v1`, `docker://${haven.host}/src/app:v1`]);

    const api = apiClient(haven).api;
    const retag = await api('POST', '/projects/src/repositories/app/artifacts/v1/tags', { body: { name: 'release' } });
    assert.equal(retag.status, 201, retag.text);
    const copy = await api('POST', `/projects/dst/repositories/team%252Fapp/artifacts?from=${encodeURIComponent('src/app:release')}`);
    assert.equal(copy.status, 201, copy.text);

    // skopeo sees the retag and the copy as the same index, with both tags copied along.
    for (const ref of ['src/app:release', 'dst/team/app:v1', 'dst/team/app:release']) {
      const raw = await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${haven.host}/${ref}`]);
      assert.ok(Buffer.from(raw.stdout).equals(layout.index), `${ref} is not the pushed index`);
    }
    const tags = JSON.parse((await skopeo(['list-tags', '--tls-verify=false', `docker://${haven.host}/dst/team/app`])).stdout.toString()) as { Tags: string[] };
    assert.deepEqual(tags.Tags.sort(), ['release', 'v1']);

    // podman, with a private store so the machine's images are neither read nor changed.
    const podman = privatePodman(join(work, 'podman'), authFile);
    if ((await podmanDriver(t, podman)) === null) return;
    try {
      const amd64 = layout.images.find((i) => i.platform.architecture === 'amd64');
      assert.ok(amd64);
      for (const ref of ['dst/team/app:v1', 'src/app:release']) {
        const r = await podman(['pull', '--tls-verify=false', '--os', 'linux', '--arch', 'amd64', `${haven.host}/${ref}`]);
        assert.equal(r.code, 0, `${describeRun('podman', ['pull', ref], r)}\n${diagnostics()}`);
        const inspected = await podman(['image', 'inspect', '--format', '{{.Id}} {{.Architecture}}', `${haven.host}/${ref}`]);
        // The image ID is the config digest: podman verified the copied config and every layer.
        assert.equal(inspected.stdout.toString().trim(), `${hexOf(amd64.configDigest)} amd64`);
      }
    } finally {
      await podman(['rmi', '--all', '--force']);
    }
  });
});
