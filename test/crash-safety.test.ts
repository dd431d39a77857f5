import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { after, describe, test } from 'node:test';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from './helpers/eventually.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { asAdmin, body, imageManifest, ociError, pushBlob, pushImage, putManifest, randomBlob, sha256 } from './helpers/oci.js';
import { corruptBlobs } from './helpers/storage.js';

const MiB = 1024 * 1024;

/**
 * Starts a request, sends `sent` of `total` declared bytes, and leaves it hanging open; `written`
 * resolves once those bytes have left for the server.
 */
function partialRequest(url: string, method: string, headers: Record<string, string | number>, total: number, sent: Buffer) {
  const req = request(url, { method, headers: { ...headers, 'Content-Length': total } });
  const written = new Promise<void>((resolve) => req.write(sent, () => resolve()));
  const done = new Promise<void>((resolve) => {
    req.on('error', () => resolve());
    req.on('response', (res) => {
      res.resume();
      res.on('end', resolve);
      res.on('error', () => resolve());
    });
  });
  return { req, done, written };
}

async function readBlob(h: RunningHaven, repo: string, digest: string): Promise<string> {
  const r = await h.adminFetch(`${h.url}/v2/${repo}/blobs/${digest}`);
  assert.equal(r.status, 200);
  return sha256(Buffer.from(await r.arrayBuffer()));
}

describe('crash safety (kill -9)', () => {
  let h: RunningHaven;
  after(async () => {
    await h?.cleanup();
  });

  test('kill -9 in the middle of a 200 MiB chunked upload loses nothing acknowledged', async () => {
    h = await startHaven({ projects: ['crash'] });
    const dataDir = h.dataDir;
    const before = await pushImage(asAdmin(h), 'crash/app', 'v1', 3, 256 * 1024);

    // 200 MiB in 16 MiB chunks: 12.5 chunks. Acknowledge 5 of them, then die mid-chunk.
    const chunkSize = 16 * MiB;
    const total = 200 * MiB;
    const data = randomBytes(total);
    const digest = sha256(data);
    const start = await h.adminFetch(`${h.url}/v2/crash/big/blobs/uploads/`, { method: 'POST' });
    assert.equal(start.status, 202);
    const location = new URL(start.headers.get('location')!, h.url).pathname;
    let offset = 0;
    for (let i = 0; i < 5; i++) {
      const chunk = data.subarray(offset, offset + chunkSize);
      const r = await h.adminFetch(`${h.url}${location}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${offset}-${offset + chunk.length - 1}` },
        body: body(chunk),
      });
      assert.equal(r.status, 202);
      offset += chunk.length;
      assert.equal(r.headers.get('range'), `0-${offset - 1}`);
    }
    const acknowledged = offset;
    const partial = partialRequest(`${h.url}${location}`, 'PATCH', { ...h.asAdmin, 'Content-Range': `${offset}-${offset + chunkSize - 1}` }, chunkSize, data.subarray(offset, offset + chunkSize / 2));
    // Killed mid-chunk: once the server has written part of the unacknowledged chunk to disk.
    const uploadFile = join(dataDir, 'storage', 'uploads', location.split('/').pop()!);
    await eventually(() => assert.ok(statSync(uploadFile).size > acknowledged, 'the half chunk reached the upload file'), { timeoutMs: 20_000 });
    await h.kill();
    await partial.done;

    h = await startHaven({ dataDir });
    // What was acknowledged before the crash is intact.
    const m = await h.adminFetch(`${h.url}/v2/crash/app/manifests/v1`);
    assert.equal(m.status, 200);
    assert.ok(Buffer.from(await m.arrayBuffer()).equals(before.manifest));
    for (const l of before.layers) assert.equal(await readBlob(h, 'crash/app', l.digest), l.digest);
    // The half-uploaded blob is not visible anywhere.
    assert.equal((await h.adminFetch(`${h.url}/v2/crash/big/blobs/${digest}`, { method: 'HEAD' })).status, 404);
    assert.deepEqual(await corruptBlobs(dataDir), []);
    // The session survived with exactly the acknowledged bytes, and resumes from there.
    const status = await h.adminFetch(`${h.url}${location}`);
    assert.equal(status.status, 204);
    assert.equal(status.headers.get('range'), `0-${acknowledged - 1}`);
    offset = acknowledged;
    while (offset < total) {
      const chunk = data.subarray(offset, offset + chunkSize);
      const last = offset + chunk.length === total;
      const url = `${h.url}${location}${last ? `?digest=${digest}` : ''}`;
      const r = await h.adminFetch(url, {
        method: last ? 'PUT' : 'PATCH',
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${offset}-${offset + chunk.length - 1}` },
        body: body(chunk),
      });
      assert.equal(r.status, last ? 201 : 202, await r.text());
      offset += chunk.length;
    }
    assert.equal(await readBlob(h, 'crash/big', digest), digest);
    // A brand-new upload of another blob works too after the restart.
    const again = randomBlob(3 * MiB);
    await pushBlob(asAdmin(h), 'crash/big', again.bytes);
    assert.equal(await readBlob(h, 'crash/big', again.digest), again.digest);
  });

  test('kill -9 in the middle of a manifest PUT and of a monolithic blob push', async () => {
    const dataDir = h.dataDir;
    const config = randomBlob(100);
    const layer = randomBlob(4096);
    await pushBlob(asAdmin(h), 'crash/m', config.bytes);
    await pushBlob(asAdmin(h), 'crash/m', layer.bytes);
    const acknowledged = imageManifest(config, [layer]);
    assert.equal((await putManifest(asAdmin(h), 'crash/m', 'stable', acknowledged)).status, 201);

    const pending = imageManifest(config, [layer], { annotations: { pending: 'yes' } });
    const manifestPut = partialRequest(`${h.url}/v2/crash/m/manifests/pending`, 'PUT', { ...h.asAdmin, 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' }, pending.length, pending.subarray(0, pending.length >> 1));
    const blob = randomBlob(8 * MiB);
    const blobPush = partialRequest(`${h.url}/v2/crash/m/blobs/uploads/?digest=${blob.digest}`, 'POST', { ...h.asAdmin, 'Content-Type': 'application/octet-stream' }, blob.size, blob.bytes.subarray(0, 5 * MiB));
    await Promise.all([manifestPut.written, blobPush.written]);
    await h.kill();
    await Promise.all([manifestPut.done, blobPush.done]);

    h = await startHaven({ dataDir });
    const stable = await h.adminFetch(`${h.url}/v2/crash/m/manifests/stable`);
    assert.equal(stable.status, 200);
    assert.ok(Buffer.from(await stable.arrayBuffer()).equals(acknowledged));
    const gone = await h.adminFetch(`${h.url}/v2/crash/m/manifests/pending`);
    assert.equal(gone.status, 404);
    assert.equal(await ociError(gone), 'MANIFEST_UNKNOWN');
    assert.equal((await h.adminFetch(`${h.url}/v2/crash/m/blobs/${blob.digest}`, { method: 'HEAD' })).status, 404);
    assert.deepEqual(await corruptBlobs(dataDir), []);
    // Both pushes can simply be made again.
    assert.equal((await putManifest(asAdmin(h), 'crash/m', 'pending', pending)).status, 201);
    await pushBlob(asAdmin(h), 'crash/m', blob.bytes);
    assert.equal(await readBlob(h, 'crash/m', blob.digest), blob.digest);
  });

  test('every acknowledged push survives kill -9 under load', async () => {
    const dataDir = h.dataDir;
    const config = randomBlob(64);
    await pushBlob(asAdmin(h), 'crash/load', config.bytes);
    const acked: Array<{ tag: string; digest: string; layer: string }> = [];
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const layer = randomBlob(32 * 1024 + w);
          await pushBlob(asAdmin(h), 'crash/load', layer.bytes);
          const manifest = imageManifest(config, [layer]);
          const tag = `w${w}-${i}`;
          const r = await putManifest(asAdmin(h), 'crash/load', tag, manifest);
          if (r.status === 201) acked.push({ tag, digest: sha256(manifest), layer: layer.digest });
        } catch {
          return; // the server died under us: that request was never acknowledged
        }
      }
    };
    const workers = Array.from({ length: 6 }, (_, w) => worker(w));
    await eventually(() => assert.ok(acked.length >= 20, `${acked.length} pushes acknowledged`), { timeoutMs: 30_000 });
    await h.kill();
    stop = true;
    await Promise.all(workers);
    assert.ok(acked.length > 10, `only ${acked.length} pushes acknowledged before the kill`);

    h = await startHaven({ dataDir });
    for (const a of acked) {
      const r = await h.adminFetch(`${h.url}/v2/crash/load/manifests/${a.tag}`, { method: 'HEAD' });
      assert.equal(r.status, 200, `acknowledged tag ${a.tag} lost`);
      assert.equal(r.headers.get('docker-content-digest'), a.digest);
      assert.equal(await readBlob(h, 'crash/load', a.layer), a.layer);
    }
    assert.deepEqual(await corruptBlobs(dataDir), []);
  });
});
