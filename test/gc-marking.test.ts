// What GC's marking must spare, seen through /v2: an upload still in progress when a run sweeps
// (its bytes live under uploads/, not as a blob row, until commit), a blob just pushed but younger
// than the window, and, with delete_untagged, what is untagged but not garbage: the children of a
// tagged index and the accessory of a tagged subject. A plain untagged image in the same run is
// deleted, so the run did look at untagged artifacts.
import assert from 'node:assert/strict';
import { existsSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { figures, runGc } from './helpers/gc.js';
import { havenSql } from './helpers/haven-db.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import {
  asAdmin,
  type Blob,
  emptyJson,
  emptyJsonDigest,
  imageManifest,
  json,
  mediaType,
  openUpload,
  patchChunk,
  pushBlob,
  putManifest,
  randomBlob,
  type Registry,
  resolveLocation,
  sha256,
  withQuery,
} from './helpers/oci.js';

const hour = 3_600_000;
const anyManifest = [mediaType.ociManifest, mediaType.ociIndex].join(', ');

describe('GC marking spares what is not garbage', () => {
  let h: RunningHaven;
  let reg: Registry;

  before(async () => {
    h = await startHaven({ env: { HAVEN_JOBS_POLL_INTERVAL: '100', HAVEN_GC_MIN_AGE: '1h' } });
    reg = asAdmin(h);
    await h.createProject('mark');
  });
  after(async () => {
    await h?.cleanup();
  });

  /** Everything stored so far looks older than the 1 h window. */
  const ageEverything = async () => {
    const old = Date.now() - 2 * hour;
    await havenSql(h, 'update blobs set created_at = ?', [old]);
    await havenSql(h, 'update manifests set pushed_at = ?, created_at = ?', [old, old]);
    await havenSql(h, 'update upload_sessions set created_at = ?, updated_at = ?', [old, old]);
  };
  const blobStatus = async (repo: string, digest: string) => (await fetch(`${reg.url}/v2/${repo}/blobs/${digest}`, { method: 'HEAD', headers: reg.headers })).status;
  async function pullBlob(repo: string, digest: string): Promise<void> {
    const r = await fetch(`${reg.url}/v2/${repo}/blobs/${digest}`, { headers: reg.headers });
    assert.equal(r.status, 200, digest);
    assert.equal(sha256(Buffer.from(await r.arrayBuffer())), digest);
  }
  /** GETs a manifest by digest, checks the bytes are that digest, and returns it parsed. */
  async function pullManifest(repo: string, digest: string): Promise<{ config?: { digest: string }; layers?: Array<{ digest: string }> }> {
    const r = await fetch(`${reg.url}/v2/${repo}/manifests/${digest}`, { headers: { ...reg.headers, Accept: anyManifest } });
    assert.equal(r.status, 200, `${repo}@${digest}`);
    const bytes = Buffer.from(await r.arrayBuffer());
    assert.equal(sha256(bytes), digest);
    return JSON.parse(bytes.toString('utf8'));
  }
  async function pushBlobs(repo: string, ...sizes: number[]): Promise<Blob[]> {
    const out = sizes.map((s) => randomBlob(s));
    for (const b of out) await pushBlob(reg, repo, b.bytes);
    return out;
  }
  /** Pushes a manifest under `tag`, or by its digest when there is none (untagged). */
  async function push(repo: string, manifest: Buffer, tag?: string, type: string = mediaType.ociManifest): Promise<{ mediaType: string; digest: string; size: number }> {
    const digest = sha256(manifest);
    const r = await putManifest(reg, repo, tag ?? digest, manifest, type);
    assert.equal(r.status, 201, await r.text());
    return { mediaType: type, digest, size: manifest.length };
  }

  test('an upload in progress across a real run completes; a blob younger than the window survives', async () => {
    const repo = 'mark/upload';
    const layer = randomBlob(300_000);
    const cut = 100_000;
    // The same bytes stored once before and referenced by nothing: garbage this run deletes, so the
    // commit below cannot lean on an existing blob and the run is seen to collect.
    await pushBlob(reg, repo, layer.bytes);
    const session = await openUpload(reg, repo);
    const patched = await patchChunk(reg, session, layer.bytes.subarray(0, cut), 0);
    assert.equal(patched.status, 202, await patched.text());
    const next = resolveLocation(reg.url, patched.headers.get('location'));
    // Its half-written file too: the sweep for objects without a row must not read uploads/ as blobs/.
    const file = join(h.dataDir, 'storage', 'uploads', session.pathname.split('/').pop()!);
    await ageEverything();
    assert.ok(existsSync(file), file);
    const aged = (Date.now() - 2 * hour) / 1000;
    utimesSync(file, aged, aged);
    // Pushed after the aging: its row says now, so the window keeps it although nothing references it.
    const young = randomBlob(4096);
    await pushBlob(reg, repo, young.bytes);

    const run = await runGc(h, { workers: 2 });
    assert.equal(run.job_status, 'Success', run.log);
    assert.deepEqual(figures(run.log), { blobs: 1, manifests: 0 }, run.log);
    assert.equal(await blobStatus(repo, layer.digest), 404, 'the earlier copy is collected');

    const rest = await patchChunk(reg, next, layer.bytes.subarray(cut), cut);
    assert.equal(rest.status, 202, await rest.text());
    const last = resolveLocation(reg.url, rest.headers.get('location'));
    const done = await fetch(withQuery(last, { digest: layer.digest }), { method: 'PUT', headers: reg.headers });
    assert.equal(done.status, 201, await done.text());
    assert.equal(done.headers.get('docker-content-digest'), layer.digest);
    const [config] = await pushBlobs(repo, 60);
    await push(repo, imageManifest(config!, [layer]), 'v1');
    await pullBlob(repo, layer.digest);

    assert.equal(await blobStatus(repo, young.digest), 200, 'young, unreferenced: kept');
    await pullBlob(repo, young.digest);
  });

  test("delete_untagged keeps a tagged index's children and a tagged subject's accessory, deletes a plain untagged image", async () => {
    const repo = 'mark/app';
    // An index tagged, its two children pushed by digest only.
    const [c1, l1, c2, l2] = await pushBlobs(repo, 11, 2100, 12, 2200);
    const children = [await push(repo, imageManifest(c1!, [l1!])), await push(repo, imageManifest(c2!, [l2!]))];
    const index = json({
      schemaVersion: 2,
      mediaType: mediaType.ociIndex,
      manifests: children.map((c, i) => ({ ...c, platform: { architecture: ['amd64', 'arm64'][i], os: 'linux' } })),
    });
    const tagged = await push(repo, index, 'multi', mediaType.ociIndex);

    // A tagged subject, and a signature-like accessory of it pushed by digest.
    const [sc, sl, sig] = await pushBlobs(repo, 13, 2300, 256);
    const subject = await push(repo, imageManifest(sc!, [sl!]), 'v1');
    await pushBlob(reg, repo, emptyJson);
    const sigType = 'application/vnd.example.signature.v1';
    const accessory = await push(
      repo,
      json({
        schemaVersion: 2,
        mediaType: mediaType.ociManifest,
        artifactType: sigType,
        config: { mediaType: mediaType.ociEmpty, digest: emptyJsonDigest, size: emptyJson.length },
        layers: [{ mediaType: 'application/vnd.example.signature.v1+bytes', digest: sig!.digest, size: sig!.size }],
        subject,
      }),
    );

    // The control: untagged, listed by nothing, referring to nothing.
    const [goneConfig, goneLayer] = await pushBlobs(repo, 14, 2400);
    const gone = await push(repo, imageManifest(goneConfig!, [goneLayer!]));

    await ageEverything();
    const run = await runGc(h, { delete_untagged: true });
    assert.equal(run.job_status, 'Success', run.log);
    assert.equal(figures(run.log).manifests, 1, run.log);

    assert.equal((await fetch(`${reg.url}/v2/${repo}/manifests/${gone.digest}`, { headers: { ...reg.headers, Accept: anyManifest } })).status, 404, 'the untagged image is deleted');
    assert.equal(await blobStatus(repo, goneLayer!.digest), 404, 'and its layer swept in the same run');

    await pullManifest(repo, tagged.digest);
    for (const child of children) {
      const m = await pullManifest(repo, child.digest);
      for (const d of [m.config!.digest, ...m.layers!.map((l) => l.digest)]) assert.equal(await blobStatus(repo, d), 200, `${child.digest}: ${d}`);
    }

    await pullManifest(repo, subject.digest);
    const sigManifest = await pullManifest(repo, accessory.digest);
    for (const d of [sigManifest.config!.digest, ...sigManifest.layers!.map((l) => l.digest)]) assert.equal(await blobStatus(repo, d), 200, `accessory: ${d}`);
    const referrers = await fetch(`${reg.url}/v2/${repo}/referrers/${subject.digest}`, { headers: reg.headers });
    assert.equal(referrers.status, 200);
    const listed = ((await referrers.json()) as { manifests: Array<{ digest: string; artifactType?: string }> }).manifests;
    assert.deepEqual(
      listed.map((m) => [m.digest, m.artifactType]),
      [[accessory.digest, sigType]],
    );
  });
});
