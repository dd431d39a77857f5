// Haven on S3 (OpenStack Swift's s3api from test/backends): pushes and pulls by real clients,
// chunked uploads with chunks below S3's minimum part size, an upload continued by a restarted
// instance, presigned redirects, the purge of abandoned multipart uploads, startup refusals that
// name the setting, and a storage outage that answers 503 and heals without a restart.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CreateMultipartUploadCommand, DeleteObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { startS3, swiftAvailable, type S3Backend } from './backends/s3.js';
import { havenBin, startHaven, type RunningHaven } from './helpers/haven.js';
import { asAdmin, body, openUpload, patchChunk, pushBlob, pushImage, sha256, withQuery, type Registry } from './helpers/oci.js';
import { eventually } from './helpers/eventually.js';
import { describeRun, run } from './helpers/run.js';
import { requireTool } from './helpers/tools.js';
import { writeTestLayout } from './helpers/oci-layout.js';
import { podmanDriver, privatePodman } from './helpers/podman.js';
import { createS3Client } from '../src/storage/s3-client.js';

const mib = 1024 * 1024;

async function bytesOf(r: Response): Promise<Buffer> {
  return Buffer.from(await r.arrayBuffer());
}

/** Pushes `data` as a chunked upload of `chunk`-byte PATCHes and a final PUT; returns the PUT. */
async function chunkedPush(reg: Registry, repo: string, data: Buffer, chunk: number): Promise<Response> {
  const url = await openUpload(reg, repo);
  let location: URL | string = url;
  for (let at = 0; at < data.length; at += chunk) {
    const r = await patchChunk(reg, location, data.subarray(at, at + chunk), at);
    assert.equal(r.status, 202, await r.text());
    location = new URL(r.headers.get('location')!, reg.url);
  }
  return fetch(withQuery(location, { digest: sha256(data) }), { method: 'PUT', headers: reg.headers });
}

describe('Haven on S3 storage', { skip: !swiftAvailable() && 'python3-swift is not installed', timeout: 300_000 }, () => {
  let s3: S3Backend;
  let bucket: string;
  let client: S3Client;
  let haven: RunningHaven;
  let reg: Registry;

  before(async () => {
    s3 = await startS3();
    bucket = await s3.bucket();
    client = createS3Client(s3.settings(bucket));
    haven = await startHaven({ projects: ['s3'], env: s3.env(bucket) });
    reg = asAdmin(haven);
  });

  after(async () => {
    await haven?.cleanup();
    client?.destroy();
    await s3?.stop();
  });

  const keys = async (prefix: string) => ((await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);
  const multipart = async () => ((await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'uploads/' }))).Uploads ?? []).map((u) => u.Key!);

  test('a chunked push with chunks below the part size lands whole in the bucket; GET streams it with Range', async () => {
    const data = randomBytes(12 * mib + 321);
    const put = await chunkedPush(reg, 's3/chunked', data, 1 * mib + 7);
    assert.equal(put.status, 201, await put.text());
    const digest = sha256(data);
    assert.deepEqual(await keys(`blobs/sha256/${digest.slice(7, 9)}/`), [`blobs/sha256/${digest.slice(7, 9)}/${digest.slice(7)}`]);
    assert.deepEqual(await multipart(), [], 'the multipart upload was completed');
    assert.deepEqual(await keys('uploads/'), [], 'no tail or staged object is left');
    const get = await haven.adminFetch(`${haven.url}/v2/s3/chunked/blobs/${digest}`);
    assert.equal(get.status, 200);
    assert.ok((await bytesOf(get)).equals(data));
    const ranged = await haven.adminFetch(`${haven.url}/v2/s3/chunked/blobs/${digest}`, { headers: { Range: 'bytes=5242870-5242889' } });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.headers.get('content-range'), `bytes 5242870-5242889/${data.length}`);
    assert.ok((await bytesOf(ranged)).equals(data.subarray(5242870, 5242890)));
  });

  test('a monolithic push, the empty blob and a wrong digest', async () => {
    const data = randomBytes(7 * mib);
    const r = await fetch(`${haven.url}/v2/s3/mono/blobs/uploads/?digest=${sha256(data)}`, { method: 'POST', headers: { ...reg.headers, 'Content-Type': 'application/octet-stream' }, body: body(data) });
    assert.equal(r.status, 201, await r.text());
    const empty = await fetch(`${haven.url}/v2/s3/mono/blobs/uploads/?digest=${sha256(Buffer.alloc(0))}`, { method: 'POST', headers: reg.headers });
    assert.equal(empty.status, 201);
    assert.equal((await haven.adminFetch(`${haven.url}/v2/s3/mono/blobs/${sha256(Buffer.alloc(0))}`)).status, 200);
    const wrong = await fetch(`${haven.url}/v2/s3/mono/blobs/uploads/?digest=${sha256('other')}`, { method: 'POST', headers: reg.headers, body: body(data) });
    assert.equal(wrong.status, 400);
    assert.equal((await haven.adminFetch(`${haven.url}/v2/s3/mono/blobs/${sha256('other')}`, { method: 'HEAD' })).status, 404);
    await eventually(async () => assert.deepEqual(await keys('uploads/'), []));
  });

  test('an object lost from the bucket behind Haven\'s back: at most one pull is cut, then HEAD and GET answer BLOB_UNKNOWN', async () => {
    const data = randomBytes(64 * 1024);
    const digest = await pushBlob(reg, 's3/lost', data);
    const blobUrl = `${haven.url}/v2/s3/lost/blobs/${digest}`;
    // The HEAD confirms the object and is remembered, so HEADs cost no object-store round trip.
    assert.equal((await haven.adminFetch(blobUrl, { method: 'HEAD' })).status, 200);
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `blobs/sha256/${digest.slice(7, 9)}/${digest.slice(7)}` }));
    // The next GET finds the object gone: a 404 if that is known before the headers, otherwise a
    // cut body. Never a 200 with wrong bytes.
    const first = await haven.adminFetch(blobUrl).then(async (r) => ({ status: r.status, body: await bytesOf(r).catch(() => null) }), () => null);
    if (first && first.status === 200) assert.equal(first.body, null, 'a 200 for a lost object must not complete');
    else if (first) assert.equal(first.status, 404);
    for (const method of ['GET', 'HEAD']) {
      const r = await haven.adminFetch(blobUrl, { method });
      assert.equal(r.status, 404, `${method} after the loss was seen`);
      if (method === 'GET') assert.equal(((await r.json()) as { errors: { code: string }[] }).errors[0]!.code, 'BLOB_UNKNOWN');
    }
  });

  test('skopeo and podman push and pull through Haven on S3', async (t) => {
    if (!requireTool(t, 'skopeo')) return;
    const work = mkdtempSync(join(tmpdir(), 'haven-s3-clients-'));
    try {
      const layout = writeTestLayout(join(work, 'layout'), { tag: 'v1', artifactTag: 'sbom' });
      const authFile = join(work, 'auth.json');
      writeFileSync(authFile, JSON.stringify({ auths: { [haven.host]: { auth: Buffer.from(`admin:${haven.admin.password}`).toString('base64') } } }));
      const skopeo = async (args: string[]) => {
        const r = await run('skopeo', args, { timeoutMs: 90_000, env: { REGISTRY_AUTH_FILE: authFile } });
        assert.equal(r.code, 0, `${describeRun('skopeo', args, r)}\n${haven.output().slice(-2000)}`);
        return r;
      };
      await skopeo(['copy', '--all', '--dest-tls-verify=false', `oci:${layout.dir}:v1`, `docker://${haven.host}/s3/app:v1`]);
      await skopeo(['copy', '--all', '--src-tls-verify=false', `docker://${haven.host}/s3/app:v1`, `oci:${join(work, 'out')}:v1`]);
      for (const [digest, bytes] of layout.blobs) {
        const r = await haven.adminFetch(`${haven.url}/v2/s3/app/blobs/${digest}`);
        if (r.status === 404) continue; // a manifest, not a blob
        assert.equal(r.status, 200);
        assert.ok((await bytesOf(r)).equals(bytes), `blob ${digest} changed on S3`);
      }
      const podman = privatePodman(join(work, 'podman'), authFile);
      if ((await podmanDriver(t, podman)) === null) return;
      const amd64 = layout.images.find((i) => i.platform.architecture === 'amd64')!;
      const pull = await podman(['pull', '--tls-verify=false', '--os', 'linux', '--arch', 'amd64', `${haven.host}/s3/app:v1`]);
      assert.equal(pull.code, 0, describeRun('podman', ['pull'], pull));
      const inspect = await podman(['image', 'inspect', '--format', '{{.Id}}', `${haven.host}/s3/app@${amd64.manifestDigest}`]);
      assert.equal(inspect.stdout.toString().trim(), amd64.configDigest.slice(7), 'podman verified the config and every layer');
      await podman(['tag', amd64.configDigest.slice(7), `${haven.host}/s3/podman:amd64`]);
      const push = await podman(['push', '--tls-verify=false', `${haven.host}/s3/podman:amd64`]);
      assert.equal(push.code, 0, describeRun('podman', ['push'], push));
      assert.equal((await haven.adminFetch(`${haven.url}/v2/s3/podman/blobs/${amd64.configDigest}`, { method: 'HEAD' })).status, 200);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  test('an upload begun on one instance is continued and verified by another after a restart', async () => {
    const data = randomBytes(11 * mib + 5);
    const url = await openUpload(reg, 's3/resumed');
    const first = await patchChunk(reg, url, data.subarray(0, 6 * mib + 1), 0);
    assert.equal(first.status, 202);
    const dataDir = haven.dataDir;
    await haven.stop();
    haven = await startHaven({ dataDir, env: s3.env(bucket) });
    reg = asAdmin(haven);
    const moved = new URL(new URL(first.headers.get('location')!, 'http://x').pathname + new URL(first.headers.get('location')!, 'http://x').search, haven.url);
    const status = await fetch(moved, { headers: reg.headers });
    assert.equal(status.status, 204);
    assert.equal(status.headers.get('range'), `0-${6 * mib}`);
    // The new instance never saw the first bytes: it verifies by re-reading what S3 holds.
    const second = await patchChunk(reg, moved, data.subarray(6 * mib + 1), 6 * mib + 1);
    assert.equal(second.status, 202, await second.text());
    const next = new URL(second.headers.get('location')!, haven.url);
    const done = await fetch(withQuery(next, { digest: sha256(data) }), { method: 'PUT', headers: reg.headers });
    assert.equal(done.status, 201, await done.text());
    const get = await haven.adminFetch(`${haven.url}/v2/s3/resumed/blobs/${sha256(data)}`);
    assert.ok((await bytesOf(get)).equals(data));
  });

  test('after a restart an upload whose bytes do not match its digest is refused', async () => {
    const data = randomBytes(6 * mib);
    const url = await openUpload(reg, 's3/bad');
    const r = await patchChunk(reg, url, data, 0);
    assert.equal(r.status, 202);
    const dataDir = haven.dataDir;
    await haven.stop();
    haven = await startHaven({ dataDir, env: s3.env(bucket) });
    reg = asAdmin(haven);
    const loc = new URL(r.headers.get('location')!, 'http://x');
    const put = await fetch(withQuery(new URL(loc.pathname + loc.search, haven.url), { digest: sha256('not these bytes') }), { method: 'PUT', headers: reg.headers });
    assert.equal(put.status, 400);
    assert.equal(((await put.json()) as { errors: { code: string }[] }).errors[0]!.code, 'DIGEST_INVALID');
    assert.equal((await haven.adminFetch(`${haven.url}/v2/s3/bad/blobs/${sha256('not these bytes')}`, { method: 'HEAD' })).status, 404);
  });

  test('with redirect on, a blob GET answers 307 to a presigned URL that serves the bytes; HEAD stays local', async () => {
    const redirecting = await startHaven({ env: s3.env(bucket, { HAVEN_STORAGE_S3_REDIRECT: 'true' }) });
    try {
      await redirecting.createProject('s3r');
      const data = randomBytes(3 * mib + 1);
      const put = await chunkedPush(asAdmin(redirecting), 's3r/img', data, 2 * mib);
      assert.equal(put.status, 201);
      const url = `${redirecting.url}/v2/s3r/img/blobs/${sha256(data)}`;
      const head = await redirecting.adminFetch(url, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('content-length'), String(data.length));
      const r = await redirecting.adminFetch(url, { redirect: 'manual' });
      assert.equal(r.status, 307);
      const location = r.headers.get('location')!;
      assert.ok(location.startsWith(`${s3.endpoint}/${bucket}/blobs/sha256/`), location);
      assert.match(location, /X-Amz-Signature=/);
      assert.ok((await bytesOf(await fetch(location))).equals(data), 'the presigned URL serves the blob');
      const ranged = await fetch(location, { headers: { Range: 'bytes=10-19' } });
      assert.equal(ranged.status, 206);
      assert.ok((await bytesOf(ranged)).equals(data.subarray(10, 20)));
      // A client that follows redirects (as docker and containers/image do) gets the bytes.
      assert.ok((await bytesOf(await redirecting.adminFetch(url))).equals(data));
      const anonymous = await fetch(url, { redirect: 'manual' });
      assert.equal(anonymous.status, 401, 'no presigned URL without pull rights');
    } finally {
      await redirecting.cleanup();
    }
  });

  test('the purge aborts abandoned multipart uploads and removes their tails and orphans', async () => {
    const purging = await startHaven({ env: s3.env(bucket, { HAVEN_UPLOADS_PURGE_AGE: '1s', HAVEN_UPLOADS_PURGE_INTERVAL: '500' }) });
    try {
      await purging.createProject('s3p');
      const p = asAdmin(purging);
      const url = await openUpload(p, 's3p/abandoned');
      assert.equal((await patchChunk(p, url, randomBytes(5 * mib + 10), 0)).status, 202);
      const id = url.pathname.split('/').pop()!;
      assert.ok((await multipart()).includes(`uploads/${id}/data`), 'a multipart upload holds the first part');
      assert.ok((await keys(`uploads/${id}/`)).some((k) => k.includes('/tail-')), 'the bytes past the part are a tail object');
      // An orphan: a multipart upload with no session (an instance died after creating it).
      const orphan = randomUUID();
      const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: `uploads/${orphan}/data` }));
      await client.send(new UploadPartCommand({ Bucket: bucket, Key: `uploads/${orphan}/data`, UploadId: created.UploadId, PartNumber: 1, Body: Buffer.alloc(100) }));
      await eventually(
        async () => {
          assert.deepEqual(await multipart(), []);
          assert.deepEqual(await keys('uploads/'), []);
        },
        { timeoutMs: 20_000, intervalMs: 250 },
      );
      assert.equal((await fetch(url, { headers: p.headers })).status, 404, 'the session is gone too');
    } finally {
      await purging.cleanup();
    }
  });

  test('S3 down: pushes and pulls get a quick 503; they work again once it is back, without a restart', async () => {
    const { layers } = await pushImage(reg, 's3/outage', 'v1', 1, 4096);
    const layer = layers[0]!;
    await s3.pause();
    try {
      const t0 = Date.now();
      const pull = await haven.adminFetch(`${haven.url}/v2/s3/outage/blobs/${layer.digest}`, { signal: AbortSignal.timeout(20_000) });
      assert.equal(pull.status, 503);
      assert.equal(((await pull.json()) as { errors: { code: string }[] }).errors[0]!.code, 'UNAVAILABLE');
      const data = randomBytes(1000);
      const push = await fetch(`${haven.url}/v2/s3/outage/blobs/uploads/?digest=${sha256(data)}`, { method: 'POST', headers: reg.headers, body: body(data), signal: AbortSignal.timeout(20_000) });
      assert.equal(push.status, 503, await push.text());
      assert.ok(Date.now() - t0 < 15_000, `answered in ${Date.now() - t0} ms`);
    } finally {
      await s3.resume();
    }
    const pull = await haven.adminFetch(`${haven.url}/v2/s3/outage/blobs/${layer.digest}`);
    assert.equal(pull.status, 200);
    assert.ok((await bytesOf(pull)).equals(layer.bytes));
    const data = randomBytes(1000);
    const push = await fetch(`${haven.url}/v2/s3/outage/blobs/uploads/?digest=${sha256(data)}`, { method: 'POST', headers: reg.headers, body: body(data) });
    assert.equal(push.status, 201);
  });

  describe('haven serve refuses to start on unusable S3, naming the setting', () => {
    const serve = async (env: Record<string, string>) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'haven-s3-start-'));
      try {
        const r = await run(process.execPath, [havenBin, 'serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
          timeoutMs: 30_000,
          env: { HAVEN_CONFIG: '/dev/null', ...env },
        });
        return { code: r.code, stderr: r.stderr.split('\n').filter((l) => l.startsWith('haven:')) };
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    };

    test('a missing bucket', async () => {
      const r = await serve(s3.env('no-such-bucket'));
      assert.equal(r.code, 1);
      assert.deepEqual(r.stderr.length, 1);
      assert.match(r.stderr[0]!, /^haven: storage\.s3\.bucket: bucket no-such-bucket does not exist/);
    });

    test('bad credentials', async () => {
      const r = await serve(s3.env(bucket, { HAVEN_STORAGE_S3_SECRET_KEY: 'wrong' }));
      assert.equal(r.code, 1);
      assert.match(r.stderr[0]!, /^haven: storage\.s3\.accessKey\/storage\.s3\.secretKey: .*refused the credentials/);
    });

    test("another account's bucket", async () => {
      const r = await serve(s3.env(bucket, { HAVEN_STORAGE_S3_ACCESS_KEY: 'test2:tester2', HAVEN_STORAGE_S3_SECRET_KEY: 'testing2' }));
      assert.equal(r.code, 1);
      assert.match(r.stderr[0]!, /^haven: storage\.s3\./);
    });

    test('an unreachable endpoint', async () => {
      const r = await serve(s3.env(bucket, { HAVEN_STORAGE_S3_ENDPOINT: 'http://127.0.0.1:9' }));
      assert.equal(r.code, 1);
      assert.match(r.stderr[0]!, /^haven: storage\.s3\.endpoint: cannot reach S3 at http:\/\/127\.0\.0\.1:9/);
    });

    test('s3 selected without a bucket', async () => {
      const r = await serve({ HAVEN_STORAGE_DRIVER: 's3' });
      assert.equal(r.code, 2);
      assert.match(r.stderr.join('\n'), /storage\.s3\.bucket/);
    });
  });
});
