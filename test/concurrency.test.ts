import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { body, imageManifest, putManifest, randomBlob, sha256, type Blob, asAdmin } from './helpers/oci.js';
import { blobFiles, corruptBlobs, uploadFiles } from './helpers/storage.js';

let h: RunningHaven;
before(async () => {
  h = await startHaven({ projects: ['conc'] });
});
after(async () => {
  await h.cleanup();
});

/** Pushes a blob the way docker and skopeo do: HEAD first, then POST + chunked PATCH + PUT. */
async function pushLikeAClient(repo: string, blob: Blob): Promise<void> {
  const head = await h.adminFetch(`${h.url}/v2/${repo}/blobs/${blob.digest}`, { method: 'HEAD' });
  if (head.status === 200) return;
  const start = await h.adminFetch(`${h.url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  assert.equal(start.status, 202);
  let location = start.headers.get('location')!;
  const half = blob.size >> 1;
  const patch = await h.adminFetch(new URL(location, h.url), {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `0-${half - 1}` },
    body: body(blob.bytes.subarray(0, half)),
  });
  assert.equal(patch.status, 202);
  location = patch.headers.get('location')!;
  const put = await h.adminFetch(new URL(`${location}?digest=${blob.digest}`, h.url), {
    method: 'PUT',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: body(blob.bytes.subarray(half)),
  });
  assert.equal(put.status, 201, await put.text());
}

test('16 clients pushing images that share layers at once', async () => {
  const shared = Array.from({ length: 4 }, () => randomBlob(512 * 1024));
  const pushed = await Promise.all(
    Array.from({ length: 16 }, async (_, i) => {
      const repo = `conc/app${i % 4}`;
      const own = randomBlob(128 * 1024 + i);
      const config = randomBlob(200 + i);
      const layers = [...shared, own];
      await Promise.all([config, ...layers].map((b) => pushLikeAClient(repo, b)));
      const manifest = imageManifest(config, layers);
      const r = await putManifest(asAdmin(h), repo, `v${i}`, manifest);
      assert.equal(r.status, 201, await r.text());
      return { repo, tag: `v${i}`, digest: sha256(manifest), blobs: [config, ...layers] };
    }),
  );

  for (const p of pushed) {
    const m = await h.adminFetch(`${h.url}/v2/${p.repo}/manifests/${p.tag}`);
    assert.equal(m.status, 200);
    assert.equal(sha256(Buffer.from(await m.arrayBuffer())), p.digest);
    for (const b of p.blobs) {
      const r = await h.adminFetch(`${h.url}/v2/${p.repo}/blobs/${b.digest}`);
      assert.equal(r.status, 200);
      assert.equal(sha256(Buffer.from(await r.arrayBuffer())), b.digest);
    }
  }
  // Each distinct blob is stored exactly once, whole, and no upload is left behind.
  const distinct = new Set(pushed.flatMap((p) => p.blobs.map((b) => b.digest)));
  const files = blobFiles(h.dataDir);
  assert.equal(files.size, distinct.size);
  for (const d of distinct) assert.ok(files.has(d), `blob ${d} missing from storage`);
  assert.deepEqual(await corruptBlobs(h.dataDir), []);
  assert.deepEqual(uploadFiles(h.dataDir), []);
});
