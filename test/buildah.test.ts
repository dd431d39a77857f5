// buildah, a third real client: build an image from scratch, push it to Haven through the token
// flow, remove it locally, pull it back, and find the same content.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startHaven } from './helpers/haven.js';
import { describeRun, run } from './helpers/run.js';
import { requireTool } from './helpers/tools.js';

test('buildah builds, pushes and pulls back an image', { timeout: 120_000 }, async (t) => {
  if (!requireTool(t, 'buildah')) return;
  const work = mkdtempSync(join(tmpdir(), 'haven-buildah-'));
  const h = await startHaven();
  try {
    await h.createProject('bld');
    const store = join(work, 'store');
    for (const d of ['root', 'runroot', 'tmp']) mkdirSync(join(store, d), { recursive: true });
    const globals = ['--root', join(store, 'root'), '--runroot', join(store, 'runroot'), '--storage-driver', 'vfs'];
    const env = { TMPDIR: join(store, 'tmp'), BUILDAH_ISOLATION: 'chroot' };
    const buildah = async (args: string[], ok = true) => {
      const r = await run('buildah', [...globals, ...args], { timeoutMs: 60_000, env });
      assert.equal(r.code === 0, ok, describeRun('buildah', args, r));
      return r.stdout.toString().trim();
    };
    const creds = `admin:${h.admin.password}`;
    const ref = `${h.host}/bld/app:v1`;

    const payload = join(work, 'hello.txt');
    writeFileSync(payload, `built by buildah for haven ${Date.now()}\n`);
    const ctr = await buildah(['from', 'scratch']);
    await buildah(['copy', ctr, payload, '/hello.txt']);
    await buildah(['config', '--label', 'org.example.test=haven', '--arch', 'amd64', '--os', 'linux', ctr]);
    const imageId = await buildah(['commit', '--format', 'oci', ctr, 'localhost/bld-app:v1']);
    assert.match(imageId, /^[0-9a-f]{64}$/);

    // Without credentials (an empty auth file) the push is refused; with them it goes through the token flow.
    writeFileSync(join(work, 'none.json'), '{"auths":{}}');
    const denied = await run('buildah', [...globals, 'push', '--tls-verify=false', 'localhost/bld-app:v1', `docker://${ref}`], { timeoutMs: 60_000, env: { ...env, REGISTRY_AUTH_FILE: join(work, 'none.json') } });
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /unauthorized|authentication required|401/i);
    await buildah(['push', '--tls-verify=false', '--creds', creds, 'localhost/bld-app:v1', `docker://${ref}`]);

    const m = await h.adminFetch(`${h.url}/v2/bld/app/manifests/v1`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(m.status, 200);
    const manifest = (await m.json()) as { layers: Array<{ digest: string }>; config: { digest: string } };
    assert.equal(manifest.layers.length, 1);
    assert.equal(manifest.config.digest, `sha256:${imageId}`);
    assert.equal((await h.adminFetch(`${h.url}/v2/bld/app/blobs/${manifest.layers[0]!.digest}`, { method: 'HEAD' })).status, 200);

    await buildah(['rm', ctr]);
    await buildah(['rmi', '--all', '--force']);
    const pulled = await buildah(['pull', '--tls-verify=false', '--creds', creds, `docker://${ref}`]);
    assert.equal(pulled.split('\n').pop(), imageId);
    const inspected = JSON.parse(await buildah(['inspect', '--type', 'image', ref])) as { OCIv1: { config: { Labels: Record<string, string> } } };
    assert.equal(inspected.OCIv1.config.Labels['org.example.test'], 'haven');
  } finally {
    await h.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
});
