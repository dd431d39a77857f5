// End-to-end blob pushes over /v2: monolithic, POST+PUT, chunked, streamed, digests, mounts.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { eventually } from './helpers/eventually.js';
import { useHaven, type RunningHaven } from './helpers/haven.js';
import {
  body,
  emptyBlobDigest,
  expectOciError,
  openUpload,
  patchChunk,
  pushBlob,
  randomBlob,
  rawRequest,
  resolveLocation,
  sha256,
  sha512,
  withQuery,
  asAdmin,
  type Registry,
} from './helpers/oci.js';

let haven: RunningHaven;
let base: string;
/** This file tests the registry itself, not who may use it: every request is the admin's. */
let reg: Registry;
let fetch: typeof globalThis.fetch;

useHaven({ projects: ['push', 'mount'] }, (h) => {
  haven = h;
  base = h.url;
  reg = asAdmin(h);
  fetch = h.adminFetch;
});

async function blobStatus(repo: string, digest: string): Promise<number> {
  const r = await fetch(`${base}/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
  await r.arrayBuffer();
  return r.status;
}

async function blobBytes(repo: string, digest: string): Promise<Buffer> {
  const r = await fetch(`${base}/v2/${repo}/blobs/${digest}`);
  assert.equal(r.status, 200, `GET blob ${digest} in ${repo}`);
  assert.equal(r.headers.get('docker-content-digest'), digest);
  return Buffer.from(await r.arrayBuffer());
}

/** Where the filesystem driver keeps a committed blob. */
function blobFile(digest: string): string {
  const [algorithm, hex] = digest.split(':') as [string, string];
  return join(haven.dataDir, 'storage', 'blobs', algorithm, hex.slice(0, 2), hex);
}

function uploadFiles(): string[] {
  const dir = join(haven.dataDir, 'storage', 'uploads');
  return existsSync(dir) ? readdirSync(dir) : [];
}

function assertCreated(r: Response, repo: string, digest: string): void {
  assert.equal(r.status, 201);
  assert.equal(r.headers.get('docker-content-digest'), digest);
  assert.equal(resolveLocation(base, r.headers.get('location')).pathname, `/v2/${repo}/blobs/${digest}`);
}

/** Asserts a 202/204 upload-session answer and returns the session URL. */
function assertSession(r: Response, repo: string, status: number, range: string): URL {
  assert.equal(r.status, status);
  const loc = resolveLocation(base, r.headers.get('location'));
  assert.ok(loc.pathname.startsWith(`/v2/${repo}/blobs/uploads/`), `Location ${loc.pathname}`);
  assert.equal(r.headers.get('range'), range);
  const id = r.headers.get('docker-upload-uuid');
  assert.ok(id, 'Docker-Upload-UUID header');
  assert.ok(loc.pathname.endsWith(id), 'the upload id is the last Location segment');
  return loc;
}

describe('monolithic uploads', () => {
  const repo = 'push/mono';

  test('POST ?digest= with the body → 201, Location and digest; the blob is readable', async () => {
    const b = randomBlob(5000);
    const r = await fetch(`${base}/v2/${repo}/blobs/uploads/?digest=${b.digest}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: body(b.bytes),
    });
    assertCreated(r, repo, b.digest);
    assert.ok((await blobBytes(repo, b.digest)).equals(b.bytes));
    const h = await fetch(`${base}/v2/${repo}/blobs/${b.digest}`, { method: 'HEAD' });
    assert.equal(h.headers.get('content-length'), '5000');
  });

  test('pushing the same blob again is idempotent (201)', async () => {
    const b = randomBlob(100);
    await pushBlob(reg, repo, b.bytes);
    const r = await fetch(`${base}/v2/${repo}/blobs/uploads/?digest=${b.digest}`, { method: 'POST', body: body(b.bytes) });
    assertCreated(r, repo, b.digest);
  });

  test('POST then PUT ?digest= with the whole body → 201', async () => {
    const b = randomBlob(2048);
    const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
    const url = assertSession(start, repo, 202, '0-0');
    const r = await fetch(withQuery(url, { digest: b.digest }), {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: body(b.bytes),
    });
    assertCreated(r, repo, b.digest);
    assert.ok((await blobBytes(repo, b.digest)).equals(b.bytes));
    // The session is finished: it is gone.
    await expectOciError(await fetch(url), 404, 'BLOB_UPLOAD_UNKNOWN');
  });

  test('sha512 digests are accepted (monolithic and POST+PUT)', async () => {
    const b = randomBlob(777);
    const d = sha512(b.bytes);
    const r = await fetch(`${base}/v2/${repo}/blobs/uploads/?digest=${d}`, { method: 'POST', body: body(b.bytes) });
    assertCreated(r, repo, d);
    assert.ok((await blobBytes(repo, d)).equals(b.bytes));
    const h = await fetch(`${base}/v2/${repo}/blobs/${d}`, { method: 'HEAD' });
    assert.equal(h.status, 200);
    assert.equal(h.headers.get('docker-content-digest'), d);
    assert.equal(h.headers.get('content-length'), '777');

    const c = randomBlob(3000);
    const url = await openUpload(reg, repo);
    assert.equal((await patchChunk(reg, url, c.bytes.subarray(0, 1000), 0)).status, 202);
    const fin = await fetch(withQuery(url, { digest: sha512(c.bytes) }), { method: 'PUT', body: body(c.bytes.subarray(1000)) });
    assertCreated(fin, repo, sha512(c.bytes));
    assert.ok((await blobBytes(repo, sha512(c.bytes))).equals(c.bytes));
  });

  test('a wrong sha512 digest → 400 DIGEST_INVALID', async () => {
    const b = randomBlob(64);
    const wrong = sha512('something else');
    const r = await fetch(`${base}/v2/${repo}/blobs/uploads/?digest=${wrong}`, { method: 'POST', body: body(b.bytes) });
    await expectOciError(r, 400, 'DIGEST_INVALID');
    assert.equal(await blobStatus(repo, wrong), 404);
    assert.equal(await blobStatus(repo, sha512(b.bytes)), 404);
  });

  test('the zero-length blob: monolithic POST without a body, and POST+PUT', async () => {
    const r = await fetch(`${base}/v2/${repo}/blobs/uploads/?digest=${emptyBlobDigest}`, { method: 'POST' });
    assertCreated(r, repo, emptyBlobDigest);
    const h = await fetch(`${base}/v2/${repo}/blobs/${emptyBlobDigest}`, { method: 'HEAD' });
    assert.equal(h.status, 200);
    assert.equal(h.headers.get('content-length'), '0');
    assert.equal((await blobBytes(repo, emptyBlobDigest)).length, 0);

    const repo2 = 'push/empty-session';
    const url = await openUpload(reg, repo2);
    const fin = await fetch(withQuery(url, { digest: emptyBlobDigest }), { method: 'PUT' });
    assertCreated(fin, repo2, emptyBlobDigest);
    assert.equal((await blobBytes(repo2, emptyBlobDigest)).length, 0);
    // sha512 of nothing, too.
    const e512 = sha512(Buffer.alloc(0));
    const m = await fetch(`${base}/v2/${repo2}/blobs/uploads/?digest=${e512}`, { method: 'POST', body: body(Buffer.alloc(0)) });
    assertCreated(m, repo2, e512);
    assert.equal(await blobStatus(repo2, e512), 200);
  });

  test('digest mismatch (monolithic) → 400 DIGEST_INVALID and nothing becomes readable', async () => {
    const b = randomBlob(1000);
    const claimed = sha256('not these bytes');
    const before = uploadFiles();
    const r = await fetch(`${base}/v2/${repo}/blobs/uploads/?digest=${claimed}`, { method: 'POST', body: body(b.bytes) });
    await expectOciError(r, 400, 'DIGEST_INVALID');
    assert.equal(await blobStatus(repo, claimed), 404);
    assert.equal(await blobStatus(repo, b.digest), 404);
    await expectOciError(await fetch(`${base}/v2/${repo}/blobs/${claimed}`), 404, 'BLOB_UNKNOWN');
    // Nothing was stored under either digest, and no temporary file is left behind.
    assert.ok(!existsSync(blobFile(claimed)));
    assert.ok(!existsSync(blobFile(b.digest)));
    assert.deepEqual(uploadFiles().filter((f) => !before.includes(f)), []);
  });

  test('digest mismatch on the final PUT → 400 DIGEST_INVALID and nothing becomes readable', async () => {
    const b = randomBlob(4000);
    const claimed = sha256('also not these bytes');
    const url = await openUpload(reg, repo);
    assert.equal((await patchChunk(reg, url, b.bytes.subarray(0, 2500), 0)).status, 202);
    const r = await fetch(withQuery(url, { digest: claimed }), { method: 'PUT', body: body(b.bytes.subarray(2500)) });
    await expectOciError(r, 400, 'DIGEST_INVALID');
    assert.equal(await blobStatus(repo, claimed), 404);
    assert.equal(await blobStatus(repo, b.digest), 404);
    assert.ok(!existsSync(blobFile(claimed)));
    assert.ok(!existsSync(blobFile(b.digest)));
    assert.ok(!uploadFiles().includes(url.pathname.split('/').pop()!), 'the upload file is removed');
  });

  test('malformed or unsupported digests → 400 DIGEST_INVALID', async () => {
    const b = Buffer.from('x');
    for (const d of ['sha256:123', 'sha256', 'md5:d41d8cd98f00b204e9800998ecf8427e', `sha256:${'G'.repeat(64)}`, `sha512:${'a'.repeat(64)}`]) {
      const r = await fetch(`${base}/v2/${repo}/blobs/uploads/?digest=${encodeURIComponent(d)}`, { method: 'POST', body: body(b) });
      await expectOciError(r, 400, 'DIGEST_INVALID', d);
    }
  });

  test('PUT to finish without ?digest= → 400 DIGEST_INVALID, and the session is still usable', async () => {
    const b = randomBlob(300);
    const url = await openUpload(reg, repo);
    assert.equal((await patchChunk(reg, url, b.bytes, 0)).status, 202);
    await expectOciError(await fetch(url, { method: 'PUT' }), 400, 'DIGEST_INVALID');
    const st = await fetch(url);
    assertSession(st, repo, 204, '0-299');
    assertCreated(await fetch(withQuery(url, { digest: b.digest }), { method: 'PUT' }), repo, b.digest);
  });
});

describe('chunked uploads', () => {
  const repo = 'push/chunked';

  test('several PATCH chunks with Content-Range, status in between, final PUT without body', async () => {
    const b = randomBlob(3 * 1024 * 1024 + 5);
    const url = await openUpload(reg, repo);
    const status0 = await fetch(url);
    assertSession(status0, repo, 204, '0-0');
    const cuts = [0, 1024 * 1024, 1024 * 1024 + 1, 2 * 1024 * 1024 + 10, b.size];
    for (let i = 0; i + 1 < cuts.length; i++) {
      const r = await patchChunk(reg, url, b.bytes.subarray(cuts[i], cuts[i + 1]), cuts[i]);
      const loc = assertSession(r, repo, 202, `0-${cuts[i + 1]! - 1}`);
      assert.equal(loc.pathname, url.pathname);
      const st = await fetch(url);
      assertSession(st, repo, 204, `0-${cuts[i + 1]! - 1}`);
      assert.equal((await st.arrayBuffer()).byteLength, 0);
    }
    const fin = await fetch(withQuery(url, { digest: b.digest }), { method: 'PUT' });
    assertCreated(fin, repo, b.digest);
    assert.equal(sha256(await blobBytes(repo, b.digest)), b.digest);
  });

  test('the Content-Range forms "bytes a-b" and "a-b/total" are understood too', async () => {
    const b = randomBlob(200);
    const url = await openUpload(reg, repo);
    let r = await fetch(url, { method: 'PATCH', headers: { 'Content-Range': 'bytes 0-99' }, body: body(b.bytes.subarray(0, 100)) });
    assertSession(r, repo, 202, '0-99');
    r = await fetch(url, { method: 'PATCH', headers: { 'Content-Range': '100-199/200' }, body: body(b.bytes.subarray(100)) });
    assertSession(r, repo, 202, '0-199');
    assertCreated(await fetch(withQuery(url, { digest: b.digest }), { method: 'PUT' }), repo, b.digest);
  });

  test('an out-of-order chunk → 416 with the current Range; the upload then continues', async () => {
    const b = randomBlob(300);
    const url = await openUpload(reg, repo);
    assertSession(await patchChunk(reg, url, b.bytes.subarray(0, 100), 0), repo, 202, '0-99');
    // A gap: starts at 200 while the upload holds 100 bytes.
    const gap = await patchChunk(reg, url, b.bytes.subarray(200), 200);
    assert.equal(gap.headers.get('range'), '0-99');
    await expectOciError(gap, 416, 'BLOB_UPLOAD_INVALID');
    // A retry of the previous chunk (overlap).
    const retry = await patchChunk(reg, url, b.bytes.subarray(0, 100), 0);
    assert.equal(retry.headers.get('range'), '0-99');
    await expectOciError(retry, 416, 'BLOB_UPLOAD_INVALID');
    // Nothing was taken: status is unchanged, and the right chunk is accepted.
    assertSession(await fetch(url), repo, 204, '0-99');
    assertSession(await patchChunk(reg, url, b.bytes.subarray(100, 200), 100), repo, 202, '0-199');
    assertSession(await patchChunk(reg, url, b.bytes.subarray(200), 200), repo, 202, '0-299');
    assertCreated(await fetch(withQuery(url, { digest: b.digest }), { method: 'PUT' }), repo, b.digest);
    assert.ok((await blobBytes(repo, b.digest)).equals(b.bytes));
  });

  test('the first chunk must start at 0', async () => {
    const url = await openUpload(reg, repo);
    const r = await patchChunk(reg, url, Buffer.from('abc'), 5);
    assert.equal(r.headers.get('range'), '0-0');
    await expectOciError(r, 416, 'BLOB_UPLOAD_INVALID');
  });

  test('a Content-Range that disagrees with the body length → 416, and the upload is not advanced', async () => {
    const b = randomBlob(100);
    const url = await openUpload(reg, repo);
    assertSession(await patchChunk(reg, url, b.bytes.subarray(0, 40), 0), repo, 202, '0-39');
    const r = await fetch(url, {
      method: 'PATCH',
      headers: { 'Content-Range': '40-49' }, // claims 10 bytes, sends 60
      body: body(b.bytes.subarray(40)),
    });
    assert.equal(r.headers.get('range'), '0-39');
    await expectOciError(r, 416, 'BLOB_UPLOAD_INVALID');
    assertSession(await fetch(url), repo, 204, '0-39');
    // The retry with the right header succeeds and the blob verifies.
    assertSession(await patchChunk(reg, url, b.bytes.subarray(40), 40), repo, 202, '0-99');
    assertCreated(await fetch(withQuery(url, { digest: b.digest }), { method: 'PUT' }), repo, b.digest);
    assert.ok((await blobBytes(repo, b.digest)).equals(b.bytes));
  });

  test('bytes of a refused chunk never become part of the blob (the digest covers only acknowledged bytes)', async () => {
    const acknowledged = Buffer.from('aaaa');
    const refused = Buffer.from('bbbbbbbb');
    const all = Buffer.concat([acknowledged, refused]);

    // Claiming the refused bytes too must fail: the upload holds 4 bytes.
    const u1 = await openUpload(reg, repo);
    assertSession(await patchChunk(reg, u1, acknowledged, 0), repo, 202, '0-3');
    const r1 = await fetch(u1, { method: 'PATCH', headers: { 'Content-Range': '4-5' }, body: body(refused) });
    await expectOciError(r1, 416, 'BLOB_UPLOAD_INVALID');
    assertSession(await fetch(u1), repo, 204, '0-3');
    await expectOciError(await fetch(withQuery(u1, { digest: sha256(all) }), { method: 'PUT' }), 400, 'DIGEST_INVALID');
    assert.equal(await blobStatus(repo, sha256(all)), 404, 'no blob under the digest of unacknowledged bytes');

    // The digest of the acknowledged bytes is the one that completes the upload.
    const u2 = await openUpload(reg, repo);
    assertSession(await patchChunk(reg, u2, acknowledged, 0), repo, 202, '0-3');
    await expectOciError(await fetch(u2, { method: 'PATCH', headers: { 'Content-Range': '4-5' }, body: body(refused) }), 416, 'BLOB_UPLOAD_INVALID');
    assertCreated(await fetch(withQuery(u2, { digest: sha256(acknowledged) }), { method: 'PUT' }), repo, sha256(acknowledged));
    const got = await blobBytes(repo, sha256(acknowledged));
    assert.equal(got.toString(), 'aaaa');
  });

  test('a PATCH cut off mid-stream: the upload resumes, or completes, from the Range it reports', async () => {
    for (const how of ['finish', 'resume'] as const) {
      const b = randomBlob(3_000_000);
      const url = await openUpload(reg, repo);
      assertSession(await patchChunk(reg, url, b.bytes.subarray(0, 1000), 0), repo, 202, '0-999');
      // A streamed PATCH that delivers 2 MiB and then dies: more than the 1 MiB the filesystem
      // driver stages before a write, so part of it reaches the file.
      const sent = 2 << 20;
      const ac = new AbortController();
      const stream = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new Uint8Array(b.bytes.subarray(1000, 1000 + sent))) });
      const cut = fetch(url, { method: 'PATCH', body: stream, duplex: 'half', signal: ac.signal } as RequestInit).then(
        () => 'answered',
        () => 'aborted',
      );
      // Cut once part of the stream has reached the upload file.
      const file = join(haven.dataDir, 'storage', 'uploads', url.pathname.split('/').pop()!);
      await eventually(() => assert.ok(statSync(file).size > 1000, 'part of the stream arrived'));
      ac.abort();
      assert.equal(await cut, 'aborted');
      const st = await eventually(async () => {
        const st = await fetch(url);
        assert.equal(st.status, 204, 'the upload is still there');
        return st;
      });
      const range = /^0-(\d+)$/.exec(st.headers.get('range') ?? '');
      assert.ok(range, `Range ${st.headers.get('range')}`);
      const have = Number(range[1]) + 1;
      assert.ok(have >= 1000 && have <= 1000 + sent, `the upload holds ${have} bytes`);
      // Retry while the server may still be winding down the aborted request (416: busy).
      const retry = (send: () => Promise<Response>): Promise<Response> =>
        eventually(async () => {
          const r = await send();
          if (r.status === 416) throw new Error(`still busy: ${await r.text()}`);
          return r;
        });
      if (how === 'finish') {
        // Complete with exactly the bytes the registry acknowledged.
        const d = sha256(b.bytes.subarray(0, have));
        const fin = await retry(() => fetch(withQuery(url, { digest: d }), { method: 'PUT' }));
        assertCreated(fin, repo, d);
        assert.ok((await blobBytes(repo, d)).equals(b.bytes.subarray(0, have)));
      } else {
        const p = await retry(() => patchChunk(reg, url, b.bytes.subarray(have), have));
        assertSession(p, repo, 202, `0-${b.size - 1}`);
        assertCreated(await fetch(withQuery(url, { digest: b.digest }), { method: 'PUT' }), repo, b.digest);
        assert.ok((await blobBytes(repo, b.digest)).equals(b.bytes));
      }
    }
  });

  test('a malformed Content-Range → 416 BLOB_UPLOAD_INVALID', async () => {
    const url = await openUpload(reg, repo);
    for (const cr of ['garbage', '10-5', 'bytes=a-b']) {
      const r = await fetch(url, { method: 'PATCH', headers: { 'Content-Range': cr }, body: body(Buffer.from('0123456789')) });
      await expectOciError(r, 416, 'BLOB_UPLOAD_INVALID', cr);
    }
    assertSession(await fetch(url), repo, 204, '0-0');
  });

  test('streamed PATCHes without Content-Range append in order', async () => {
    const b = randomBlob(250_000);
    const url = await openUpload(reg, repo);
    assertSession(await patchChunk(reg, url, b.bytes.subarray(0, 100_000)), repo, 202, '0-99999');
    assertSession(await patchChunk(reg, url, b.bytes.subarray(100_000, 100_001)), repo, 202, '0-100000');
    assertSession(await patchChunk(reg, url, b.bytes.subarray(100_001)), repo, 202, '0-249999');
    assertCreated(await fetch(withQuery(url, { digest: b.digest }), { method: 'PUT' }), repo, b.digest);
    assert.ok((await blobBytes(repo, b.digest)).equals(b.bytes));
  });

  test('a streamed PATCH with chunked transfer-encoding (no Content-Length)', async () => {
    const b = randomBlob(600_000);
    const url = await openUpload(reg, repo);
    const parts = [b.bytes.subarray(0, 200_000), b.bytes.subarray(200_000, 450_000), b.bytes.subarray(450_000)];
    const stream = Readable.toWeb(Readable.from(parts)) as ReadableStream<Uint8Array>;
    const r = await fetch(url, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    assertSession(r, repo, 202, '0-599999');
    assertCreated(await fetch(withQuery(url, { digest: b.digest }), { method: 'PUT' }), repo, b.digest);
    assert.ok((await blobBytes(repo, b.digest)).equals(b.bytes));
  });

  test('the final PUT may carry the last chunk (with or without Content-Range)', async () => {
    for (const withRange of [false, true]) {
      const b = randomBlob(10_000);
      const url = await openUpload(reg, repo);
      assertSession(await patchChunk(reg, url, b.bytes.subarray(0, 6000), 0), repo, 202, '0-5999');
      const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream' };
      if (withRange) headers['Content-Range'] = '6000-9999';
      const fin = await fetch(withQuery(url, { digest: b.digest }), { method: 'PUT', headers, body: body(b.bytes.subarray(6000)) });
      assertCreated(fin, repo, b.digest);
      assert.ok((await blobBytes(repo, b.digest)).equals(b.bytes));
    }
  });

  test('a final PUT whose chunk starts at the wrong offset → 416 with the current Range', async () => {
    const b = randomBlob(100);
    const url = await openUpload(reg, repo);
    assertSession(await patchChunk(reg, url, b.bytes.subarray(0, 50), 0), repo, 202, '0-49');
    const r = await fetch(withQuery(url, { digest: b.digest }), {
      method: 'PUT',
      headers: { 'Content-Range': '60-99' },
      body: body(b.bytes.subarray(60)),
    });
    assert.equal(r.headers.get('range'), '0-49');
    await expectOciError(r, 416, 'BLOB_UPLOAD_INVALID');
    assert.equal(await blobStatus(repo, b.digest), 404);
  });

  test('DELETE cancels an upload: 204, then every call on it is 404 BLOB_UPLOAD_UNKNOWN', async () => {
    const b = randomBlob(100);
    const url = await openUpload(reg, repo);
    assertSession(await patchChunk(reg, url, b.bytes.subarray(0, 50), 0), repo, 202, '0-49');
    const del = await fetch(url, { method: 'DELETE' });
    assert.equal(del.status, 204);
    await expectOciError(await fetch(url), 404, 'BLOB_UPLOAD_UNKNOWN', 'GET');
    await expectOciError(await patchChunk(reg, url, b.bytes.subarray(50), 50), 404, 'BLOB_UPLOAD_UNKNOWN', 'PATCH');
    await expectOciError(await fetch(withQuery(url, { digest: b.digest }), { method: 'PUT' }), 404, 'BLOB_UPLOAD_UNKNOWN', 'PUT');
    await expectOciError(await fetch(url, { method: 'DELETE' }), 404, 'BLOB_UPLOAD_UNKNOWN', 'DELETE');
    assert.equal(await blobStatus(repo, b.digest), 404);
  });

  test('an upload id from another repository → 404 BLOB_UPLOAD_UNKNOWN, and the session is untouched', async () => {
    const b = randomBlob(64);
    const url = await openUpload(reg, repo);
    assertSession(await patchChunk(reg, url, b.bytes.subarray(0, 32), 0), repo, 202, '0-31');
    const id = url.pathname.split('/').pop()!;
    const other = new URL(`/v2/push/thief/blobs/uploads/${id}`, base);
    await expectOciError(await fetch(other), 404, 'BLOB_UPLOAD_UNKNOWN', 'GET');
    await expectOciError(await patchChunk(reg, other, b.bytes.subarray(32), 32), 404, 'BLOB_UPLOAD_UNKNOWN', 'PATCH');
    await expectOciError(await fetch(withQuery(other, { digest: b.digest }), { method: 'PUT', body: body(b.bytes.subarray(32)) }), 404, 'BLOB_UPLOAD_UNKNOWN', 'PUT');
    await expectOciError(await fetch(other, { method: 'DELETE' }), 404, 'BLOB_UPLOAD_UNKNOWN', 'DELETE');
    assert.equal(await blobStatus('push/thief', b.digest), 404);
    // The owner's session still works.
    assertSession(await fetch(url), repo, 204, '0-31');
    assertCreated(await fetch(withQuery(url, { digest: b.digest }), { method: 'PUT', body: body(b.bytes.subarray(32)) }), repo, b.digest);
  });

  test('garbage and unknown upload ids → 404 BLOB_UPLOAD_UNKNOWN', async () => {
    const ids = ['not-a-uuid', '00000000-0000-0000-0000-000000000000', 'x'.repeat(300), 'DEADBEEF-0000-0000-0000-000000000000'];
    for (const id of ids) {
      const path = `/v2/${repo}/blobs/uploads/${encodeURIComponent(id)}`;
      await expectOciError(await fetch(`${base}${path}`), 404, 'BLOB_UPLOAD_UNKNOWN', `GET ${id}`);
      await expectOciError(await fetch(`${base}${path}`, { method: 'PATCH', body: body(Buffer.from('abc')) }), 404, 'BLOB_UPLOAD_UNKNOWN', `PATCH ${id}`);
      await expectOciError(await fetch(`${base}${path}?digest=${sha256('abc')}`, { method: 'PUT', body: body(Buffer.from('abc')) }), 404, 'BLOB_UPLOAD_UNKNOWN', `PUT ${id}`);
      await expectOciError(await fetch(`${base}${path}`, { method: 'DELETE' }), 404, 'BLOB_UPLOAD_UNKNOWN', `DELETE ${id}`);
    }
    // Dot-segment ids (sent raw: fetch would normalise them away) must not escape the uploads directory.
    for (const id of ['..', '..%2F..%2Fhaven.db', '%2e%2e']) {
      for (const method of ['GET', 'PATCH', 'DELETE']) {
        const raw = await rawRequest(reg, method, `/v2/${repo}/blobs/uploads/${id}`);
        await expectOciError(raw, 404, 'BLOB_UPLOAD_UNKNOWN', `${method} ${id}`);
      }
    }
  });

  test('concurrent PATCHes to one session: exactly one is taken, the others get 416', async () => {
    const b = randomBlob(4 * 1024 * 1024);
    const url = await openUpload(reg, repo);
    const rs = await Promise.all([0, 1, 2].map(() => patchChunk(reg, url, b.bytes, 0)));
    const statuses = rs.map((r) => r.status).sort();
    assert.deepEqual(statuses, [202, 416, 416]);
    for (const r of rs) {
      if (r.status === 416) await expectOciError(r, 416, 'BLOB_UPLOAD_INVALID');
      else await r.arrayBuffer();
    }
    assertSession(await fetch(url), repo, 204, `0-${b.size - 1}`);
    assertCreated(await fetch(withQuery(url, { digest: b.digest }), { method: 'PUT' }), repo, b.digest);
    assert.equal(sha256(await blobBytes(repo, b.digest)), b.digest);
  });

  test('concurrent sessions in one repository do not mix', async () => {
    const a = randomBlob(5000);
    const b = randomBlob(5000);
    const ua = await openUpload(reg, repo);
    const ub = await openUpload(reg, repo);
    assert.notEqual(ua.pathname, ub.pathname);
    await Promise.all([patchChunk(reg, ua, a.bytes.subarray(0, 2500), 0), patchChunk(reg, ub, b.bytes.subarray(0, 2500), 0)]);
    await Promise.all([patchChunk(reg, ua, a.bytes.subarray(2500), 2500), patchChunk(reg, ub, b.bytes.subarray(2500), 2500)]);
    assertCreated(await fetch(withQuery(ua, { digest: a.digest }), { method: 'PUT' }), repo, a.digest);
    assertCreated(await fetch(withQuery(ub, { digest: b.digest }), { method: 'PUT' }), repo, b.digest);
    assert.ok((await blobBytes(repo, a.digest)).equals(a.bytes));
    assert.ok((await blobBytes(repo, b.digest)).equals(b.bytes));
  });
});

describe('cross-repository mounts', () => {
  const source = 'mount/source';
  const blob = randomBlob(1234);

  before(async () => {
    await pushBlob(reg, source, blob.bytes);
  });

  test('?mount=&from= with a source that holds the blob → 201 with Location', async () => {
    const target = 'mount/target-a';
    const r = await fetch(`${base}/v2/${target}/blobs/uploads/?mount=${blob.digest}&from=${source}`, { method: 'POST' });
    assertCreated(r, target, blob.digest);
    assert.equal(await blobStatus(target, blob.digest), 200);
    assert.ok((await blobBytes(target, blob.digest)).equals(blob.bytes));
  });

  test('mounting a blob the target already holds is still 201', async () => {
    const target = 'mount/target-a';
    const r = await fetch(`${base}/v2/${target}/blobs/uploads/?mount=${blob.digest}&from=${source}`, { method: 'POST' });
    assertCreated(r, target, blob.digest);
  });

  test('the source does not hold the blob → falls back to a 202 upload session', async () => {
    const target = 'mount/target-b';
    const missing = sha256('not in the source');
    const r = await fetch(`${base}/v2/${target}/blobs/uploads/?mount=${missing}&from=${source}`, { method: 'POST' });
    const url = assertSession(r, target, 202, '0-0');
    assert.equal(await blobStatus(target, missing), 404);
    // The fallback session is a real one.
    const b = randomBlob(10);
    assertCreated(await fetch(withQuery(url, { digest: b.digest }), { method: 'PUT', body: body(b.bytes) }), target, b.digest);
  });

  test('the source repository does not exist → 202 upload session', async () => {
    const target = 'mount/target-c';
    const r = await fetch(`${base}/v2/${target}/blobs/uploads/?mount=${blob.digest}&from=mount/nowhere`, { method: 'POST' });
    assertSession(r, target, 202, '0-0');
    assert.equal(await blobStatus(target, blob.digest), 404);
  });

  test('a blob that exists only in another repository than `from` → 202, not a mount', async () => {
    const other = 'mount/other-holder';
    const only = randomBlob(50);
    await pushBlob(reg, other, only.bytes);
    await pushBlob(reg, 'mount/empty-source', randomBlob(5).bytes);
    const r = await fetch(`${base}/v2/mount/target-d/blobs/uploads/?mount=${only.digest}&from=mount/empty-source`, { method: 'POST' });
    assertSession(r, 'mount/target-d', 202, '0-0');
    assert.equal(await blobStatus('mount/target-d', only.digest), 404);
  });

  test('mount without `from` → 201 when the blob exists in some repository', async () => {
    const target = 'mount/target-auto';
    const r = await fetch(`${base}/v2/${target}/blobs/uploads/?mount=${blob.digest}`, { method: 'POST' });
    assertCreated(r, target, blob.digest);
    assert.ok((await blobBytes(target, blob.digest)).equals(blob.bytes));
  });

  test('mount without `from` of a blob held nowhere → 202 upload session', async () => {
    const target = 'mount/target-auto2';
    const r = await fetch(`${base}/v2/${target}/blobs/uploads/?mount=${sha256('held nowhere')}`, { method: 'POST' });
    assertSession(r, target, 202, '0-0');
  });

  test('mount with a malformed digest → 400 DIGEST_INVALID; with an invalid `from` → 400 NAME_INVALID', async () => {
    await expectOciError(await fetch(`${base}/v2/mount/t/blobs/uploads/?mount=sha256:xyz&from=${source}`, { method: 'POST' }), 400, 'DIGEST_INVALID');
    await expectOciError(await fetch(`${base}/v2/mount/t/blobs/uploads/?mount=${blob.digest}&from=Bad/Name`, { method: 'POST' }), 400, 'NAME_INVALID');
  });

  test('a sha512 blob mounts too', async () => {
    const b = randomBlob(99);
    const d = sha512(b.bytes);
    const r0 = await fetch(`${base}/v2/${source}/blobs/uploads/?digest=${d}`, { method: 'POST', body: body(b.bytes) });
    assertCreated(r0, source, d);
    const r = await fetch(`${base}/v2/mount/target-512/blobs/uploads/?mount=${d}&from=${source}`, { method: 'POST' });
    assertCreated(r, 'mount/target-512', d);
    assert.ok((await blobBytes('mount/target-512', d)).equals(b.bytes));
  });
});
