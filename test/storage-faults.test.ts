// F5 and F6 of the security probe: damaged blob files never make a pull hang or lie, HEAD agrees
// with GET, and a refused push leaves no repository behind.
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { truncateSync, unlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { eventually } from './helpers/eventually.js';
import { useHaven, type RunningHaven } from './helpers/haven.js';
import { basic } from './helpers/api-client.js';
import { body, imageManifest, randomBlob, sha256 } from './helpers/oci.js';

let haven: RunningHaven;
useHaven({}, (h) => (haven = h));

const admin = () => ({ Authorization: basic(haven.admin) });
const blobFile = (digest: string) => join(haven.dataDir, 'storage', 'blobs', 'sha256', digest.slice(7, 9), digest.slice(7));

async function push(repo: string, bytes: Buffer): Promise<string> {
  const digest = sha256(bytes);
  const r = await fetch(`${haven.url}/v2/${repo}/blobs/uploads/?digest=${digest}`, {
    method: 'POST',
    headers: { ...admin(), 'Content-Type': 'application/octet-stream' },
    body: body(bytes),
  });
  assert.equal(r.status, 201, await r.text());
  return digest;
}

const head = (repo: string, digest: string) => fetch(`${haven.url}/v2/${repo}/blobs/${digest}`, { method: 'HEAD', headers: admin() });
const get = (repo: string, digest: string) => fetch(`${haven.url}/v2/${repo}/blobs/${digest}`, { headers: admin(), signal: AbortSignal.timeout(5000) });

function logText(): string {
  return readFileSync(join(haven.dataDir, 'haven.log'), 'utf8');
}

test('a truncated, emptied or missing blob file: HEAD and GET both answer 404 at once, logged as corruption, and a re-push heals it (F5)', async () => {
  await haven.createProject('faults');
  for (const damage of ['truncate', 'empty', 'delete'] as const) {
    const blob = randomBlob(300_000);
    const digest = await push('faults/damaged', blob.bytes);
    assert.equal((await head('faults/damaged', digest)).status, 200);
    if (damage === 'truncate') truncateSync(blobFile(digest), 1000);
    else if (damage === 'empty') writeFileSync(blobFile(digest), '');
    else unlinkSync(blobFile(digest));

    const h = await head('faults/damaged', digest);
    assert.equal(h.status, 404, `HEAD after ${damage}`);
    const g = await get('faults/damaged', digest);
    assert.equal(g.status, 404, `GET after ${damage}`);
    const e = (await g.json()) as { errors: Array<{ code: string; message: string }> };
    assert.equal(e.errors[0]!.code, 'BLOB_UNKNOWN');
    assert.match(e.errors[0]!.message, /missing or damaged/);
    assert.match(logText(), new RegExp(`blob corruption.*${digest.slice(7)}|${digest.slice(7)}.*blob corruption`));

    // The client, told the blob is unknown, uploads it again; the damaged file is replaced.
    await push('faults/damaged', blob.bytes);
    const healed = await get('faults/damaged', digest);
    assert.equal(healed.status, 200);
    assert.ok(Buffer.from(await healed.arrayBuffer()).equals(blob.bytes), `healed content after ${damage}`);
  }
});

test('a file cut short while it is being sent ends the connection at once instead of hanging (F5)', async () => {
  const bytes = randomBytes(64 << 20);
  const digest = await push('faults/short', bytes);
  const started = Date.now();
  const outcome = await new Promise<{ received: number; length: number; how: string }>((resolve, reject) => {
    const req = request(`${haven.url}/v2/faults/short/blobs/${digest}`, { headers: admin() }, (res) => {
      assert.equal(res.statusCode, 200);
      const length = Number(res.headers['content-length']);
      let received = 0;
      // Hold the download while the file shrinks underneath it, then read on.
      res.pause();
      truncateSync(blobFile(digest), 4 << 20);
      res.resume();
      res.on('data', (c: Buffer) => (received += c.length));
      res.on('end', () => resolve({ received, length, how: 'end' }));
      res.on('aborted', () => resolve({ received, length, how: 'aborted' }));
      res.on('error', () => resolve({ received, length, how: 'error' }));
    });
    req.on('error', reject);
    req.end();
  });
  assert.notEqual(outcome.how, 'end', 'a short response must not look complete');
  assert.ok(outcome.received < outcome.length);
  assert.ok(Date.now() - started < 10_000, 'the connection was cut promptly');
  await eventually(() => assert.match(logText(), /blob corruption: short read while sending/));
});

test('a manifest PUT naming an unknown blob leaves no repository, so the project can still be deleted (F6)', async () => {
  await haven.createProject('refused');
  const config = randomBlob(100);
  const manifest = imageManifest(config, []);
  const r = await fetch(`${haven.url}/v2/refused/app/manifests/v1`, {
    method: 'PUT',
    headers: { ...admin(), 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
    body: body(manifest),
  });
  assert.equal(r.status, 404);
  assert.equal(((await r.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'MANIFEST_BLOB_UNKNOWN');
  // A monolithic blob push whose bytes do not match its digest is refused as well.
  const bad = await fetch(`${haven.url}/v2/refused/app/blobs/uploads/?digest=${sha256('other')}`, {
    method: 'POST',
    headers: { ...admin(), 'Content-Type': 'application/octet-stream' },
    body: 'these bytes',
  });
  assert.equal(bad.status, 400);

  const catalog = (await (await fetch(`${haven.url}/v2/_catalog`, { headers: admin() })).json()) as { repositories: string[] };
  assert.ok(!catalog.repositories.includes('refused/app'), 'the refused repository is not in the catalog');
  const del = await fetch(`${haven.url}/api/v2.0/projects/refused`, { method: 'DELETE', headers: admin() });
  assert.equal(del.status, 200, await del.text());
});
