// End to end through real clients: skopeo (and podman, when it can run here) against the compiled
// Haven server. An OCI image layout written by Node (a two-platform image index plus an artifact
// whose subject is the index) goes in, is inspected, listed, copied between repositories, copied
// back out and compared byte for byte, deleted, and pulled and pushed by podman.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { sha256 } from './helpers/oci.js';
import { media, readLayoutBlobs, readLayoutIndex, refNameAnnotation, writeTestLayout, type TestLayout } from './helpers/oci-layout.js';
import { requireTool } from './helpers/tools.js';
import { describeRun, run, type RunResult } from './helpers/run.js';
import { podmanDriver, privatePodman } from './helpers/podman.js';

/** Every file under `dir`, as paths relative to it. */
function walkFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) visit(p);
      else out.push(relative(dir, p));
    }
  };
  visit(dir);
  return out.sort();
}

const hexOf = (digest: string) => digest.slice('sha256:'.length);

describe('skopeo and podman against Haven', { timeout: 110_000 }, () => {
  let haven: RunningHaven;
  let authFile: string;
  let work: string;
  let layout: TestLayout;
  /** Digests of manifests (index, images, artifact): stored as manifests, not blob files. */
  let manifestDigests: Set<string>;
  /** Blobs of the image (configs and layers), without the artifact's. */
  let imageBlobs: Map<string, Buffer>;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'haven-skopeo-'));
    layout = writeTestLayout(join(work, 'layout'), { tag: 'v1', artifactTag: 'sbom' });
    manifestDigests = new Set([layout.indexDigest, ...layout.images.map((i) => i.manifestDigest), layout.artifact.manifestDigest]);
    imageBlobs = new Map();
    for (const img of layout.images) {
      imageBlobs.set(img.configDigest, img.config);
      for (const l of img.layers) imageBlobs.set(l.digest, l.bytes);
    }
    haven = await startHaven();
    await haven.createProject('e2e');
    // Clients log in the way users do: a containers auth file with the admin's credentials.
    authFile = join(work, 'auth.json');
    writeFileSync(authFile, JSON.stringify({ auths: { [haven.host]: { auth: Buffer.from(`admin:${haven.admin.password}`).toString('base64') } } }));
  });

  after(async () => {
    await haven?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** What Haven said, for failure messages: its state, console output and the end of its log. */
  function havenDiagnostics(): string {
    const { exitCode, signalCode } = haven.proc;
    const state = exitCode === null && signalCode === null ? 'running' : `exited (code ${exitCode}, signal ${signalCode})`;
    let log = '';
    try {
      log = readFileSync(join(haven.dataDir, 'haven.log'), 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      log = '(no log file)';
    }
    return `--- haven is ${state}; output:\n${haven.output().slice(-3000)}\n--- haven.log (last lines):\n${log}`;
  }

  /** skopeo with a timeout; asserts the exit status (0 unless `expectFailure`). */
  async function skopeo(args: string[], expectFailure = false): Promise<RunResult> {
    const r = await run('skopeo', args, { timeoutMs: 60_000, env: { REGISTRY_AUTH_FILE: authFile } });
    assert.equal(r.code === 0, !expectFailure, `${describeRun('skopeo', args, r)}\n${havenDiagnostics()}`);
    return r;
  }

  const ref = (repo: string, reference: string) =>
    reference.startsWith('sha256:') ? `docker://${haven.host}/${repo}@${reference}` : `docker://${haven.host}/${repo}:${reference}`;

  // The registry checks below read as admin: skopeo, under test, pushes with its own credentials.
  const get = (path: string, init: RequestInit = {}) => haven.adminFetch(`${haven.url}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });

  test('the layout written by Node is a valid OCI image layout', () => {
    const index = readLayoutIndex(layout.dir);
    assert.deepEqual(
      index.manifests.map((m) => [m.digest, m.annotations?.[refNameAnnotation]]),
      [
        [layout.indexDigest, 'v1'],
        [layout.artifact.manifestDigest, 'sbom'],
      ],
    );
    const onDisk = readLayoutBlobs(layout.dir);
    for (const [digest, bytes] of onDisk) assert.equal(sha256(bytes), digest, `blob file ${digest} holds other bytes`);
    assert.equal(onDisk.size, layout.blobs.size);
    // Two platforms sharing a base layer, three layers each, gzip-compressed tars of a few KiB to ~1 MiB.
    assert.deepEqual(layout.images.map((i) => `${i.platform.os}/${i.platform.architecture}`), ['linux/amd64', 'linux/arm64']);
    assert.equal(layout.images[0]!.layers[0]!.digest, layout.images[1]!.layers[0]!.digest);
    for (const img of layout.images) {
      assert.equal(img.layers.length, 3);
      for (const l of img.layers) assert.equal(l.bytes.subarray(0, 2).toString('hex'), '1f8b');
      const sizes = img.layers.map((l) => l.size);
      assert.ok(Math.min(...sizes) > 2 * 1024 && Math.max(...sizes) > 900 * 1024 && Math.max(...sizes) < 1200 * 1024, `layer sizes ${sizes.join(', ')}`);
    }
  });

  test('skopeo copy --all pushes the multi-arch index; the artifact shows up as a referrer of it', async (t) => {
    if (!requireTool(t, 'skopeo')) return;
    const empty = await get(`/v2/e2e/app/referrers/${layout.indexDigest}`);
    // Nothing pushed yet: the referrers API answers an empty index, never 404.
    assert.equal(empty.status, 200);
    assert.deepEqual(((await empty.json()) as { manifests: unknown[] }).manifests, []);

    await skopeo(['copy', '--all', '--dest-tls-verify=false', `oci:${layout.dir}:v1`, ref('e2e/app', 'v1')]);

    const head = await get(`/v2/e2e/app/manifests/v1`, { method: 'HEAD', headers: { Accept: media.index } });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('docker-content-digest'), layout.indexDigest);
    assert.equal(head.headers.get('content-type'), media.index);

    // The artifact (subject = the index) is pushed by digest, so it adds no tag.
    await skopeo(['copy', '--dest-tls-verify=false', `oci:${layout.dir}:sbom`, ref('e2e/app', layout.artifact.manifestDigest)]);
    const art = await get(`/v2/e2e/app/manifests/${layout.artifact.manifestDigest}`, { headers: { Accept: media.manifest } });
    assert.equal(art.status, 200);
    assert.ok(Buffer.from(await art.arrayBuffer()).equals(layout.artifact.manifest), 'artifact manifest changed on the way in');

    const r = await get(`/v2/e2e/app/referrers/${layout.indexDigest}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), media.index);
    const referrers = (await r.json()) as { schemaVersion: number; mediaType: string; manifests: Array<Record<string, unknown>> };
    assert.equal(referrers.schemaVersion, 2);
    assert.equal(referrers.mediaType, media.index);
    assert.equal(referrers.manifests.length, 1, JSON.stringify(referrers));
    assert.deepEqual(
      {
        mediaType: referrers.manifests[0]!.mediaType,
        digest: referrers.manifests[0]!.digest,
        size: referrers.manifests[0]!.size,
        artifactType: referrers.manifests[0]!.artifactType,
      },
      { mediaType: media.manifest, digest: layout.artifact.manifestDigest, size: layout.artifact.manifest.length, artifactType: layout.artifact.artifactType },
    );

    const filtered = await get(`/v2/e2e/app/referrers/${layout.indexDigest}?artifactType=${encodeURIComponent(layout.artifact.artifactType)}`);
    assert.equal(filtered.status, 200);
    assert.equal(filtered.headers.get('oci-filters-applied'), 'artifactType');
    assert.deepEqual(((await filtered.json()) as { manifests: Array<{ digest: string }> }).manifests.map((m) => m.digest), [layout.artifact.manifestDigest]);
    const other = await get(`/v2/e2e/app/referrers/${layout.indexDigest}?artifactType=${encodeURIComponent('application/vnd.example.other')}`);
    assert.deepEqual(((await other.json()) as { manifests: unknown[] }).manifests, []);
    // A platform image has no referrers: the subject link is to the index only.
    const child = await get(`/v2/e2e/app/referrers/${layout.images[0]!.manifestDigest}`);
    assert.deepEqual(((await child.json()) as { manifests: unknown[] }).manifests, []);
  });

  test('skopeo inspect shows the index, each platform and its config as pushed', async (t) => {
    if (!requireTool(t, 'skopeo')) return;
    const raw = await skopeo(['inspect', '--raw', '--tls-verify=false', ref('e2e/app', 'v1')]);
    assert.equal(sha256(raw.stdout), layout.indexDigest, 'inspect --raw of the tag is not the pushed index');
    assert.ok(raw.stdout.equals(layout.index));
    const listed = JSON.parse(raw.stdout.toString()) as { manifests: Array<{ digest: string; platform: { os: string; architecture: string } }> };
    assert.deepEqual(
      listed.manifests.map((m) => [m.digest, `${m.platform.os}/${m.platform.architecture}`]),
      layout.images.map((i) => [i.manifestDigest, `${i.platform.os}/${i.platform.architecture}`]),
    );

    for (const img of layout.images) {
      const arch = img.platform.architecture;
      const byDigest = await skopeo(['inspect', '--raw', '--tls-verify=false', ref('e2e/app', img.manifestDigest)]);
      assert.ok(byDigest.stdout.equals(img.manifest), `${arch} manifest differs`);

      const r = await skopeo(['inspect', '--tls-verify=false', '--override-os', 'linux', '--override-arch', arch, ref('e2e/app', 'v1')]);
      const info = JSON.parse(r.stdout.toString()) as {
        Name: string;
        Digest: string;
        Architecture: string;
        Os: string;
        Layers: string[];
        Labels: Record<string, string>;
        Created: string;
      };
      assert.equal(info.Name, `${haven.host}/e2e/app`);
      assert.equal(info.Digest, layout.indexDigest);
      assert.equal(info.Architecture, arch);
      assert.equal(info.Os, 'linux');
      assert.deepEqual(info.Layers, img.layers.map((l) => l.digest));
      assert.deepEqual(info.Labels, { 'org.haven.test': arch });
      assert.equal(info.Created, '2024-01-01T00:00:00Z');

      const config = await skopeo(['inspect', '--config', '--raw', '--tls-verify=false', '--override-arch', arch, ref('e2e/app', 'v1')]);
      assert.equal(sha256(config.stdout), img.configDigest, `${arch} config differs`);
    }

    const missing = await skopeo(['inspect', '--tls-verify=false', ref('e2e/app', 'nope')], true);
    assert.match(missing.stderr, /manifest unknown/);
  });

  test('skopeo list-tags lists the pushed tags', async (t) => {
    if (!requireTool(t, 'skopeo')) return;
    // A second tag for the same index: every blob and manifest is already there.
    await skopeo(['copy', '--all', '--dest-tls-verify=false', `oci:${layout.dir}:v1`, ref('e2e/app', 'v2')]);
    const r = await skopeo(['list-tags', '--tls-verify=false', `docker://${haven.host}/e2e/app`]);
    const listed = JSON.parse(r.stdout.toString()) as { Repository: string; Tags: string[] };
    assert.equal(listed.Repository, `${haven.host}/e2e/app`);
    assert.deepEqual(listed.Tags, ['v1', 'v2']);

    const v2 = await skopeo(['inspect', '--raw', '--tls-verify=false', ref('e2e/app', 'v2')]);
    assert.equal(sha256(v2.stdout), layout.indexDigest);

    const unknown = await skopeo(['list-tags', '--tls-verify=false', `docker://${haven.host}/e2e/nope`], true);
    assert.match(unknown.stderr, /404/);
  });

  test('skopeo copies between Haven repositories; every blob arrives and is stored once', async (t) => {
    if (!requireTool(t, 'skopeo')) return;
    await skopeo(['copy', '--all', '--src-tls-verify=false', '--dest-tls-verify=false', ref('e2e/app', 'v1'), ref('e2e/copy', 'v1')]);

    for (const [digest, bytes] of imageBlobs) {
      const h = await get(`/v2/e2e/copy/blobs/${digest}`, { method: 'HEAD' });
      assert.equal(h.status, 200, `blob ${digest} missing from e2e/copy`);
      assert.equal(h.headers.get('content-length'), String(bytes.length));
      assert.equal(h.headers.get('docker-content-digest'), digest);
    }
    for (const [digest, body] of [[layout.indexDigest, layout.index], ...layout.images.map((i) => [i.manifestDigest, i.manifest] as const)] as const) {
      const h = await get(`/v2/e2e/copy/manifests/${digest}`, { method: 'HEAD', headers: { Accept: `${media.index}, ${media.manifest}` } });
      assert.equal(h.status, 200, `manifest ${digest} missing from e2e/copy`);
      assert.equal(h.headers.get('content-length'), String(body.length));
    }
    const copied = await skopeo(['inspect', '--raw', '--tls-verify=false', ref('e2e/copy', 'v1')]);
    assert.ok(copied.stdout.equals(layout.index), 'the copied index is not byte-identical');
    // The artifact's blobs were never pushed to e2e/copy.
    assert.equal((await get(`/v2/e2e/copy/blobs/${layout.artifact.layerDigest}`, { method: 'HEAD' })).status, 404);

    // Content-addressed storage: two repositories hold these blobs, yet there is one file per blob and nothing else.
    const storage = join(haven.dataDir, 'storage');
    const files = walkFiles(storage).filter((f) => !(f.startsWith('blobs/sha256/') && manifestDigests.has(`sha256:${f.split('/').pop()}`)));
    const blobFiles = new Map([...imageBlobs, [layout.artifact.configDigest, layout.artifact.config], [layout.artifact.layerDigest, layout.artifact.layer]]);
    const expected = [...blobFiles.keys()].map((d) => `blobs/sha256/${hexOf(d).slice(0, 2)}/${hexOf(d)}`).sort();
    assert.deepEqual(files, expected, `unexpected files in ${storage}`);
    for (const [digest, bytes] of blobFiles) {
      const onDisk = readFileSync(join(storage, 'blobs/sha256', hexOf(digest).slice(0, 2), hexOf(digest)));
      assert.ok(onDisk.equals(bytes), `stored blob ${digest} differs from what was pushed`);
    }
    // And no second copy of any blob elsewhere in the data directory.
    const all = walkFiles(haven.dataDir);
    for (const digest of blobFiles.keys()) {
      const named = all.filter((f) => f.includes(hexOf(digest)));
      assert.equal(named.length, 1, `${digest} stored ${named.length} times: ${named.join(', ')}`);
    }
  });

  test('skopeo copies the image and the artifact back out, byte for byte', async (t) => {
    if (!requireTool(t, 'skopeo')) return;
    const out = join(work, 'out-oci');
    await skopeo(['copy', '--all', '--src-tls-verify=false', ref('e2e/copy', 'v1'), `oci:${out}:v1`]);
    await skopeo(['copy', '--src-tls-verify=false', ref('e2e/app', layout.artifact.manifestDigest), `oci:${out}:sbom`]);

    const index = readLayoutIndex(out);
    assert.deepEqual(
      index.manifests.map((m) => [m.digest, m.size, m.annotations?.[refNameAnnotation]]),
      [
        [layout.indexDigest, layout.index.length, 'v1'],
        [layout.artifact.manifestDigest, layout.artifact.manifest.length, 'sbom'],
      ],
    );
    const got = readLayoutBlobs(out);
    assert.deepEqual([...got.keys()].sort(), [...layout.blobs.keys()].sort(), 'the copied layout holds other blobs than the original');
    for (const [digest, bytes] of layout.blobs) assert.ok(got.get(digest)!.equals(bytes), `${digest} differs after the round trip`);

    // The dir: transport too: manifest.json is the index, each instance in <hex>.manifest.json.
    const dir = join(work, 'out-dir');
    await skopeo(['copy', '--all', '--src-tls-verify=false', ref('e2e/app', 'v2'), `dir:${dir}`]);
    assert.ok(readFileSync(join(dir, 'manifest.json')).equals(layout.index));
    const expectedFiles = ['manifest.json', 'version', ...layout.images.map((i) => `${hexOf(i.manifestDigest)}.manifest.json`), ...[...imageBlobs.keys()].map(hexOf)].sort();
    assert.deepEqual(readdirSync(dir).sort(), expectedFiles);
    for (const img of layout.images) assert.ok(readFileSync(join(dir, `${hexOf(img.manifestDigest)}.manifest.json`)).equals(img.manifest));
    for (const [digest, bytes] of imageBlobs) assert.ok(readFileSync(join(dir, hexOf(digest))).equals(bytes), `${digest} differs in dir:`);
  });

  test('skopeo delete by tag removes the manifest from one repository only', async (t) => {
    if (!requireTool(t, 'skopeo')) return;
    await skopeo(['delete', '--tls-verify=false', ref('e2e/copy', 'v1')]);

    for (const reference of ['v1', layout.indexDigest]) {
      const r = await get(`/v2/e2e/copy/manifests/${reference}`, { headers: { Accept: media.index } });
      assert.equal(r.status, 404, `e2e/copy ${reference} still served`);
      const body = (await r.json()) as { errors: Array<{ code: string }> };
      assert.equal(body.errors[0]?.code, 'MANIFEST_UNKNOWN');
    }
    const gone = await skopeo(['inspect', '--raw', '--tls-verify=false', ref('e2e/copy', 'v1')], true);
    assert.match(gone.stderr, /manifest unknown/);
    const again = await skopeo(['delete', '--tls-verify=false', ref('e2e/copy', 'v1')], true);
    assert.match(again.stderr, /manifest unknown|Unable to delete/);
    // The tag went with the manifest. (An emptied repository may be listed as empty or be gone.)
    const tags = await run('skopeo', ['list-tags', '--tls-verify=false', `docker://${haven.host}/e2e/copy`], { timeoutMs: 60_000, env: { REGISTRY_AUTH_FILE: authFile } });
    if (tags.code === 0) assert.deepEqual((JSON.parse(tags.stdout.toString()) as { Tags: string[] }).Tags, []);
    else assert.match(tags.stderr, /404/, describeRun('skopeo', ['list-tags'], tags));

    // e2e/app is untouched: tags, index, every image blob, and the referrer.
    const listed = JSON.parse((await skopeo(['list-tags', '--tls-verify=false', `docker://${haven.host}/e2e/app`])).stdout.toString()) as { Tags: string[] };
    assert.deepEqual(listed.Tags, ['v1', 'v2']);
    const raw = await skopeo(['inspect', '--raw', '--tls-verify=false', ref('e2e/app', 'v1')]);
    assert.ok(raw.stdout.equals(layout.index));
    for (const [digest, bytes] of imageBlobs) {
      const r = await get(`/v2/e2e/app/blobs/${digest}`);
      assert.equal(r.status, 200, `blob ${digest} lost from e2e/app`);
      assert.ok(Buffer.from(await r.arrayBuffer()).equals(bytes), `blob ${digest} changed in e2e/app`);
    }
    const referrers = (await (await get(`/v2/e2e/app/referrers/${layout.indexDigest}`)).json()) as { manifests: Array<{ digest: string }> };
    assert.deepEqual(referrers.manifests.map((m) => m.digest), [layout.artifact.manifestDigest]);
  });

  test('podman pulls each platform and pushes an image to another repository', async (t) => {
    if (!requireTool(t, 'podman')) return;
    const podman = privatePodman(join(work, 'podman'), authFile);
    const ok = async (args: string[]) => {
      const r = await podman(args);
      assert.equal(r.code, 0, `${describeRun('podman', args, r)}\n${havenDiagnostics()}`);
      return r;
    };

    const driver = await podmanDriver(t, podman);
    if (driver === null) return;
    assert.equal(driver, 'vfs');

    try {
      const ids = new Map<string, string>();
      for (const img of layout.images) {
        const arch = img.platform.architecture;
        await ok(['pull', '--tls-verify=false', '--os', 'linux', '--arch', arch, `${haven.host}/e2e/app:v1`]);
        // Pulling by the index digest pins the platform choice to what we just pulled.
        const inspected = await ok(['image', 'inspect', '--format', 'json', `${haven.host}/e2e/app@${img.manifestDigest}`]);
        const [image] = JSON.parse(inspected.stdout.toString()) as Array<{
          Id: string;
          Architecture: string;
          Os: string;
          RepoDigests: string[];
          RootFS: { Layers: string[] };
          Labels: Record<string, string>;
        }>;
        assert.ok(image, 'podman image inspect printed nothing');
        // The image ID is the config digest: podman verified the config and every layer's diff ID.
        assert.equal(image.Id, hexOf(img.configDigest));
        assert.equal(image.Architecture, arch);
        assert.equal(image.Os, 'linux');
        assert.deepEqual(image.RootFS.Layers, img.layers.map((l) => l.diffId));
        assert.deepEqual(image.Labels, { 'org.haven.test': arch });
        assert.ok(image.RepoDigests.includes(`${haven.host}/e2e/app@${img.manifestDigest}`), image.RepoDigests.join(', '));
        ids.set(arch, image.Id);
      }

      const amd64 = layout.images.find((i) => i.platform.architecture === 'amd64')!;
      await ok(['tag', ids.get('amd64')!, `${haven.host}/e2e/podman:amd64`]);
      await ok(['push', '--tls-verify=false', `${haven.host}/e2e/podman:amd64`]);

      const head = await get('/v2/e2e/podman/manifests/amd64', {
        method: 'HEAD',
        headers: { Accept: [media.manifest, 'application/vnd.docker.distribution.manifest.v2+json'].join(', ') },
      });
      assert.equal(head.status, 200);
      const digest = head.headers.get('docker-content-digest');
      assert.match(digest ?? '', /^sha256:[0-9a-f]{64}$/);
      const body = await get(`/v2/e2e/podman/manifests/${digest}`, { headers: { Accept: head.headers.get('content-type')! } });
      const bytes = Buffer.from(await body.arrayBuffer());
      assert.equal(sha256(bytes), digest);
      const pushed = JSON.parse(bytes.toString()) as { config: { digest: string }; layers: Array<{ digest: string; size: number }> };
      // Layers may be recompressed by podman; the config (and so the image ID) may not change.
      assert.equal(pushed.config.digest, amd64.configDigest);
      assert.equal(pushed.layers.length, amd64.layers.length);
      for (const l of [pushed.config, ...pushed.layers]) {
        assert.equal((await get(`/v2/e2e/podman/blobs/${l.digest}`, { method: 'HEAD' })).status, 200, `blob ${l.digest} missing from e2e/podman`);
      }
      const seen = JSON.parse((await skopeo(['inspect', '--tls-verify=false', ref('e2e/podman', 'amd64')])).stdout.toString()) as { Architecture: string; Digest: string };
      assert.equal(seen.Architecture, 'amd64');
      assert.equal(seen.Digest, digest);
    } finally {
      // vfs layers are plain directories; removing the store is all the cleanup podman needs.
      await podman(['rmi', '--all', '--force']);
    }
  });
});
